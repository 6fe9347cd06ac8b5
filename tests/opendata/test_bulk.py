"""Bulk files, TableSchema and datapackage: generated from the field list, valid for frictionless."""

import json
from datetime import datetime
from pathlib import Path

import frictionless
import pytest
from django.core.management import call_command
from django.utils.http import parse_http_date
from frictionless.resources import TableResource

from actions.models import Action
from opendata import bulk, fields, schema
from tests.api.catalogue import build_catalogue, full_action

BULK = "/donnees-ouvertes/fichiers/actions-centres-sociaux"


@pytest.fixture
def catalogue(db, settings, tmp_path):
    settings.OPENDATA_ROOT = tmp_path / "donnees"
    return build_catalogue()


def publish(**options):
    call_command("publish_open_data", **{"sans_attendre": True, **options})


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def validate(path, table_schema=None):
    """frictionless's report on the file at `path` against the published TableSchema."""
    resource = TableResource(
        path=path.name,
        basepath=str(path.parent),
        schema=frictionless.Schema.from_descriptor(table_schema or schema.table_schema()),
        **({"encoding": "utf-8-sig"} if path.suffix == ".csv" else {}),
    )
    return frictionless.validate(resource)


def test_schema_is_the_field_list(client, catalogue):
    response = client.get("/donnees-ouvertes/schema.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    described = response.json()
    assert [field["name"] for field in described["fields"]] == fields.NAMES
    assert described["primaryKey"] == "id" and described["licenses"][0]["name"] == "etalab-2.0"
    assert frictionless.Schema.validate_descriptor(described).valid
    assert client.get("/donnees-ouvertes/schema.json", headers={"if_none_match": response["ETag"]}).status_code == 304


def test_bulk_files_written_once_per_catalogue_version(client, catalogue, capsys):
    assert client.get(f"{BULK}.csv").status_code == 404  # nothing before the first run
    publish()
    assert "version" in capsys.readouterr().out
    manifest = bulk.read_manifest()
    assert manifest["actions"] == 3 and set(manifest["files"]) == {"csv", "xlsx", "json"}
    root = Path(bulk.root())
    written = {name: (root / name).stat().st_mtime_ns for name in (f["name"] for f in manifest["files"].values())}

    publish()  # nothing changed: nothing written
    assert "à jour" in capsys.readouterr().out
    assert {name: (root / name).stat().st_mtime_ns for name in written} == written
    assert sorted(path.name for path in root.iterdir()) == sorted([*written, "manifest.json"])

    full_action("Nouvelle action", catalogue.structures.angers)
    Action.objects.filter(pk=catalogue.actions.atelier.pk).update(state=Action.State.ARCHIVEE)
    publish()
    again = bulk.read_manifest()
    assert again["version"] > manifest["version"] and again["actions"] == 3
    titles = {record["titre"] for record in json.loads((root / "actions-centres-sociaux.json").read_text())}
    assert titles == {"Jardin partagé", "Fête de quartier", "Nouvelle action"}


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
def test_bulk_files_are_valid_against_the_published_schema(client, catalogue, kind):
    full_action("=Formule ; - puce", catalogue.structures.angers, resume="-  L’enjeu\n- suite")
    publish()
    path = Path(bulk.root()) / f"actions-centres-sociaux.{kind}"
    report = validate(path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = TableResource(
        path=path.name, basepath=str(path.parent), schema=frictionless.Schema.from_descriptor(schema.table_schema())
    ).read_rows()
    published = set(Action.objects.published().values_list("pk", flat=True))
    assert len(rows) == 4 and {row["id"] for row in rows} == published


def test_on_request_exports_are_valid_against_the_schema(client, catalogue, tmp_path):
    for extension in ("csv", "xlsx", "json"):
        path = tmp_path / f"export.{extension}"
        path.write_bytes(body(client.get(f"/actions/export.{extension}?departement=49")))
        report = validate(path)
        assert report.valid, (extension, report.flatten(["rowNumber", "fieldName", "type", "note"]))


def test_bulk_files_are_served_with_their_date(client, catalogue):
    publish()
    manifest = bulk.read_manifest()
    response = client.get(f"{BULK}.csv")
    assert response.status_code == 200
    content = body(response)
    assert len(content) == manifest["files"]["csv"]["bytes"]
    day = manifest["generated_at"][:10]
    assert response["Content-Disposition"] == f'attachment; filename="actions-centres-sociaux-{day}.csv"'
    assert response["Cache-Control"] == "public, max-age=3600"
    last_modified = response["Last-Modified"]
    assert parse_http_date(last_modified) == int(datetime.fromisoformat(manifest["generated_at"]).timestamp())
    assert client.get(f"{BULK}.csv", headers={"if_none_match": response["ETag"]}).status_code == 304
    assert client.get(f"{BULK}.csv", headers={"if_modified_since": last_modified}).status_code == 304
    assert client.get("/donnees-ouvertes/fichiers/manifest.json").status_code == 404
    assert client.get("/donnees-ouvertes/fichiers/..%2Fsecret").status_code == 404


def test_datapackage_describes_the_bulk_files(client, catalogue, settings):
    assert client.get("/donnees-ouvertes/datapackage.json").json()["resources"] == []
    publish()
    package = client.get("/donnees-ouvertes/datapackage.json").json()
    assert package["licenses"][0]["name"] == "etalab-2.0" and package["contributors"]
    assert [resource["format"] for resource in package["resources"]] == ["csv", "xlsx", "json"]
    csv_resource = package["resources"][0]
    assert csv_resource["path"] == f"{settings.SITE_URL}{BULK}.csv"
    assert csv_resource["schema"] == f"{settings.SITE_URL}/donnees-ouvertes/schema.json"
    assert csv_resource["bytes"] == bulk.read_manifest()["files"]["csv"]["bytes"]
    assert frictionless.Package.validate_descriptor(package).valid


def test_open_data_page_lists_the_files_and_the_fields(client, catalogue):
    page = client.get("/donnees-ouvertes/").content.decode()
    assert "en cours de préparation" in page
    publish()
    page = client.get("/donnees-ouvertes/").content.decode()
    assert f'href="{BULK}.csv" download>CSV</a>' in page
    assert f'href="{BULK}.json" download>JSON</a>' in page
    assert "/donnees-ouvertes/schema.json" in page and "/donnees-ouvertes/datapackage.json" in page
    for field in fields.FIELDS:
        assert f"<code>{field.name}</code>" in page


def test_debounced_written_once_the_catalogue_is_quiet(client, catalogue, capsys, monkeypatch):
    publish(sans_attendre=False)  # no files yet: written at once
    first = bulk.read_manifest()
    full_action("Une", catalogue.structures.angers)
    publish(sans_attendre=False)
    assert "prochain passage" in capsys.readouterr().out and bulk.read_manifest() == first
    full_action("Deux", catalogue.structures.angers)  # still changing: wait again
    publish(sans_attendre=False)
    assert bulk.read_manifest() == first
    publish(sans_attendre=False)  # quiet since the last run: written
    assert bulk.read_manifest()["actions"] == 5
    assert not (Path(bulk.root()) / bulk.PENDING).exists()

    full_action("Trois", catalogue.structures.angers)
    publish(sans_attendre=False)
    monkeypatch.setattr(bulk, "MAX_WAIT", 0)  # changes that never stop still get their files, MAX_WAIT late
    full_action("Quatre", catalogue.structures.angers)
    publish(sans_attendre=False)
    assert bulk.read_manifest()["actions"] == 7


@pytest.mark.browser
def test_open_data_page_with_its_files_is_valid_html(client, catalogue, tmp_path):
    from tests.browser.conftest import run_vnu

    publish()
    documents = {"open-data": client.get("/donnees-ouvertes/").content.decode()}
    documents["statistiques"] = client.get("/statistiques/").content.decode()
    assert run_vnu(documents, tmp_path) == []
