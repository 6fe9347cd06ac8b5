"""CSV, XLSX and JSON exports of « these actions »: content read back, filters, streaming, admin round trip."""

import csv
import io
import json
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions import exports
from actions.admin import ActionResource
from actions.models import FICHE_FIELDS, Action, MotCle
from catalogue import snapshot as catalogue_snapshot
from opendata import cells, fields
from tests.accounts.factories import federation_user
from tests.accounts.test_import_export import CSV_FORMAT, XLSX_FORMAT, upload
from tests.actions.factories import ActionFactory
from tests.api.catalogue import build_catalogue, full_action, snapshot
from tests.structures.factories import StructureFactory

CSV_URL, XLSX_URL, JSON_URL = "/actions/export.csv", "/actions/export.xlsx", "/actions/export.json"
COLUMNS = [
    *["id", "slug", "url", "titre", "structure", "structure_nom", "structure_siret", "structure_commune"],
    *["structure_commune_insee", "departement", "departement_nom", "region", "region_nom", "state"],
    *FICHE_FIELDS,
    *["publiee_le", "modifiee_le"],
]
TITRE = COLUMNS.index("titre")


@pytest.fixture
def catalogue(db):
    return build_catalogue()


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response):
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM first, for spreadsheets"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_rows(response):
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True)
    return [
        ["" if value is None else str(value) for value in row]
        for row in workbook["Actions"].iter_rows(values_only=True)
    ]


def list_titles(client, query_string=""):
    """The HTML list's titles for this query string, every page."""
    titles, number = [], 1
    while True:
        page = client.get(f"/actions/?{query_string}&page={number}").context["page"]
        titles += [action.titre for action in page.object_list]
        if not page.has_next():
            return titles
        number += 1


class TestCsv:
    def test_every_fiche_field_in_fiche_order_published_only(self, client, catalogue):
        response = client.get(CSV_URL)
        assert response.status_code == 200
        assert response.streaming
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        today = timezone.localdate().isoformat()
        assert response["Content-Disposition"] == f'attachment; filename="actions-centres-sociaux-{today}.csv"'
        header, *rows = csv_rows(response)
        assert header == COLUMNS == fields.NAMES
        assert set(ActionResource().get_export_headers()) < set(header)  # the admin import's columns
        assert [row[TITRE] for row in rows] == list_titles(client)
        assert {row[TITRE] for row in rows} == {"Atelier numérique", "Fête de quartier", "Jardin partagé"}
        jardin = dict(zip(header, next(row for row in rows if row[TITRE] == "Jardin partagé"), strict=True))
        action = catalogue.actions.jardin
        assert jardin["id"] == str(action.pk)
        assert jardin["structure"] == action.structure.slug and jardin["structure_nom"] == "Centre Angers"
        assert jardin["departement"] == "49" and jardin["state"] == "publiee"
        assert jardin["statut"] == "En cours" and jardin["dimension"] == "Citoyenneté"
        assert jardin["mots_cles"] == "Culture;Environnement"  # the vocabulary's order
        assert jardin["initiatives"] == "Le centre social;Un groupe d'habitants"
        assert jardin["partenaires"] == "Caf;Commune"
        assert jardin["resume"] == action.resume  # commas, quotes, « ; » and line breaks intact
        assert jardin["url"] == f"http://testserver/actions/{action.slug}/"
        assert jardin["publiee_le"] == timezone.localtime(action.published_at).isoformat(timespec="seconds")
        assert jardin["modifiee_le"] == timezone.localtime(action.updated_at).isoformat(timespec="seconds")
        assert jardin["slug"] == action.slug and jardin["departement_nom"] == "Maine-et-Loire"
        assert jardin["region"] == "52" and jardin["region_nom"] == "Pays de la Loire"
        fete = dict(zip(header, next(row for row in rows if row[TITRE] == "Fête de quartier"), strict=True))
        assert fete["statut"] == "" and fete["territoire"] == ""

    @pytest.mark.parametrize(
        "query_string",
        ["departement=49", "departement=72&departement=49", "q=jardin", "mots_cles=culture&tri=titre", "tri=titre"],
    )
    def test_same_actions_and_order_as_the_list(self, client, catalogue, query_string):
        rows = csv_rows(client.get(f"{CSV_URL}?{query_string}"))[1:]
        assert [row[TITRE] for row in rows] == list_titles(client, query_string)
        assert rows

    def test_cells_are_those_of_the_admin_resource(self, catalogue):
        """The rows are read as plain values for speed: each cell must still be what the admin's resource writes."""
        resource = ActionResource()
        published = Action.objects.published().order_by("pk")
        positions = [COLUMNS.index(name) for name in resource.get_export_headers()]
        expected = [resource.export_resource(action) for action in published]
        assert [[row[index] for index in positions] for row in exports.rows(published)] == expected

    def test_page_is_ignored_every_row_is_exported(self, client, db):
        structure = StructureFactory()
        for number in range(23):
            ActionFactory(titre=f"Action {number:02d}", structure=structure)
        rows = csv_rows(client.get(f"{CSV_URL}?page=2&tri=titre"))[1:]
        assert [row[TITRE] for row in rows] == [f"Action {number:02d}" for number in range(23)]

    def test_nothing_matches_gives_the_header_only(self, client, catalogue):
        assert csv_rows(client.get(f"{CSV_URL}?q=introuvable")) == [COLUMNS]


class TestXlsxAndJson:
    def test_xlsx_has_the_csv_rows(self, client, catalogue):
        response = client.get(f"{XLSX_URL}?departement=49")
        assert response.status_code == 200
        assert response["Content-Type"] == exports.XLSX_TYPE
        assert re.fullmatch(
            r'attachment; filename="actions-centres-sociaux-\d{4}-\d{2}-\d{2}\.xlsx"', response["Content-Disposition"]
        )
        assert xlsx_rows(response) == csv_rows(client.get(f"{CSV_URL}?departement=49"))

    def test_xlsx_drops_control_characters_and_never_writes_formulas(self, client, catalogue):
        Action.objects.filter(pk=catalogue.actions.jardin.pk).update(limites="avant\x0baprès\x01")
        Action.objects.filter(pk=catalogue.actions.fete.pk).update(perspectives='=HYPERLINK("http://x.example")')
        workbook = openpyxl.load_workbook(io.BytesIO(body(client.get(XLSX_URL))))
        cells = {cell.value: cell.data_type for row in workbook["Actions"].iter_rows() for cell in row}
        assert "avantaprès" in cells
        assert cells['=HYPERLINK("http://x.example")'] == "s"

    def test_json_is_an_array_of_the_same_records(self, client, catalogue):
        response = client.get(f"{JSON_URL}?tri=titre")
        assert response.status_code == 200 and response.streaming
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response["Content-Disposition"].endswith('.json"')
        records = json.loads(body(response))
        assert [record["titre"] for record in records] == ["Atelier numérique", "Fête de quartier", "Jardin partagé"]
        jardin = records[2]
        assert list(jardin) == COLUMNS
        assert jardin["id"] == catalogue.actions.jardin.pk
        assert jardin["mots_cles"] == "Culture;Environnement"
        assert jardin["departement"] == "49" and jardin["departement_nom"] == "Maine-et-Loire"
        assert jardin["region"] == "52" and jardin["region_nom"] == "Pays de la Loire"
        assert jardin["statut"] == "En cours"
        assert records[1]["territoire"] is None
        # the same values as the CSV, None written as ""
        csv_jardin = next(row for row in csv_rows(client.get(CSV_URL)) if row[TITRE] == "Jardin partagé")
        assert [cells.escape(fields.cell(value)) for value in jardin.values()] == csv_jardin
        assert jardin["resume"] == catalogue.actions.jardin.resume
        assert "« guillemets »".encode() in body(client.get(JSON_URL))  # UTF-8, not \\u escapes

    def test_json_of_nothing_is_an_empty_array(self, client, catalogue):
        assert json.loads(body(client.get(f"{JSON_URL}?departement=75"))) == []


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL, JSON_URL])
@pytest.mark.parametrize(
    "query_string",
    [
        "page=abc",
        "departement=ZZ",
        "structure=abc",
        "region=1&region=%00",
        "dimension=" + "x" * 10000,
        "q=" + "é" * 5000,
        "q=%00",
        "q=!%20%26%20|%20:*%20(",
        "tri=zzz&tri=titre",
        "%00=%00",
        "departement[]=49",
    ],
)
def test_malformed_query_strings_never_fail(client, catalogue, url, query_string):
    response = client.get(f"{url}?{query_string}")
    assert response.status_code == 200
    body(response)


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL, JSON_URL])
def test_read_only(client, db, url):
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL, XLSX_URL])
def test_query_count_is_constant_per_chunk(client, db, monkeypatch, url):
    """One query for the rows, one per many-to-many field per chunk: never one per row."""
    monkeypatch.setattr(fields, "CHUNK_SIZE", 2)
    structure = StructureFactory()

    def queries():
        catalogue_snapshot()  # built or patched for the current version: not the export's own queries
        with CaptureQueriesContext(connection) as captured:
            body(client.get(url))
        return len(captured)

    full_action("Une", structure)
    full_action("Deux", structure)
    one_chunk = queries()
    for number in range(4):
        full_action(f"Encore {number}", structure, mots_cles=["Culture", "Santé"])
    three_chunks = queries()
    assert three_chunks == one_chunk + 2 * len(exports.MANY_RELATED)


def test_the_list_offers_the_downloads_and_the_feed_with_its_query(client, catalogue):
    page = client.get("/actions/?departement=49&page=1&tri=titre").content.decode()
    assert 'href="/actions/export.csv?departement=49&amp;tri=titre" download>CSV' in page
    assert 'href="/actions/export.xlsx?departement=49&amp;tri=titre"' in page
    assert 'href="/actions/export.json?departement=49&amp;tri=titre"' in page
    assert "Télécharger ces 2 résultats" in page
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/actions/flux.atom?departement=49"' in page
    assert "S’abonner aux nouvelles actions de cette recherche (Atom)" in page


class TestRoundTripThroughTheAdminImport:
    """Export published actions, change or delete them, re-import the file in the admin: the same actions."""

    @pytest.mark.parametrize(
        ("url", "file_format", "name"), [(CSV_URL, CSV_FORMAT, "a.csv"), (XLSX_URL, XLSX_FORMAT, "a.xlsx")]
    )
    def test_round_trip(self, client, catalogue, url, file_format, name):
        published = list(Action.objects.published().order_by("pk"))
        before = {action.pk: snapshot(action) for action in published}
        exported = body(client.get(url))

        jardin, fete, atelier = catalogue.actions.jardin, catalogue.actions.fete, catalogue.actions.atelier
        jardin.titre, jardin.resume, jardin.public = "Titre changé", "Résumé changé", None
        jardin.save()
        jardin.mots_cles.set([MotCle.objects.get(libelle="Santé")])
        fete.partenaires.clear()
        fete.initiatives.clear()
        atelier.delete()

        client.force_login(federation_user(national=True))
        preview = upload(client, "actions_action", exported, name=name, file_format=file_format)
        assert preview.status_code == 200
        result = preview.context["result"]
        assert not result.has_validation_errors() and not result.has_errors()
        confirm = client.post(reverse("admin:actions_action_process_import"), preview.context["confirm_form"].initial)
        assert confirm.status_code == 302

        after = {action.pk: snapshot(action) for action in Action.objects.published().order_by("pk")}
        assert after == before
