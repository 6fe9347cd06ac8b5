"""The fiche import fuzzed end to end (parser, then loader on the real database).

Whatever the bytes: either the file imports, or the report carries errors with a line number and the database
is exactly as before (rows and content checksum of every catalogue table, history included). Never an uncaught
exception. Encodings: UTF-8, UTF-8 with BOM, CRLF, Windows-1252/Latin-1 (decoded with a warning), UTF-16
(refused with a message).

FUZZ_EXAMPLES scales the number of cases (default 20 per strategy here, each one a real import).
"""

import codecs
import hashlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.fiches import labels
from actions.fiches.loader import load_bytes
from actions.models import Action
from fcsf_actions.backup import catalogue_models, summary
from structures.models import Structure

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = (ROOT / "fixtures" / "fiches" / "actions-export-1.txt").read_text(encoding="utf-8")
LINES = SAMPLE.splitlines()
# The header and the first two fiches of the sample (as in test_fiche_parser.py).
HEAD = LINES[:114]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
LABEL_LINES = sorted(labels.LABELS | {labels.HEADER, labels.MARKER, labels.SEPARATOR})
JUNK_LINE = st.one_of(
    st.sampled_from(LABEL_LINES),
    st.sampled_from(["", "- ", "- En cours", "- A - B", "- Centre X - Atlantide", "Actions", "\t", "‮", "<script>"]),
    st.text(max_size=30),
)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-8-crlf", "cp1252", "latin-1"]


# What an import may write: every catalogue table but the référentiels (read only, and 70,000 rows to hash).
REFERENTIELS = {"structures.region", "structures.departement", "structures.commune", "structures.codepostal"}
WRITABLE = [model for model in catalogue_models() if model._meta.label_lower not in REFERENTIELS]


def database_state():
    """Rows and checksum of every table an import writes, the history of actions and structures included."""
    history = [
        hashlib.sha256(json.dumps(list(model.history.order_by("history_id").values_list()), default=str).encode())
        for model in (Action, Structure)
    ]
    return summary(models=WRITABLE), [digest.hexdigest() for digest in history]


def check_import(data, tried):
    """The property: imports, or refuses with located errors and leaves the database untouched."""
    tried.append(len(data))
    before = database_state()
    report = load_bytes(data, "fuzz.txt")
    if report.refused:
        assert all(error.line >= 1 and error.message.strip() for error in report.errors), report.errors
        assert all(str(error).startswith("fuzz.txt:") for error in report.errors)
        assert database_state() == before
    else:
        assert report.fiches >= 1
        assert report.created + report.updated + report.unchanged + report.conflicts == report.fiches
    return report


def encode(text, encoding):
    if encoding == "utf-8-crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    if encoding in ("cp1252", "latin-1"):
        return text.encode(encoding, errors="replace")
    return text.encode(encoding)


@pytest.fixture
def tried():
    tried = []
    yield tried
    if os.environ.get("FUZZ_REPORT"):
        print(f"\nimport fuzz: {len(tried)} cas")


@pytest.mark.django_db
class TestImportFuzz:
    @FUZZ
    @given(data=st.binary(max_size=4000))
    def test_random_bytes(self, tried, data):
        check_import(data, tried)

    @FUZZ
    @given(
        deleted=st.sets(st.integers(min_value=0, max_value=113), max_size=6),
        inserted=st.lists(st.tuples(st.integers(0, 113), JUNK_LINE), max_size=6),
        encoding=st.sampled_from(ENCODINGS),
    )
    def test_damaged_sample_in_any_encoding(self, tried, deleted, inserted, encoding):
        lines = [line for number, line in enumerate(HEAD) if number not in deleted]
        for position, line in inserted:
            lines.insert(position, line)
        check_import(encode("\n".join(lines) + "\n", encoding), tried)

    @FUZZ
    @given(
        flips=st.lists(st.tuples(st.integers(0, 20_000), st.integers(0, 255)), min_size=1, max_size=8),
        encoding=st.sampled_from(ENCODINGS),
    )
    def test_sample_with_flipped_bytes(self, tried, flips, encoding):
        data = bytearray(encode("\n".join(HEAD) + "\n", encoding))
        for position, value in flips:
            data[position % len(data)] = value
        check_import(bytes(data), tried)


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_each_encoding_of_the_sample_imports_the_same_fiches(encoding):
    report = check_import(encode("\n".join(HEAD) + "\n", encoding), [])
    assert not report.refused and report.created == 2, report.errors
    messages = " ".join(warning.message for warning in report.warnings)
    if encoding == "utf-8-sig":
        assert "BOM" in messages
    if encoding == "utf-8-crlf":
        assert "CRLF" in messages
    if encoding in ("cp1252", "latin-1"):
        assert "Windows-1252" in messages
    titles = set(Action.objects.values_list("titre", flat=True))
    assert "Local jeunes 16/25 ans : un lieu de sociabilité pour tous les jeunes adultes" in titles


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data,message",
    [
        (codecs.BOM_UTF16_LE + "\n".join(HEAD).encode("utf-16-le"), "UTF-16"),
        ("\n".join(HEAD).encode("utf-8").replace(b"Actions\n", b"Actions\x00\n", 1), "caractères nuls"),
        (b"PK\x03\x04" + bytes(range(256)) * 4, "UTF-8"),
    ],
    ids=["utf-16", "nul", "zip"],
)
def test_binary_or_unsupported_encodings_are_refused_with_a_message(data, message):
    report = check_import(data, [])
    assert report.refused
    assert message in " ".join(error.message for error in report.errors)
