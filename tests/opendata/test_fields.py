"""One field list for every format: the records carry the identifier, the dates, the INSEE code and the SIRET."""

import csv
import io
import json

import jsonschema
import pytest

from opendata import fields
from structures.models import Structure
from tests.api.catalogue import build_catalogue
from tests.structures.factories import commune

SIRET = "77567227221138"


@pytest.fixture
def catalogue(db):
    catalogue = build_catalogue()
    Structure.objects.filter(pk=catalogue.structures.angers.pk).update(siret=SIRET, commune=commune("49007"))
    return catalogue


def test_every_format_has_the_same_record(client, catalogue):
    jardin = catalogue.actions.jardin
    api = client.get(f"/api/actions/{jardin.slug}/").json()
    exported = json.loads(b"".join(client.get("/actions/export.json").streaming_content))
    from_json = next(record for record in exported if record["id"] == jardin.pk)
    text = b"".join(client.get("/actions/export.csv").streaming_content).decode("utf-8-sig")
    from_csv = next(row for row in csv.DictReader(io.StringIO(text, newline="")) if row["id"] == str(jardin.pk))
    assert api == from_json
    assert list(from_csv) == list(api) == fields.NAMES
    assert api["structure_siret"] == SIRET and api["structure_commune_insee"] == "49007"
    assert api["structure_commune"] == "Angers" and from_csv["structure_commune_insee"] == "49007"
    atelier = next(record for record in exported if record["id"] == catalogue.actions.atelier.pk)
    assert atelier["structure_siret"] is None and atelier["structure_commune_insee"] is None
    for record in exported:
        jsonschema.validate(record, fields.json_schema())


def test_api_structures_carry_siret_and_insee_code(client, catalogue):
    angers = client.get(f"/api/structures/{catalogue.structures.angers.slug}/").json()
    assert angers["siret"] == SIRET and angers["commune_insee"] == "49007" and angers["commune"] == "Angers"
    le_mans = client.get(f"/api/structures/{catalogue.structures.le_mans.slug}/").json()
    assert le_mans["siret"] is None and le_mans["commune_insee"] is None


def test_the_open_data_page_lists_the_fields_from_the_code(client, db):
    page = client.get("/donnees-ouvertes/").content.decode()
    assert f"Les {len(fields.FIELDS)} colonnes" in page
    for field in fields.FIELDS:
        assert f"<code>{field.name}</code>" in page
