"""The benchmark's fiche generator: deterministic, realistic enough, and read back by the real parser."""

from collections import Counter

import pytest

from actions.fiches.labels import STATUT_TERMINEE
from actions.fiches.parser import parse, parse_bytes
from actions.vocabularies import VOCABULARIES
from bench.generate_fiches import edited, generate, main, render_files
from fcsf_actions.text import normalize_label

POSITION_FIELDS = ("line", "end_line", "structure_line")


def content(fiche):
    return {name: value for name, value in fiche.content().items() if name not in POSITION_FIELDS}


@pytest.fixture(scope="module")
def fiches():
    return generate(300, seed=3, structures=12)


def test_same_seed_same_fiches_other_seed_other_fiches(fiches):
    assert [content(f) for f in generate(300, seed=3, structures=12)] == [content(f) for f in fiches]
    assert [content(f) for f in generate(300, seed=4, structures=12)] != [content(f) for f in fiches]


def test_counts(fiches):
    assert len(fiches) == 300
    assert len({(f.structure_nom, f.departement_nom) for f in fiches}) == 12
    assert len(generate(66)) == 66 and len({f.structure_nom for f in generate(66)}) == 2  # default: count/33
    assert generate(0) == []
    assert len({f.structure_nom for f in generate(3, structures=10)}) == 3  # never more structures than fiches


def test_natural_keys_are_unique_even_ignoring_case_and_accents(fiches):
    assert len({f.natural_key for f in fiches}) == len(fiches)
    structures = {(f.structure_nom, f.departement_nom) for f in fiches}
    assert len({(normalize_label(nom), departement) for nom, departement in structures}) == len(structures)


def test_every_file_parses_back_to_the_same_fiches_without_warnings(fiches):
    texts = render_files(fiches, per_file=70)
    assert len(texts) == 5
    parsed = []
    for number, text in enumerate(texts):
        result = parse_bytes(text.encode(), f"f{number}.txt")
        assert result.warnings == []
        parsed.extend(result.fiches)
    assert [content(f) for f in parsed] == [content(f) for f in fiches]


def test_values_come_from_the_vocabularies_in_catalogue_order(fiches):
    for name, vocabulary in [("mots_cles", "MotCle"), ("initiatives", "Initiative"), ("partenaires", "Partenaire")]:
        order = VOCABULARIES[vocabulary]
        for fiche in fiches:
            values = getattr(fiche, name)
            assert values == sorted(values, key=order.index)
    assert all(1 <= len(f.mots_cles) <= 6 and 1 <= len(f.partenaires) <= 3 for f in fiches)
    assert all(len(f.initiatives) <= 3 for f in fiches)
    statuts = Counter(f.statut for f in fiches)
    assert set(statuts) == {"En cours", STATUT_TERMINEE} and statuts["En cours"] > statuts[STATUT_TERMINEE]
    assert all(not f.raisons_fin for f in fiches if f.statut != STATUT_TERMINEE)


def test_free_text_looks_like_the_real_exports(fiches):
    descriptions = [f.description_experience for f in fiches]
    assert sum("\n- " in text or text.startswith("- ") for text in descriptions) > len(fiches) / 4
    assert sum(len(text) for text in descriptions) / len(fiches) > 500
    kinds = ("CENTRE SOCIAL", "MAISON POUR TOUS", "ESPACE DE VIE SOCIALE", "CENTRE SOCIOCULTUREL", "MAISON DE QUARTIER")
    assert sum(f.structure_nom.upper().startswith(kinds) for f in fiches) > len(fiches) / 2


def test_edited_changes_some_fiches_and_keeps_their_keys(fiches):
    changed = edited(fiches, fraction=0.5, seed=1)
    assert [f.natural_key for f in changed] == [f.natural_key for f in fiches]
    differing = sum(content(a) != content(b) for a, b in zip(changed, fiches, strict=True))
    assert 100 < differing < 200
    parse(render_files(changed, per_file=1000)[0])


def test_command_line_writes_the_files(tmp_path, capsys):
    main(["--count", "45", "--structures", "4", "--per-file", "20", "--seed", "1", "--out", str(tmp_path)])
    paths = sorted(tmp_path.glob("*.txt"))
    assert [p.name for p in paths] == ["fiches-0001.txt", "fiches-0002.txt", "fiches-0003.txt"]
    assert [len(parse_bytes(p.read_bytes(), p.name).fiches) for p in paths] == [20, 20, 5]
    assert "45 fiches de 4 structures" in capsys.readouterr().out
