"""The TableSchema of the actions and the datapackage of the bulk files, generated from the field list
(opendata/fields.py), in the style of schema.data.gouv.fr (https://specs.frictionlessdata.io/)."""

from django.conf import settings
from django.urls import reverse

from opendata import fields

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
PRODUCER = "Fédération des centres sociaux et socioculturels de France"
PRODUCER_WEBSITE = "https://www.centres-sociaux.fr/"
TITLE = "Actions des centres sociaux et espaces de vie sociale"
DESCRIPTION = (
    "Les fiches action publiées des centres sociaux et des espaces de vie sociale : une ligne par action, "
    "mêmes champs dans tous les formats (CSV, XLSX, JSON, API)."
)
UPDATE_FREQUENCY = "Fichiers complets régénérés quelques minutes après chaque changement du catalogue."


def site_url(path):
    return settings.SITE_URL.rstrip("/") + path


def producer_contact():
    """Who answers reusers, in the OpenAPI `info.contact` shape."""
    contact = {"name": PRODUCER, "url": PRODUCER_WEBSITE}
    if settings.OPENDATA_CONTACT:
        contact["email"] = settings.OPENDATA_CONTACT
    return contact


def contributors():
    contact = {"title": PRODUCER, "role": "author"}
    contact["path"] = site_url(reverse("actions:open_data"))
    if settings.OPENDATA_CONTACT:
        contact["email"] = settings.OPENDATA_CONTACT
    return [contact]


def table_schema():
    return {
        "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
        "name": "actions-centres-sociaux",
        "title": TITLE,
        "description": DESCRIPTION,
        "homepage": site_url(reverse("actions:open_data")),
        "path": site_url(reverse("opendata:schema")),
        "licenses": [LICENCE],
        "contributors": contributors(),
        "fields": [field.table_schema() for field in fields.FIELDS],
        "primaryKey": fields.PRIMARY_KEY,
        "missingValues": [""],
    }


def datapackage(manifest):
    """The datapackage.json of the bulk files described by `manifest` (opendata/bulk.py), none before the first
    `publish_open_data`."""
    resources = []
    for kind in manifest.get("files", {}) if manifest else {}:
        file = manifest["files"][kind]
        resource = {
            "name": f"actions-{kind}",
            "title": f"{TITLE} ({kind.upper()})",
            "path": site_url(reverse("opendata:bulk_file", kwargs={"name": file["name"]})),
            "format": kind,
            "mediatype": file["mediatype"],
            "bytes": file["bytes"],
            "hash": f"sha256:{file['sha256']}",
            "schema": site_url(reverse("opendata:schema")),
        }
        if kind == "csv":
            resource["encoding"] = "utf-8-sig"
            resource["dialect"] = {"delimiter": ",", "doubleQuote": True, "header": True}
        if kind != "xlsx":
            resource["encoding"] = resource.get("encoding", "utf-8")
        resources.append(resource)
    package = {
        "name": "actions-centres-sociaux",
        "title": TITLE,
        "description": f"{DESCRIPTION} {UPDATE_FREQUENCY}",
        "homepage": site_url(reverse("actions:open_data")),
        "licenses": [LICENCE],
        "contributors": contributors(),
        "keywords": ["centres sociaux", "espaces de vie sociale", "actions", "animation de la vie sociale"],
        "resources": resources,
    }
    if manifest:
        package["version"] = str(manifest["version"])
        package["created"] = manifest["generated_at"]
    return package
