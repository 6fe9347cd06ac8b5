"""The département × dimension table as files: CSV as tidy data, XLSX as the page's table.

CSV: tidy data, one row per département × dimension (every département, zero counts included), no subtotal and
no total, so that summing a column counts each action once: `region`, `region_nom`, `departement`,
`departement_nom`, `dimension` (the slug, the value of the list's filter; empty for « not filled in »),
`dimension_libelle`, `actions`. Labels that a spreadsheet would run as a formula are escaped (opendata/cells.py).
XLSX: the rows and columns of the page, subtotals and total included, numbers as numbers.

CSV: UTF-8 with a byte-order mark and `;` between fields, which is what a spreadsheet set to French opens
correctly by double-click (Excel uses the list separator of the locale, « ; » in French, and reads UTF-8 only with
the BOM; LibreOffice detects both). XLSX: one sheet, bold header and subtotals, header row frozen.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from opendata import cells

TIDY_HEADER = ["region", "region_nom", "departement", "departement_nom", "dimension", "dimension_libelle", "actions"]


def safe_text(value):
    """A label that a spreadsheet will not run as a formula (labels are editable in the back-office)."""
    return cells.escape(value)


def tidy_rows(table):
    """TIDY_HEADER, then one row per département × column of the table (dimensions, then « not filled in » if
    some action has no dimension)."""
    rows = [TIDY_HEADER]
    for group in table.groups:
        for row in group.rows:
            for column, cell in zip(table.columns, row.cells, strict=True):
                rows.append([group.code, group.name, row.code, row.name, column.slug or "", column.label, cell.count])
    return [cells.escape_row(row) for row in rows]


def table_rows(table):
    """Header, then for each région its départements and its subtotal, then the national total."""
    header = ["Région", "Code du département", "Département"]
    header += [column.label for column in table.columns] + ["Total", "Structures ayant au moins une action"]
    rows = [header]
    for group in table.groups:
        for row in [*group.rows, group.subtotal]:
            code = row.code if row.kind == "departement" else ""
            name = row.name if row.kind == "departement" else row.label
            rows.append([group.name, code, name, *_numbers(row)])
    rows.append(["", "", table.total.label, *_numbers(table.total)])
    return [[safe_text(value) for value in row] for row in rows]


def _numbers(row):
    return [cell.count for cell in [*row.cells, row.total, row.structures]]


def to_csv(table):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(tidy_rows(table))
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Actions par département"
    bold = Font(bold=True)
    rows = table_rows(table)
    for number, values in enumerate(rows, start=1):
        sheet.append(values)
        is_total = number > 1 and values[1] == ""
        if number == 1 or is_total:
            for cell in sheet[number]:
                cell.font = bold
    sheet.freeze_panes = "D2"
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 32
    workbook.properties.title = "Actions publiées par département et par dimension"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
