"""Checks of files uploaded to the back-office, before anything reads them: size, extension, real content.

A refused file gets a French message saying what it is and what to send instead; nothing is written. Used by
the fiche text import (actions/admin.py) and the CSV/XLSX imports of django-import-export (every admin with
`ScopedImportExportMixin`).
"""

import zipfile

from django.core.exceptions import ValidationError
from import_export.forms import ImportForm

MAX_UPLOAD_SIZE = 5 * 1024 * 1024
# An XLSX is a zip archive: its content once unpacked is bounded too (a "zip bomb" is a few KB that unpack to GB).
MAX_XLSX_UNPACKED = 50 * 1024 * 1024
SNIFF_SIZE = 8192

SIGNATURES = [
    (b"PK\x03\x04", "une archive ZIP (ou un document Word, Excel, LibreOffice)"),
    (b"%PDF", "un PDF"),
    (b"\xd0\xcf\x11\xe0", "un ancien document Word ou Excel (.doc, .xls)"),
    (b"\x89PNG", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
    (b"GIF8", "une image GIF"),
    (b"\x1f\x8b", "une archive gzip"),
    (b"{\\rtf", "un document RTF"),
]
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def human_size(size):
    return f"{size / 1024 / 1024:.1f} Mo".replace(".", ",")


def check_size(upload, limit=MAX_UPLOAD_SIZE):
    if upload.size > limit:
        raise ValidationError(
            f"« {upload.name} » fait {human_size(upload.size)}, plus que les {human_size(limit)} acceptés : "
            "découpez-le en plusieurs fichiers."
        )


def check_extension(upload, extensions):
    if not upload.name.lower().endswith(tuple(extensions)):
        raise ValidationError(
            f"« {upload.name} » n’a pas l’extension attendue ({', '.join(extensions)}) : choisissez le bon fichier."
        )


def head(upload):
    upload.seek(0)
    data = upload.read(SNIFF_SIZE)
    upload.seek(0)
    return data


def check_text(upload, expected="un fichier texte"):
    """Refuses what is not text, by its first bytes: binary formats, NUL bytes (UTF-16 is left to the parser,
    whose message says how to convert it)."""
    data = head(upload)
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            raise ValidationError(
                f"« {upload.name} » est {kind}, pas {expected} : enregistrez les données au bon format "
                "puis recommencez."
            )
    if b"\x00" in data and not data.startswith(UTF16_BOMS):
        raise ValidationError(
            f"« {upload.name} » contient des octets nuls : ce n’est pas {expected}. "
            "Enregistrez-le en texte UTF-8 puis recommencez."
        )


def check_xlsx(upload):
    """A real XLSX: a zip archive holding a workbook, whose unpacked size is bounded."""
    if not head(upload).startswith(b"PK\x03\x04"):
        raise ValidationError(
            f"« {upload.name} » n’est pas un classeur XLSX : enregistrez-le depuis votre tableur au format "
            "« Classeur Excel (.xlsx) » ou choisissez le format CSV."
        )
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValidationError(
            f"« {upload.name} » est un classeur XLSX abîmé ({error}) : enregistrez-le de nouveau."
        ) from error
    finally:
        upload.seek(0)
    if "xl/workbook.xml" not in names:
        raise ValidationError(f"« {upload.name} » est une archive ZIP, pas un classeur XLSX.")
    if unpacked > MAX_XLSX_UNPACKED:
        raise ValidationError(
            f"« {upload.name} » se décompresse en {human_size(unpacked)}, plus que les "
            f"{human_size(MAX_XLSX_UNPACKED)} acceptés : découpez-le ou utilisez le format CSV."
        )


class CheckedImportForm(ImportForm):
    """django-import-export's import form, with the file checked against the chosen format before it is read."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.formats = formats

    def clean(self):
        cleaned = super().clean()
        upload, choice = cleaned.get("import_file"), cleaned.get("format")
        if upload is None or choice in (None, ""):
            return cleaned
        file_format = self.formats[int(choice)]
        extension = f".{file_format().get_extension()}"
        try:
            check_size(upload)
            check_extension(upload, [extension])
            if extension == ".xlsx":
                check_xlsx(upload)
            else:
                check_text(upload, f"un fichier {extension[1:].upper()}")
        except ValidationError as error:
            self.add_error("import_file", error)
        return cleaned
