"""Spreadsheet-dangerous cells: the one policy of every CSV the site writes, and its reverse for the importers.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (a tab or a carriage return first
can hide such a start), so a fiche's « - L’enjeu… » bullet shows as #NAME?, and a malicious text could run a
command (« CSV injection », OWASP). Policy, as OWASP advises: in a CSV, a text cell that starts with one of
DANGEROUS_STARTS gets a single quote (') in front of it; a spreadsheet then shows it as text. So that the rule can
be undone exactly, a cell made of quotes followed by a dangerous character gets one more quote too
(« '=x » is written « ''=x »). Every other cell is written as it is.

The importers of CSV files (admin import of actions and structures) remove that one quote again, and only from
such cells: an exported file re-imports unchanged. XLSX and JSON need nothing: a workbook cell of type text is
never a formula, and JSON is not opened by spreadsheets.
"""

import re

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

_ESCAPED = re.compile(r"'+[=+\-@\t\r]")
_TO_ESCAPE = re.compile(r"'*[=+\-@\t\r]")


def escape(value):
    """The cell as a CSV writes it: `value` with a quote in front if a spreadsheet would read it as a formula."""
    if isinstance(value, str) and _TO_ESCAPE.match(value):
        return QUOTE + value
    return value


def unescape(value):
    """The reverse of `escape`: the cell as it was before export."""
    if isinstance(value, str) and _ESCAPED.match(value):
        return value[1:]
    return value


def escape_row(row):
    return [escape(value) for value in row]


def is_dangerous(value):
    """True for a cell a spreadsheet would run (what no CSV of the site may hold)."""
    return isinstance(value, str) and value.startswith(DANGEROUS_STARTS)


def _map_cells(dataset, function):
    """`dataset` (tablib) with `function` applied to each of its cells, headers kept."""
    import tablib

    mapped = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        mapped.append([function(value) for value in row])
    return mapped


def import_export_csv():
    """django-import-export's CSV format following this policy: (export format, import format). The import one
    reads the file as bytes: a text-mode read would turn a carriage return inside a cell into a line feed."""
    from import_export.formats.base_formats import CSV

    class SafeCSV(CSV):
        def export_data(self, dataset, **kwargs):
            return super().export_data(_map_cells(dataset, escape), **kwargs)

        def create_dataset(self, in_stream, **kwargs):
            if isinstance(in_stream, bytes):
                in_stream = in_stream.decode(self.encoding or "utf-8-sig")
            return _map_cells(super().create_dataset(in_stream, **kwargs), unescape)

    class SafeCSVImport(SafeCSV):
        def is_binary(self):
            return True

        def get_read_mode(self):
            return "rb"

    for format_class in (SafeCSV, SafeCSVImport):
        format_class.__name__ = format_class.__qualname__ = "CSV"  # the name the admin's format list shows
    return SafeCSV, SafeCSVImport


SafeCSV, SafeCSVImport = import_export_csv()
