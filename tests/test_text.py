import pytest

from fcsf_actions.text import fold, normalize_label


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
