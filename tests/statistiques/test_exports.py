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


def test_csv_is_the_table_for_a_french_spreadsheet(client, table):
    response = client.get("/statistiques/tableau.csv", PARAMS)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="actions-par-departement.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 only with it
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    expected = expected_rows(table)
    assert rows == [[str(value) for value in row] for row in expected]
    assert len(rows) == 1 + 101 + 18 + 1
    assert rows[0][3:6] == ["Citoyenneté", "Services", "Accompagnement de projets"]
    assert ["Pays de la Loire", "49", "Maine-et-Loire", "1", "0", "0", "1", "1"] in rows
    assert rows[-1] == ["", "", "France entière", "2", "1", "0", "3", "3"]


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
    content = client.get("/statistiques/tableau.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[-1][2:] == ["France entière", "4", "2", "2", "1", "9", "5"]
    filtered = client.get("/statistiques/tableau.csv", {"departement": ["ZZ", "49"]}).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(filtered), delimiter=";"))[-1][-2:] == ["4", "2"]


def test_labels_edited_in_the_back_office_cannot_become_formulas(catalogue):
    assert safe_text('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_text("-1") == "'-1" and safe_text("Culture") == "Culture" and safe_text(3) == 3


def test_rows_are_the_tables(table):
    assert table_rows(table) == expected_rows(table)
