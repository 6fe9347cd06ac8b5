"""The open data's own addresses: the bulk files, the TableSchema and the datapackage."""

import hashlib
import json

from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from opendata import bulk, schema

BULK_CACHE_CONTROL = "public, max-age=3600"
SCHEMA_CACHE_CONTROL = "public, max-age=86400"
JSON_TYPE = "application/json; charset=utf-8"


def _json(request, data, control):
    content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(content, content_type=JSON_TYPE)
    response["ETag"] = etag
    response["Cache-Control"] = control
    response["Access-Control-Allow-Origin"] = "*"
    return response


FORMATS = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON"}


def bulk_files():
    """[{format, url, name, bytes, generated_at}] of the current bulk files, for the « Données ouvertes » page."""
    manifest = bulk.read_manifest()
    if not manifest:
        return []
    generated_at = parse_datetime(manifest["generated_at"])
    return [
        {
            "format": FORMATS[kind],
            "url": reverse("opendata:bulk_file", kwargs={"name": file["name"]}),
            "name": file["name"],
            "bytes": file["bytes"],
            "generated_at": generated_at,
            "actions": manifest["actions"],
        }
        for kind, file in manifest["files"].items()
    ]


@require_safe
def table_schema(request):
    return _json(request, schema.table_schema(), SCHEMA_CACHE_CONTROL)


@require_safe
def datapackage(request):
    return _json(request, schema.datapackage(bulk.read_manifest()), BULK_CACHE_CONTROL)


@require_safe
def bulk_file(request, name):
    found = bulk.file_path(name)
    if found is None:
        raise Http404("Ce fichier n’existe pas (encore) : la liste des fichiers est sur /donnees-ouvertes/.")
    path, kind, file, manifest = found
    generated_at = parse_datetime(manifest["generated_at"])
    etag = f'"{file["sha256"][:32]}"'
    last_modified = int(generated_at.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        try:
            handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
        except FileNotFoundError as error:
            raise Http404("Ce fichier est en cours de régénération : réessayez dans une minute.") from error
        stem, extension = name.rsplit(".", 1)
        download = f"{stem}-{generated_at.date().isoformat()}.{extension}"
        response = FileResponse(handle, as_attachment=True, filename=download, content_type=file["mediatype"])
        response["X-Robots-Tag"] = "noindex"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = BULK_CACHE_CONTROL
    response["Access-Control-Allow-Origin"] = "*"
    return response
