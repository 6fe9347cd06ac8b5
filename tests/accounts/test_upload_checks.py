"""Files uploaded to the admin are checked before they are read: a bad one is refused with a French message and
changes nothing (fiche text import, CSV/XLSX imports of django-import-export)."""

import io
import zipfile

import pytest
import tablib

from actions.models import Action
from tests.accounts.test_fiche_import_admin import one_fiche
from tests.accounts.test_fiche_import_admin import upload as upload_fiche
from tests.accounts.test_import_export import CSV_FORMAT, XLSX_FORMAT, action_csv
from tests.accounts.test_import_export import upload as upload_table

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def zip_bytes(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb():
    """A few hundred KB that unpack to 60 MB, dressed as a workbook."""
    return zip_bytes(
        {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>", "xl/big.xml": "0" * (60 << 20)}
    )


@pytest.fixture
def federation(world, client):
    client.force_login(world.users.fed49)
    return client


def form_errors(response, form="form"):
    return " ".join(str(error) for errors in response.context[form].errors.values() for error in errors)


@pytest.mark.parametrize(
    "content,expected",
    [
        (PDF, "est un PDF, pas l’export texte des fiches"),
        (zip_bytes({"fiches.txt": "Actions"}), "est une archive ZIP"),
        (PNG, "est une image PNG"),
        (b"Les actions des centres sociaux\n\x00\x00\x00binaire", "contient des octets nuls"),
    ],
    ids=["pdf", "zip", "png", "nul"],
)
def test_fiche_import_refuses_what_is_not_text(federation, content, expected):
    actions = Action.objects.count()
    response = upload_fiche(federation, content, name="export.txt")
    assert response.status_code == 200
    assert expected in form_errors(response)
    assert "report" not in response.context
    assert Action.objects.count() == actions and "fiche_import" not in federation.session


def test_fiche_import_size_and_extension(federation):
    big = one_fiche().encode() + b"x" * (5 * 1024 * 1024)
    assert "plus de 5 Mo" in form_errors(upload_fiche(federation, big))
    assert "Choisissez un fichier .txt" in form_errors(upload_fiche(federation, one_fiche(), name="export.docx"))


def test_fiche_import_in_utf16_is_explained(federation):
    response = upload_fiche(federation, "\ufeff".encode("utf-16-le") + one_fiche().encode("utf-16-le"))
    assert response.context["report"].refused
    assert "UTF-16" in response.content.decode()
    assert "fiche_import" not in federation.session


@pytest.mark.parametrize(
    "content,name,file_format,expected",
    [
        (PDF, "import.csv", CSV_FORMAT, "est un PDF, pas un fichier CSV"),
        (b"id,titre\n1,\x00\x00", "import.csv", CSV_FORMAT, "contient des octets nuls"),
        ("id,titre\n", "import.xlsx", CSV_FORMAT, "n’a pas l’extension attendue (.csv)"),
        (b"id,titre\n,Un titre\n", "import.xlsx", XLSX_FORMAT, "n’est pas un classeur XLSX"),
        (zip_bytes({"a.txt": "rien"}), "import.xlsx", XLSX_FORMAT, "est une archive ZIP, pas un classeur XLSX"),
        (b"PK\x03\x04 tronque", "import.xlsx", XLSX_FORMAT, "classeur XLSX abîmé"),
        (zip_bomb(), "import.xlsx", XLSX_FORMAT, "se décompresse en 60,0 Mo"),
    ],
    ids=["pdf-as-csv", "nul-csv", "csv-named-xlsx", "text-as-xlsx", "zip-not-xlsx", "broken-zip", "zip-bomb"],
)
def test_table_import_refuses_bad_files(federation, content, name, file_format, expected):
    actions = Action.objects.count()
    response = upload_table(federation, "actions_action", content, name=name, file_format=file_format)
    assert response.status_code == 200
    assert expected in form_errors(response), form_errors(response)
    assert "result" not in response.context or response.context["result"] is None
    assert Action.objects.count() == actions


def test_table_import_size_limit(federation):
    rows = [f",Action {number},centre,publiee,{'x' * 1000},," for number in range(5300)]
    response = upload_table(federation, "actions_action", action_csv(None, *rows))
    assert "fait 5,2 Mo, plus que les 5,0 Mo acceptés : découpez-le" in form_errors(response)


def test_good_files_still_import(federation, world):
    good = action_csv(world, f",Action valable,{world.structures.neighbour.slug},publiee,Un résumé.,Citoyenneté,")
    assert not upload_table(federation, "actions_action", good).context["result"].has_validation_errors()
    dataset = tablib.Dataset(headers=["id", "titre", "structure", "state", "resume", "dimension"])
    dataset.append(["", "Depuis Excel", world.structures.mine.slug, "soumise", "Un résumé.", "Citoyenneté"])
    xlsx = upload_table(federation, "actions_action", dataset.export("xlsx"), name="i.xlsx", file_format=XLSX_FORMAT)
    assert not xlsx.context["result"].has_validation_errors()
