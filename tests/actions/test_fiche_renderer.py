"""Renderer of the fiche-action text export: exact output, optional labels, round trips."""

import ast
import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.fiches import labels
from actions.fiches.parser import Fiche, _resembles, parse
from actions.fiches.renderer import render_fiche, render_file

SAMPLE_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "fiches" / "actions-export-1.txt"
SAMPLE = SAMPLE_PATH.read_text(encoding="utf-8")
LINES = SAMPLE.split("\n")


@pytest.fixture(scope="module")
def fiches():
    return parse(SAMPLE, "actions-export-1.txt").fiches


def test_round_trip_on_the_whole_sample(fiches):
    # The only difference: the fiche of line 577 lacks the optional, empty « Fichier(s) associé(s) »
    # label (after its structure line 580), which the renderer always writes; and a final newline.
    assert LINES[579] == "- CENTRE SOCIAL CAF LA CLAIRIERE - Meurthe-et-Moselle"
    expected = LINES[:580] + [labels.FICHIERS] + LINES[580:]
    assert render_file(fiches) == "\n".join(expected) + "\n"


def test_round_trip_is_stable(fiches):
    rendered = render_file(fiches)
    again = parse(rendered).fiches
    assert [f.content() for f in again] == [f.content() for f in fiches]
    assert render_file(again) == rendered


def test_first_fiche_exactly(fiches):
    assert render_fiche(fiches[0]) == "\n".join(LINES[1:64]) + "\n"


def test_terminee_fiches(fiches):
    avec_raisons = render_fiche(fiches[-1]).split("\n")
    assert avec_raisons[5:12] == [
        "- Statut de l'action",
        "- Terminée",
        "- Raisons pour lesquelles l'action est terminée",
        'Action "Plateforme Jeunesse"',
        "Cette action ne sera pas reconduite en 2023/24, en raison du non financement de la subvention sollicitée.",
        "- Dimension",
        "- Citoyenneté",
    ]
    (empty_raisons,) = [f for f in fiches if f.line == 1135]
    assert render_fiche(empty_raisons) == "\n".join(LINES[1134:1188]) + "\n"


def blank(**values) -> SimpleNamespace:
    """A minimal fiche-like object (not a Fiche): every attribute empty unless given."""
    fields = {f.name: ([] if f.type == "list[str]" else "") for f in dataclasses.fields(Fiche)}
    fields.update(titre="Titre", structure_nom="CS", departement_nom="Nord", statut="En cours")
    fields.update(values)
    return SimpleNamespace(**fields)


EMPTY_FICHE = [
    "Actions",
    "Titre",
    "- Structure organisatrice",
    "- CS - Nord",
    "- Fichier(s) associé(s)",
    "- Statut de l'action",
    "- En cours",
    "- Dimension",
    "- Mots clés associés à l'action",
    "-",
    "- Résumé",
    "- Qui est à l'initiative de l'action ?",
    "-",
    "- Territoire concerné",
    "- Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases.",
    "- Public",
    "- Avec qui cette action a-t-elle été menée ?",
    "-",
    "Partenaires d'action:",
    "- Territoire concerné",
    "- Description générale",
    "- Ressources financières mobilisées pour cette action",
    "- Nombre de personnes mobilisés pour cette action",
    "- Résultat sur le territoire",
    "- Résultat pour le centre social",
    "- Résultat pour les habitants",
    "- Suite de l'action : Limites",
    "- Suite de l'action : Perspectives",
]


def test_empty_values_give_labels_only():
    assert render_fiche(blank()) == "\n".join(EMPTY_FICHE) + "\n"
    parsed = parse(render_file([blank()])).fiches[0]
    assert (
        parsed.content()
        == Fiche(titre="Titre", structure_nom="CS", departement_nom="Nord", statut="En cours").content()
    )


def test_none_values_are_empty():
    fiche = blank(dimension=None, mots_cles=None, resume=None, raisons_fin=None)
    assert render_fiche(fiche) == "\n".join(EMPTY_FICHE) + "\n"


@pytest.mark.parametrize(
    "statut,raisons,expected",
    [
        ("En cours", "", ["- Statut de l'action", "- En cours", "- Dimension"]),
        ("Terminée", "", ["- Statut de l'action", "- Terminée", labels.RAISONS, "- Dimension"]),
        (
            "Terminée",
            "Plus de budget.",
            ["- Statut de l'action", "- Terminée", labels.RAISONS, "Plus de budget.", "- Dimension"],
        ),
        ("En cours", "Reprise.", ["- Statut de l'action", "- En cours", labels.RAISONS, "Reprise.", "- Dimension"]),
        ("", "", ["- Statut de l'action", "- Dimension"]),
    ],
)
def test_raisons_written_iff_terminee_or_not_empty(statut, raisons, expected):
    lines = render_fiche(blank(statut=statut, raisons_fin=raisons)).split("\n")
    start = lines.index(labels.STATUT)
    assert lines[start : start + len(expected)] == expected
    assert parse(render_file([blank(statut=statut, raisons_fin=raisons)])).fiches[0].raisons_fin == raisons


def test_precision_written_iff_not_empty_and_lists():
    lines = render_fiche(
        blank(
            initiatives=("Le centre social", "Autre"),
            precision_initiative="- Avec la ville\n\net la CAF",
            partenaires=["Caf", "Commune"],
            mots_cles=["Emploi, économie"],
            fichiers_associes="plan.pdf",
        )
    ).split("\n")
    assert lines[4:6] == ["- Fichier(s) associé(s)", "plan.pdf"]
    assert lines[lines.index(labels.MOTS_CLES) :][:3] == [labels.MOTS_CLES, "-", "- Emploi, économie"]
    start = lines.index(labels.INITIATIVE)
    assert lines[start : start + 8] == [
        labels.INITIATIVE,
        "-",
        "- Le centre social",
        "- Autre",
        "- Précision ( si autre )",
        "- Avec la ville",
        "",
        "et la CAF",
    ]
    start = lines.index(labels.PARTENAIRES)
    assert lines[start - 2 : start + 4] == [
        labels.AVEC_QUI,
        "-",
        labels.PARTENAIRES,
        "- Caf",
        "- Commune",
        labels.TERRITOIRE,
    ]
    assert labels.PRECISION not in render_fiche(blank(initiatives=["Autre"]))


def test_render_file_header():
    assert render_file([]) == "Les actions des centres sociaux\n"
    assert render_file(iter([blank()])).startswith("Les actions des centres sociaux\nActions\nTitre\n")


@pytest.mark.parametrize("module", ["parser.py", "renderer.py"])
def test_labels_live_in_one_place(module):
    """No label spelt out in the code of the parser or the renderer (docstrings may quote them)."""
    tree = ast.parse((Path(__file__).resolve().parents[2] / "actions" / "fiches" / module).read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and ast.get_docstring(node) is not None
    }
    literals = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]
    assert len(literals) > 10
    for label in labels.LABELS | {labels.HEADER}:
        assert not [literal for literal in literals if label in literal]


# -- property: parse(render(fiche)) == fiche for every representable fiche --------------------------------------

FORBIDDEN_LINES = labels.LABELS | {labels.MARKER, labels.HEADER}
CHARS = st.characters(blacklist_categories=("Cs", "Cc"))


def _not_label_like(value: str) -> bool:
    line = labels.ITEM_PREFIX + value
    return line not in FORBIDDEN_LINES and not any(_resembles(line, label) for label in labels.LABELS)


one_line = st.text(CHARS, min_size=1, max_size=25).map(str.strip).filter(bool).filter(_not_label_like)
maybe_one_line = st.one_of(st.just(""), one_line)
departement = one_line.filter(lambda d: " - " not in f" {d} ")
free_line = st.text(CHARS, max_size=30).map(str.rstrip).filter(lambda line: line not in FORBIDDEN_LINES)


@st.composite
def free_text(draw) -> str:
    lines = draw(st.lists(st.one_of(free_line, st.sampled_from(["-", "- puce", "* point", ""])), max_size=6))
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


@st.composite
def fiches_strategy(draw) -> Fiche:
    values = {}
    for field in dataclasses.fields(Fiche):
        if field.name in ("line", "end_line", "structure_line"):
            continue
        if field.type == "list[str]":
            values[field.name] = draw(st.lists(one_line, max_size=4))
        elif field.name in ("statut",):
            values[field.name] = draw(st.sampled_from(["En cours", "Terminée", ""]))
        elif field.name in ("dimension", "territoire", "public"):
            values[field.name] = draw(maybe_one_line)
        elif field.name in ("titre", "structure_nom"):
            values[field.name] = draw(one_line.filter(lambda value: value not in FORBIDDEN_LINES))
        elif field.name == "departement_nom":
            values[field.name] = draw(departement)
        else:
            values[field.name] = draw(free_text())
    return Fiche(**values)


@given(fiches_strategy())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_parse_render_round_trip_property(fiche):
    result = parse(render_file([fiche]), "f.txt")
    assert result.warnings == []
    (parsed,) = result.fiches
    assert parsed.content() == fiche.content()
    assert render_fiche(parsed) == render_fiche(fiche)
