import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fcsf_actions.text import fold, normalize_label


def fold_by_definition(text):
    """What `fold` computes, written the plain way: decompose, drop the combining marks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(str.maketrans({"œ": "oe", "æ": "ae"})))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@pytest.mark.parametrize(
    "a,b",
    [
        ("Val d'Oise", "VAL-D’OISE"),
        ("Val d'Oise", "val doise"),
        ("Maine-et-Loire", "Maine et Loire"),
        ("familles", "Familles"),
        ("éducation / scolarité", "Education / Scolarite"),
        ("Cœur de ville", "coeur de ville"),
    ],
)
def test_same_key(a, b):
    assert normalize_label(a) == normalize_label(b)


@pytest.mark.parametrize("a,b", [("Savoie", "Haute-Savoie"), ("Emploi, économie", "Emploi")])
def test_different_key(a, b):
    assert normalize_label(a) != normalize_label(b)


def test_fold_keeps_spaces_and_punctuation():
    assert fold("Châtaigne Œuvre, l’été") == "chataigne oeuvre, l’ete"


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(max_codepoint=0x3000)))
def test_fast_fold_is_the_unicode_decomposition(text):
    assert fold(text) == fold_by_definition(text)


def test_fold_of_combining_accents_and_wide_letters():
    assert fold("Cafe\u0301 ＡＢＣ") == "cafe abc"  # a separate accent; full-width letters take the slow path
