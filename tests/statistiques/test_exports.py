import csv
import io

import pytest
from openpyxl import load_workbook

from statistiques.exports import safe_text, table_rows

PARAMS = {"mots_cles": "parentalite", "statut": "en-cours"}


def expected_rows(table):
    """The HTML table's rows, read from the page's own Table: région, code, name, counts…, total, structures."""
    rows = [
        ["Région", "Code du département", "Département"]
        + [column.label for column in table.columns]
        + ["Total", "Structures ayant au moins une action"]
    ]
    for group in table.groups:
        for row in group.rows:
            rows.append([group.name, row.code, row.name, *[cell.count for cell in row.all_cells]])
        rows.append([group.name, "", f"Total {group.name}", *[cell.count for cell in group.subtotal.all_cells]])
    rows.append(["", "", "France entière", *[cell.count for cell in table.total.all_cells]])
    return rows


@pytest.fixture
def table(client, catalogue):
    return client.get("/statistiques/", PARAMS).context["table"]


def tidy(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_csv_is_tidy_data_for_a_french_spreadsheet(client, table):
    """One row per département × dimension, no subtotal: summing the column counts each action once."""
    response = client.get("/statistiques/tableau.csv", PARAMS)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="actions-par-departement.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 only with it
    header, *rows = tidy(response.content)
    assert header == [
        "region",
        "region_nom",
        "departement",
        "departement_nom",
        "dimension",
        "dimension_libelle",
        "actions",
    ]
    assert len(rows) == 101 * len(table.columns)
    assert len({(row[2], row[4]) for row in rows}) == len(rows)  # each département × dimension once
    assert ["52", "Pays de la Loire", "49", "Maine-et-Loire", "citoyennete", "Citoyenneté", "1"] in rows
    assert sum(int(row[6]) for row in rows) == table.total.total.count
    expected = {
        (row.code, column.label): cell.count
        for row in table.departement_rows
        for column, cell in zip(table.columns, row.cells, strict=True)
    }
    assert {(row[2], row[5]): int(row[6]) for row in rows} == expected


def test_xlsx_has_the_same_rows_with_numbers_as_numbers(client, table):
    response = client.get("/statistiques/tableau.xlsx", PARAMS)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="actions-par-departement.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[("" if value is None else value) for value in row] for row in sheet.iter_rows(values_only=True)]
    assert rows == expected_rows(table)
    assert isinstance(sheet["D2"].value, int) and sheet["B2"].value == "01"  # codes stay text: « 01 », « 2A »
    assert sheet["A1"].font.b and sheet.freeze_panes == "D2"


def test_the_csv_follows_the_filters_and_drops_invalid_ones(client, catalogue):
    rows = tidy(client.get("/statistiques/tableau.csv").content)[1:]
    assert sum(int(row[6]) for row in rows) == 9
    filtered = tidy(client.get("/statistiques/tableau.csv", {"departement": ["ZZ", "49"]}).content)[1:]
    assert sum(int(row[6]) for row in filtered) == 4
    assert {row[2] for row in filtered if row[6] != "0"} == {"49"}


def test_labels_edited_in_the_back_office_cannot_become_formulas(catalogue):
    assert safe_text('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_text("-1") == "'-1" and safe_text("Culture") == "Culture" and safe_text(3) == 3


def test_rows_are_the_tables(table):
    assert table_rows(table) == expected_rows(table)
