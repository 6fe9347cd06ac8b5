"""Spreadsheet-dangerous cells: one policy in every CSV, undone by the admin's CSV import (round trips)."""

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from actions.models import FICHE_FIELDS, Action
from opendata import cells
from structures.models import Structure
from tests.accounts.factories import federation_user
from tests.accounts.test_import_export import CSV_FORMAT, export, upload
from tests.api.catalogue import build_catalogue, full_action, snapshot
from tests.structures.factories import StructureFactory

STARTS = ["=", "+", "-", "@", "\t", "\r"]
TEXT_FIELDS = [name for name in FICHE_FIELDS if not Action._meta.get_field(name).is_relation]


def test_policy_examples():
    assert cells.escape('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert cells.escape("- L’enjeu") == "'- L’enjeu"
    assert cells.escape("\tx") == "'\tx" and cells.escape("\rx") == "'\rx"
    assert cells.escape("'=x") == "''=x"  # so that the reverse is exact
    assert cells.escape("'quoted'") == "'quoted'" and cells.escape("Culture") == "Culture"
    assert cells.escape(3) == 3 and cells.escape("") == ""
    assert cells.unescape("'- L’enjeu") == "- L’enjeu" and cells.unescape("''=x") == "'=x"
    assert cells.unescape("'quoted'") == "'quoted'"


@given(st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "a", " ", "\n"]), max_size=8))
def test_unescape_undoes_escape_and_nothing_dangerous_is_left(value):
    assert cells.unescape(cells.escape(value)) == value
    assert not cells.is_dangerous(cells.escape(value))


def csv_cells(content, delimiter=","):
    text = content.decode("utf-8-sig")
    return [value for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for value in row]


@pytest.fixture
def dangerous(db):
    """A published fiche (and its structure) whose every text starts with a dangerous character."""
    catalogue = build_catalogue()
    structure = catalogue.structures.angers
    Structure.objects.filter(pk=structure.pk).update(adresse="=1+2", telephone="")
    texts = {name: f"{STARTS[number % len(STARTS)]}{name} ; texte" for number, name in enumerate(TEXT_FIELDS)}
    action = full_action("-Titre à risque", structure, **texts)
    return catalogue, action


def test_no_csv_of_the_site_holds_a_dangerous_cell(client, dangerous):
    exported = b"".join(client.get("/actions/export.csv").streaming_content)
    assert "'-Titre à risque" in csv_cells(exported)
    assert not [value for value in csv_cells(exported) if cells.is_dangerous(value)]
    statistics = client.get("/statistiques/tableau.csv").content
    assert not [value for value in csv_cells(statistics, ";") if cells.is_dangerous(value)]
    client.force_login(federation_user(national=True))
    for model in ("actions_action", "structures_structure"):
        content = export(client, model, CSV_FORMAT).content
        assert not [value for value in csv_cells(content) if cells.is_dangerous(value)], model
    assert "'=1+2" in csv_cells(export(client, "structures_structure", CSV_FORMAT).content)


@pytest.mark.parametrize("source", ["public", "admin"])
def test_round_trip_of_dangerous_cells_through_the_admin_import(client, dangerous, source):
    """A fiche whose fields start with = + - @ tab CR, exported as CSV, re-imports unchanged."""
    _, action = dangerous
    before = {item.pk: snapshot(item) for item in Action.objects.published()}
    assert before[action.pk]["titre"] == "-Titre à risque"
    user = federation_user(national=True)
    client.force_login(user)
    if source == "public":
        exported = b"".join(client.get("/actions/export.csv").streaming_content)
    else:
        exported = export(client, "actions_action", CSV_FORMAT).content
    Action.objects.filter(pk=action.pk).update(titre="changé", resume="changé", limites="changé")

    preview = upload(client, "actions_action", exported, name="a.csv", file_format=CSV_FORMAT)
    result = preview.context["result"]
    assert not result.has_validation_errors() and not result.has_errors()
    confirm = client.post(reverse("admin:actions_action_process_import"), preview.context["confirm_form"].initial)
    assert confirm.status_code == 302
    after = {item.pk: snapshot(item) for item in Action.objects.published()}
    assert {key: value for key, value in after[action.pk].items() if value != before[action.pk][key]} == {}
    assert after == before
    assert Action.objects.get(pk=action.pk).titre == "-Titre à risque"


def test_round_trip_of_a_structure(client, db):
    structure = StructureFactory(nom="@Centre", adresse="+33 rue du Port")
    client.force_login(federation_user(national=True))
    exported = export(client, "structures_structure", CSV_FORMAT).content
    assert "'@Centre" in csv_cells(exported) and "commune_insee" in csv_cells(exported)
    Structure.objects.filter(pk=structure.pk).update(nom="changé", adresse="changé")
    preview = upload(client, "structures_structure", exported, name="s.csv", file_format=CSV_FORMAT)
    assert not preview.context["result"].has_validation_errors()
    client.post(reverse("admin:structures_structure_process_import"), preview.context["confirm_form"].initial)
    structure.refresh_from_db()
    assert (structure.nom, structure.adresse) == ("@Centre", "+33 rue du Port")
