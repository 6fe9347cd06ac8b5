"""Open-data exports of the public catalogue: CSV, XLSX and JSON of « these actions », streamed.

The rows are an `ActionFilterSet`'s actions (the list's query string: published actions only, the list's filters
and order). Every format has the fields of opendata/fields.py, under the same names, in the same order, with the
same values: CSV and XLSX one column per field, JSON an array of the records of the API. The columns include those
of the admin's import-export resource (`ActionResource`: id, titre, structure, structure_nom, departement, state,
then every fiche field, rendered by its widgets' rules); the admin import ignores the others: a CSV or XLSX export
re-imported through the admin gives the same actions. CSV cells that a spreadsheet would run as a formula are
escaped (opendata/cells.py), which the admin's CSV import undoes.

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

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from opendata import cells
from opendata.fields import (  # noqa: F401 - also imported from here
    CHUNK_SIZE,
    FIELDS,
    MANY_RELATED,
    NAMES,
    ONE_RELATED,
    VALUE_PATHS,
    absolute_url_maker,
    cell,
    fiche_rows,
    iso,
    record_maker,
    records,
    slug_path_maker,
)

PIECE_ROWS = 100  # rows encoded into each piece of a streamed body
SPOOL_MAX_SIZE = 5 * 1024 * 1024
FILENAME_STEM = "actions-centres-sociaux"
BOM = "\ufeff"

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_TYPE = "application/json; charset=utf-8"


def headers():
    return list(NAMES)


def rows(queryset, absolute_url=None):
    """One list of strings per action, in the order of `headers()` (not escaped: see `csv_chunks`)."""
    for values in records(queryset, absolute_url):
        yield [cell(value) for value in values.values()]


def column_docs():
    """[(column, meaning, format)] for the « Données ouvertes » page, from the field list: never out of date."""
    return [(field.name, field.description, field.kind) for field in FIELDS]


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
        writer.writerow(cells.escape_row(row))
        if count % PIECE_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def json_chunks(queryset, absolute_url):
    """A JSON array of action records, one per line, in pieces of PIECE_ROWS records."""
    parts = ["["]
    for count, values in enumerate(records(queryset, absolute_url)):
        parts.append(("," if count else "") + "\n" + json.dumps(values, ensure_ascii=False))
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
