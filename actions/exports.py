"""Open-data exports of the public catalogue: CSV, XLSX and JSON of « these actions », streamed.

The rows are an `ActionFilterSet`'s actions (the list's query string: published actions only, the list's filters
and order). Columns are those of the admin's import-export resource (`ActionResource`: id, titre, structure,
structure_nom, departement, state, then every fiche field in the fiche's order, rendered by its widgets' rules),
plus two read-only ones, `url` and `publiee_le`, that the admin import ignores: a CSV or XLSX export re-imported
through the admin gives the same actions. JSON is an array of `ActionRecords`, the objects of the API.

Memory stays flat and rows are cheap whatever their number (bench/export_memory.py): `fiche_rows` reads plain
values (no model instances) with `.iterator(chunk_size=CHUNK_SIZE)`, and each chunk's many-to-many labels with
one query per field: the query count depends on the number of chunks, never on the number of rows. CSV and JSON
are encoded chunk by chunk into a `StreamingHttpResponse`; XLSX is written by openpyxl in write-only mode into a
spooled temporary file (in memory up to SPOOL_MAX_SIZE, then on disk), then sent with `FileResponse`.
"""

import csv
import io
import json
import tempfile
from collections import defaultdict
from itertools import islice

from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from import_export.widgets import ForeignKeyWidget, ManyToManyWidget
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from actions.admin import ActionResource
from actions.models import FICHE_FIELDS, Action

CHUNK_SIZE = 500  # actions read from the database at a time
PIECE_ROWS = 100  # rows encoded into each piece of a streamed body
SPOOL_MAX_SIZE = 5 * 1024 * 1024
FILENAME_STEM = "actions-centres-sociaux"
BOM = "\ufeff"

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_TYPE = "application/json; charset=utf-8"

EXTRA_COLUMNS = ["url", "publiee_le"]


def _fiche_fields(kind):
    fields = [Action._meta.get_field(name) for name in FICHE_FIELDS]
    if kind == "many":
        return [field.name for field in fields if field.many_to_many]
    if kind == "one":
        return [field.name for field in fields if field.many_to_one]
    return [field.name for field in fields if not field.is_relation]


MANY_RELATED = _fiche_fields("many")
ONE_RELATED = _fiche_fields("one")
STRUCTURE_PATHS = [
    "structure__slug",
    "structure__nom",
    "structure__departement__code",
    "structure__departement__nom",
    "structure__departement__region__code",
    "structure__departement__region__nom",
]
# Every value a row or a record reads, in one query: the action's own columns and its one-to-many labels.
VALUE_PATHS = [
    *["id", "slug", "titre", "state", "published_at", "updated_at", *STRUCTURE_PATHS],
    *_fiche_fields("text"),
    *(f"{name}__{key}" for name in ONE_RELATED for key in ("slug", "libelle")),
]


def fiche_rows(queryset, chunk_size=None):
    """One dict per action of `queryset`, in its order: VALUE_PATHS, and each many-to-many field as a list of
    (slug, libelle) in the vocabulary's order. 1 + len(MANY_RELATED) queries per chunk of `chunk_size` actions."""
    chunk_size = chunk_size or CHUNK_SIZE
    values = queryset.values(*VALUE_PATHS).iterator(chunk_size=chunk_size)
    while chunk := list(islice(values, chunk_size)):
        ids = [row["id"] for row in chunk]
        for name in MANY_RELATED:
            field = Action._meta.get_field(name)
            target = field.m2m_reverse_field_name()
            ordering = [f"{target}__{key}" for key in field.related_model._meta.ordering] + [target]
            links = defaultdict(list)
            for action_id, slug, libelle in (
                field.remote_field.through.objects.filter(action_id__in=ids)
                .order_by(*ordering)
                .values_list("action_id", f"{target}__slug", f"{target}__libelle")
            ):
                links[action_id].append((slug, libelle))
            for row in chunk:
                row[name] = links.get(row["id"], [])
        yield from chunk


def absolute_url_maker(request):
    """path → absolute URL, on the request's scheme and host (computed once, not per row)."""
    root = request.build_absolute_uri("/").rstrip("/")
    return lambda path: root + path


def slug_path_maker(url_name):
    """slug → the path of `url_name` for that slug, reversing the URL once rather than once per row."""
    head, tail = reverse(url_name, kwargs={"slug": "SLUG"}).split("SLUG")
    return lambda slug: f"{head}{slug}{tail}"


def iso(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


# ── columns (CSV, XLSX) ────────────────────────────────────────────────────────────────────────────────────


def headers():
    return [*ActionResource().get_export_headers(), *EXTRA_COLUMNS]


def _text(value):
    return "" if value is None else str(value)


def _resource_cell(field):
    """row → the cell `field` of the admin's resource writes, by its widget's rule, from a `fiche_rows` dict
    (tests/actions/test_exports.py checks that the two agree on every column)."""
    widget = field.widget
    if isinstance(widget, ManyToManyWidget):
        name, position = field.attribute, {"slug": 0, "libelle": 1}[widget.field]
        return lambda row: widget.separator.join(entry[position] for entry in row[name])
    path = f"{field.attribute}__{widget.field}" if isinstance(widget, ForeignKeyWidget) else field.attribute
    return lambda row: _text(row[path])


def rows(queryset, absolute_url=None):
    """One list of strings per action, in the order of `headers()`."""
    absolute_url = absolute_url or (lambda path: path)
    action_path = slug_path_maker("actions:detail")
    cells = [_resource_cell(field) for field in ActionResource().get_export_fields()]
    cells.append(lambda row: absolute_url(action_path(row["slug"])))
    cells.append(lambda row: iso(row["published_at"]) or "")
    for row in fiche_rows(queryset):
        yield [cell(row) for cell in cells]


def column_docs():
    """[(column, meaning, format)] for the « Données ouvertes » page, from the model: never out of date."""
    meanings = {
        "id": ("numéro de l’action dans le catalogue", "nombre entier"),
        "titre": ("titre de la fiche", "texte"),
        "structure": ("identifiant de la structure organisatrice (celui de son adresse sur le site)", "texte"),
        "structure_nom": ("nom de la structure organisatrice", "texte"),
        "departement": ("code INSEE du département de la structure", "texte, p. ex. 49, 2A, 971"),
        "state": ("état de publication : toujours « publiee » dans les données ouvertes", "texte"),
        "url": ("adresse de la fiche sur le site", "URL"),
        "publiee_le": ("date de première publication", "date et heure ISO 8601"),
    }
    docs = []
    for column in headers():
        if column in meanings:
            meaning, kind = meanings[column]
        else:
            field = Action._meta.get_field(column)
            meaning = str(field.verbose_name)
            if field.many_to_many:
                kind = f"libellés de la liste « {field.related_model._meta.verbose_name_plural} », séparés par « ; »"
            elif field.is_relation:
                kind = f"un libellé de la liste « {field.related_model._meta.verbose_name_plural} »"
            else:
                kind = "texte libre (retours à la ligne conservés)"
        docs.append((column, meaning[:1].upper() + meaning[1:], kind))
    return docs


# ── records (JSON, API) ────────────────────────────────────────────────────────────────────────────────────


class ActionRecords:
    """`ActionRecords(absolute_url)(row)`: an action (a `fiche_rows` dict) as open data, for JSON and the API.

    Identity first, then every fiche field in the fiche's order, then the dates. Lists are {slug, libelle}
    objects (the slug is the value of the list's filter parameter); free text is kept as written.
    `absolute_url(path)` makes the links absolute; the URLs are reversed once, not once per action."""

    def __init__(self, absolute_url):
        self.absolute_url = absolute_url
        self.action_path = slug_path_maker("actions:detail")
        self.structure_path = slug_path_maker("structures:structure")

    def __call__(self, row):
        record = {
            "slug": row["slug"],
            "titre": row["titre"],
            "url": self.absolute_url(self.action_path(row["slug"])),
            "structure": {
                "slug": row["structure__slug"],
                "nom": row["structure__nom"],
                "url": self.absolute_url(self.structure_path(row["structure__slug"])),
            },
            "departement": {"code": row["structure__departement__code"], "nom": row["structure__departement__nom"]},
            "region": {
                "code": row["structure__departement__region__code"],
                "nom": row["structure__departement__region__nom"],
            },
        }
        for name in FICHE_FIELDS:
            if name in MANY_RELATED:
                record[name] = [{"slug": slug, "libelle": libelle} for slug, libelle in row[name]]
            elif name in ONE_RELATED:
                slug = row[f"{name}__slug"]
                record[name] = None if slug is None else {"slug": slug, "libelle": row[f"{name}__libelle"]}
            else:
                record[name] = row[name]
        record["publiee_le"] = iso(row["published_at"])
        record["modifiee_le"] = iso(row["updated_at"])
        return record


# ── responses ──────────────────────────────────────────────────────────────────────────────────────────────


def filename(extension):
    return f"{FILENAME_STEM}-{timezone.localdate().isoformat()}.{extension}"


def _attachment(response, extension):
    response["Content-Disposition"] = f'attachment; filename="{filename(extension)}"'
    response["X-Robots-Tag"] = "noindex"
    return response


def csv_chunks(queryset, absolute_url=None):
    """The CSV file in pieces of PIECE_ROWS rows, UTF-8 with a BOM (spreadsheets then read the accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(headers())
    for count, row in enumerate(rows(queryset, absolute_url), start=1):
        writer.writerow(row)
        if count % PIECE_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def json_chunks(queryset, absolute_url):
    """A JSON array of action records, one per line, in pieces of PIECE_ROWS records."""
    record = ActionRecords(absolute_url)
    parts = ["["]
    for count, row in enumerate(fiche_rows(queryset)):
        parts.append(("," if count else "") + "\n" + json.dumps(record(row), ensure_ascii=False))
        if len(parts) >= PIECE_ROWS:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")


def _xlsx_cell(sheet, value):
    # openpyxl refuses control characters, which a pasted text may hold (they carry nothing), and would turn a
    # text starting with « = » into a formula: it stays text.
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def xlsx_file(queryset, absolute_url=None):
    """The workbook in a spooled temporary file, positioned at its start: openpyxl's write-only mode keeps one
    row at a time in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    sheet.append(headers())
    for row in rows(queryset, absolute_url):
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_SIZE)
    workbook.save(file)
    file.seek(0)
    return file


def csv_response(queryset, request):
    response = StreamingHttpResponse(csv_chunks(queryset, absolute_url_maker(request)), content_type=CSV_TYPE)
    return _attachment(response, "csv")


def json_response(queryset, request):
    response = StreamingHttpResponse(json_chunks(queryset, absolute_url_maker(request)), content_type=JSON_TYPE)
    return _attachment(response, "json")


def xlsx_response(queryset, request):
    file = xlsx_file(queryset, absolute_url_maker(request))
    response = FileResponse(file, as_attachment=True, filename=filename("xlsx"), content_type=XLSX_TYPE)
    response["X-Robots-Tag"] = "noindex"
    return response
