"""Parser of the fiche-action text export: the real sample, damaged files, encodings, fuzzing."""

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.fiches import labels
from actions.fiches.parser import Diagnostic, Fiche, FicheParseError, decode, parse, parse_bytes

SAMPLE_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "fiches" / "actions-export-1.txt"
SAMPLE = SAMPLE_PATH.read_text(encoding="utf-8")
LINES = SAMPLE.split("\n")
MARKER_LINES = [number for number, line in enumerate(LINES, 1) if line == "Actions"]


def src(first: int, last: int) -> str:
    """Lines first..last (1-based, inclusive) of the sample."""
    return "\n".join(LINES[first - 1 : last])


def lines_of(first: int, last: int) -> list[str]:
    return LINES[first - 1 : last]


def errors(text: str) -> list[Diagnostic]:
    with pytest.raises(FicheParseError) as excinfo:
        parse(text, "f.txt")
    assert all(d.level == "error" for d in excinfo.value.diagnostics)
    return excinfo.value.diagnostics


def single_error(text: str) -> Diagnostic:
    found = errors(text)
    assert len(found) == 1, [str(d) for d in found]
    return found[0]


# Header + first fiche (lines 1-64), second fiche (65-114).
FIRST = lines_of(1, 64)
SECOND = lines_of(65, 114)


def edited(lines: list[str], **replacements: str) -> str:
    """Replace lines (1-based numbers given as l<N>=...) of a copy of ``lines``."""
    copy = list(lines)
    for key, value in replacements.items():
        copy[int(key[1:]) - 1] = value
    return "\n".join(copy)


@pytest.fixture(scope="module")
def parsed():
    return parse(SAMPLE, "actions-export-1.txt")


def fiche_at(parsed, line: int) -> Fiche:
    (fiche,) = [f for f in parsed.fiches if f.line == line]
    return fiche


class TestSample:
    def test_25_fiches_at_each_marker(self, parsed):
        assert len(parsed.fiches) == 25
        assert [f.line for f in parsed.fiches] == MARKER_LINES
        assert [f.end_line for f in parsed.fiches] == [n - 1 for n in MARKER_LINES[1:]] + [len(LINES)]
        assert [f.structure_line for f in parsed.fiches] == [n + 3 for n in MARKER_LINES]

    def test_only_warning_is_the_prefecture_artefact(self, parsed):
        (warning,) = parsed.warnings
        assert warning.level == "warning"
        assert warning.line == 1
        assert str(warning).startswith("actions-export-1.txt:1: Les 25 fiches ont toutes pour seul partenaire")
        assert "« Préfecture »" in warning.message and "artefact" in warning.message
        assert "conservées" in warning.message

    def test_first_fiche_fully(self, parsed):
        assert parsed.fiches[0] == Fiche(
            line=2,
            end_line=64,
            titre="Local jeunes 16/25 ans : un lieu de sociabilité pour tous les jeunes adultes",
            structure_nom="MAISON POUR TOUS MONPLAISIR",
            departement_nom="Maine-et-Loire",
            structure_line=5,
            fichiers_associes="",
            statut="En cours",
            raisons_fin="",
            dimension="Citoyenneté",
            mots_cles=["éducation / scolarité", "Démocratie & citoyenneté", "Intégration"],
            resume=src(17, 18),
            initiatives=["Autre"],
            precision_initiative=(
                "Suite à des demandes récurrentes de jeunes qui lui étaient formulées en vue de bénéficier d’un lieu "
                "dédié dans le quartier de Monplaisir, la Ville d’Angers s’est engagée à créer un espace pour les "
                "16/25 ans dans ce quartier en 2008."
            ),
            territoire="Un quartier",
            description_experience=src(27, 35),
            public="Jeunes adultes",
            partenaires=["Préfecture"],
            description_generale=src(45, 48),
            ressources_financieres="100.200 €",
            nombre_personnes="3 professionnels (Conseiller ESF, Moniteur-éducateur, animateur socio-culturel)",
            resultat_territoire=src(54, 54),
            resultat_centre=src(56, 56),
            resultat_habitants=src(58, 60),
            limites=src(62, 62),
            perspectives=src(64, 64),
        )
        first = parsed.fiches[0]
        assert first.resume.startswith("Le local jeunes est un espace implanté")
        assert first.resume.endswith("de formation, ou d’orientation.")
        assert first.description_experience.split("\n")[1] == "- Favoriser la mixité entre jeunes (sociale et de genre)"
        assert first.natural_key == (
            "MAISON POUR TOUS MONPLAISIR",
            "Maine-et-Loire",
            "Local jeunes 16/25 ans : un lieu de sociabilité pour tous les jeunes adultes",
        )

    def test_free_text_keeps_dash_lines_and_bare_dashes(self, parsed):
        fiche = fiche_at(parsed, 258)
        assert fiche.titre == "Tiers lieu numérique"
        experience = fiche.description_experience.split("\n")
        assert len(experience) == 11
        assert experience[0].startswith("- Le numérique prend aujourd’hui une place")
        assert experience[-1].startswith("La méconnaissance de l’informatique")
        generale = fiche.description_generale.split("\n")
        assert generale == lines_of(302, 324)
        assert generale[3] == "-" and generale[-1] == "-"
        assert generale[4] == "- Accès aux droits et démarches administratives"
        assert fiche.ressources_financieres == "en cours"
        assert (
            fiche.nombre_personnes == "1 salarié médiateur numérique\nUne commission numérique composée de 5 bénévoles"
        )

    def test_dash_without_space_bullets_and_stars(self, parsed):
        demos = fiche_at(parsed, 341)
        assert demos.resume.split("\n")[3].startswith("-Encadré par des professionnels")
        assert (
            demos.precision_initiative
            == "Philharmonie de Paris\nCaisse d'allocation familiale du Maine et Loire\nLes familles"
        )
        assert demos.description_generale == "" and demos.resultat_habitants == ""
        assert demos.resultat_centre == src(399, 403)
        secteur = fiche_at(parsed, 1419)
        assert secteur.perspectives.split("\n") == [
            "* Mise en place d'atelier Bien être - confiance en soi",
            "*Mise en place des Sorties Culturelles des parents",
        ]
        assert len(secteur.mots_cles) == 13
        assert "Emploi, économie" in secteur.mots_cles and "Viellissement" in secteur.mots_cles

    def test_fiche_without_fichiers_associes(self, parsed):
        fiche = fiche_at(parsed, 577)
        assert fiche.titre == '"Accès aux droits et lutte contre la fracture numérique"'
        assert (fiche.structure_nom, fiche.departement_nom) == ("CENTRE SOCIAL CAF LA CLAIRIERE", "Meurthe-et-Moselle")
        assert fiche.fichiers_associes == ""
        assert fiche.statut == "En cours"
        assert fiche.mots_cles == ["Solidarité", "discriminations"]
        assert fiche.resume == src(590, 622)
        assert fiche.public == "Adultes"
        table = fiche.nombre_personnes.split("\n")
        assert table[5:9] == ["Âge", "Homme", "Femme", "Total"]
        assert table[-1] == "428"
        assert fiche.perspectives == src(741, 743)
        assert fiche.perspectives.startswith("- Reconduction l'action")

    def test_terminee_with_raisons_is_the_last_fiche_without_final_newline(self, parsed):
        fiche = parsed.fiches[-1]
        assert fiche.line == 1523 and fiche.end_line == 1579
        assert fiche.titre == "PLATEFORME JEUNESSE"
        assert (fiche.structure_nom, fiche.departement_nom) == ("CENTRE D'ANIMATION SAINT JEAN", "Rhône")
        assert fiche.statut == "Terminée"
        assert fiche.raisons_fin == (
            'Action "Plateforme Jeunesse"\n'
            "Cette action ne sera pas reconduite en 2023/24, en raison du non financement de la subvention sollicitée."
        )
        assert fiche.dimension == "Citoyenneté"
        assert fiche.initiatives == ["Le centre social", "Un ou plusieurs partenaire(s)"]
        assert fiche.ressources_financieres == ""
        assert fiche.nombre_personnes.split("\n")[0] == 'Un coordinateur "jeunesse enfance",'
        assert fiche.perspectives == "Action gelée par le non financement de la politique de la ville."

    def test_terminee_with_empty_raisons(self, parsed):
        fiche = fiche_at(parsed, 1135)
        assert fiche.titre == "En route vers l'emploi"
        assert (fiche.structure_nom, fiche.departement_nom) == ("CS HENRI MARTEL DECHY", "Nord")
        assert fiche.statut == "Terminée"
        assert fiche.raisons_fin == ""
        assert fiche.dimension == "Accompagnement de projets"
        assert fiche.mots_cles == ["Emploi, économie"]
        assert fiche.ressources_financieres == "3500€" and fiche.nombre_personnes == "20"

    def test_precision_starting_with_a_dash_line(self, parsed):
        fiche = fiche_at(parsed, 1062)
        assert fiche.initiatives == ["Le centre social"]
        assert fiche.precision_initiative == src(1086, 1094)
        assert fiche.precision_initiative.startswith("- L’enjeu global de ces actions s'articule autour")
        assert fiche.precision_initiative.endswith("essentiel à la cohésion sociale au sein de notre République.")
        assert fiche.territoire == "Plusieurs quartiers"
        assert fiche.nombre_personnes.startswith("- 112 jeunes")

    def test_titles_containing_dashes(self, parsed):
        msap = fiche_at(parsed, 157)
        assert msap.titre == "MSAP - Accompagnement accès au droit"
        assert (msap.structure_nom, msap.departement_nom) == ("CENTRE SOCIO-CULTUREL RIVES DE LOIRE", "Maine-et-Loire")
        audaces = fiche_at(parsed, 878)
        assert audaces.titre == "Le Centre Social Audaces's de Folschviller - Hors Les Murs !"
        assert audaces.structure_nom == "CENTRE SOCIAL AUDACES'S FOLSCHVILLER"
        assert audaces.departement_nom == "Moselle"
        assert audaces.resume == "" and audaces.initiatives == []
        assert audaces.ressources_financieres == "/"

    def test_structure_split_on_last_dash(self, parsed):
        ville = fiche_at(parsed, 454)
        assert ville.titre == "Chantier d'insertion :\" T'Lien3\""
        assert ville.structure_nom == 'Centre Social "VILLE PLURIELLE" Place Neruda Allende'
        assert ville.departement_nom == "Meurthe-et-Moselle"
        assert fiche_at(parsed, 1419).departement_nom == "Pyrénées-Atlantiques"

    def test_empty_sections(self, parsed):
        fiche = fiche_at(parsed, 115)
        assert fiche.description_experience == "" and fiche.public == ""
        assert fiche.description_generale == src(143, 149)
        for name in ("ressources_financieres", "nombre_personnes", "resultat_territoire", "limites", "perspectives"):
            assert getattr(fiche, name) == ""

    def test_content_ignores_line_numbers(self, parsed):
        first = parsed.fiches[0]
        moved = parse("\n\n" + "\n".join(FIRST) + "\n").fiches[0]
        assert moved.line == 4 and moved.structure_line == 7
        assert moved != first
        assert moved.content() == first.content()
        assert "line" not in first.content() and first.content()["mots_cles"] == tuple(first.mots_cles)

    def test_trailing_newline_and_trailing_spaces_do_not_matter(self, parsed):
        again = parse(SAMPLE + "\n\n")
        assert [f.content() for f in again.fiches] == [f.content() for f in parsed.fiches]
        spaced = parse("\n".join(line + "  " for line in LINES))
        assert [f.content() for f in spaced.fiches] == [f.content() for f in parsed.fiches]

    def test_actions_line_inside_free_text_stays_text(self):
        text = edited(FIRST, l18="Actions")
        assert parse(text).fiches[0].resume.split("\n") == [LINES[16], "Actions"]


class TestDamagedFiles:
    @pytest.mark.parametrize("text", ["", "\n", "  \n\n\t\n"])
    def test_empty_file(self, text):
        error = single_error(text)
        assert error.line == 1
        assert "Le fichier est vide" in error.message
        assert str(error) == f"f.txt:1: {error.message}"

    def test_no_actions_marker(self):
        error = single_error("Les actions des centres sociaux\nBonjour\n")
        assert error.line == 1
        assert "aucune ligne « Actions »" in error.message

    def test_file_cut_in_free_text(self):
        error = single_error("\n".join(FIRST[:30]) + "\n")
        assert error.line == 30
        assert "Fichier tronqué" in error.message
        assert "« - Public »" in error.message
        assert (
            "(ligne 2)" in error.message and "ainsi que les 11 rubriques obligatoires qui la suivent" in error.message
        )

    def test_file_cut_in_a_list(self):
        error = single_error("\n".join(FIRST[:13]))
        assert error.line == 13
        assert "Fichier tronqué" in error.message and "« - Résumé »" in error.message

    def test_fiche_cut_then_next_fiche(self):
        error = single_error("\n".join(FIRST[:30] + SECOND))
        assert error.line == 30
        assert "incomplète" in error.message and "« - Public »" in error.message
        assert "fiche suivante (ligne 31)" in error.message

    def test_marker_at_end_of_file(self):
        error = single_error("\n".join(FIRST + ["Actions"]))
        assert error.line == 65
        assert "« Actions » sans fiche" in error.message

    def test_fiche_without_title(self):
        error = single_error("\n".join(FIRST[:2] + FIRST[3:]))
        assert error.line == 2
        assert "Fiche sans titre" in error.message and "« - Structure organisatrice » (ligne 3)" in error.message

    def test_title_on_two_lines(self):
        error = single_error("\n".join(FIRST[:3] + ["suite du titre"] + FIRST[3:]))
        assert error.line == 4
        assert "Ligne inattendue « suite du titre »" in error.message
        assert "réunissez-le sur une seule ligne" in error.message

    def test_misspelt_label_where_a_label_is_required(self):
        error = single_error(edited(FIRST, l9="- Dimensions"))
        assert error.line == 9
        assert "Ligne inattendue « - Dimensions »" in error.message
        assert "Vouliez-vous écrire la rubrique « - Dimension »" in error.message

    def test_unknown_line_where_a_label_is_required(self):
        error = single_error("\n".join(FIRST[:8] + ["Bonjour"] + FIRST[8:]))
        assert error.line == 9
        assert "Ligne inattendue « Bonjour » sous la rubrique « - Statut de l'action »" in error.message

    def test_stray_line_in_a_list(self):
        error = single_error("\n".join(FIRST[:13] + ["Culture"] + FIRST[13:]))
        assert error.line == 14
        assert "sous la rubrique « - Mots clés associés à l'action »" in error.message
        assert "« - valeur »" in error.message

    def test_misspelt_label_under_a_list_is_not_a_value(self):
        error = single_error(edited(FIRST, l16="- Resume"))
        assert error.line == 16
        assert "ressemble à une rubrique mal recopiée" in error.message
        assert "Vouliez-vous écrire la rubrique « - Résumé »" in error.message

    def test_label_out_of_order(self):
        error = single_error("\n".join(FIRST[:10] + ["- Public"] + FIRST[10:]))
        assert error.line == 11
        assert "Rubrique « - Public » inattendue ici" in error.message
        assert "« - Mots clés associés à l'action »" in error.message

    def test_misspelt_label_swallowed_by_free_text_is_named(self):
        # Typographic apostrophes: not the label, so the line is read as résumé text.
        error = single_error(edited(FIRST, l19="- Qui est à l’initiative de l’action ?"))
        assert error.line == 64
        assert "« - Qui est à l'initiative de l'action ? » est attendue" in error.message
        assert "La ligne 19 « - Qui est à l’initiative de l’action ? » ressemble à la rubrique" in error.message

    def test_structure_without_departement(self):
        error = single_error(edited(FIRST, l5="- MAISON POUR TOUS MONPLAISIR"))
        assert error.line == 5
        assert "Structure sans département" in error.message
        assert "« - NOM - Département »" in error.message

    def test_structure_value_missing(self):
        error = single_error("\n".join(FIRST[:4] + FIRST[5:]))
        assert error.line == 4
        assert "n’a pas de valeur" in error.message

    def test_second_territoire_differs(self):
        error = single_error(edited(FIRST, l43="- Une commune"))
        assert error.line == 43
        assert "« Une commune » ici, mais « Un quartier » ligne 25" in error.message
        assert "identiques" in error.message

    def test_two_values_for_a_single_value_section(self):
        error = single_error("\n".join(FIRST[:37] + ["- Adultes"] + FIRST[37:]))
        assert error.line == 38
        assert "déjà « Jeunes adultes » ligne 37" in error.message

    def test_junk_before_first_fiche(self):
        error = single_error("\n".join(FIRST[:1] + ["Bonjour"] + FIRST[1:]))
        assert error.line == 2
        assert "avant la première fiche" in error.message

    def test_every_error_is_reported(self):
        second = list(SECOND)
        second[3] = "- MAISON POUR TOUS MONPLAISIR"  # structure line of the second fiche (line 68)
        text = edited(FIRST, l9="- Dimensions") + "\n" + "\n".join(second) + "\n" + "\n".join(lines_of(115, 130))
        found = errors(text)
        assert [d.line for d in found] == [9, 68, 130]
        assert "Fichier tronqué" in found[2].message
        with pytest.raises(ValueError, match=r"f\.txt:9: .*\nf\.txt:68: .*\nf\.txt:130: "):
            parse(text, "f.txt")

    def test_identical_duplicate_is_dropped_with_a_warning(self):
        result = parse("\n".join(FIRST + FIRST[1:]), "f.txt")
        assert len(result.fiches) == 1 and result.fiches[0].line == 2
        (warning,) = result.warnings  # one fiche left: no « Préfecture » warning
        assert warning.line == 65 and warning.level == "warning"
        assert "Fiche en double" in warning.message and "identique à la fiche de la ligne 2" in warning.message

    def test_different_duplicate_is_an_error(self):
        copy = list(FIRST[1:])
        copy[16] = "Un autre résumé."  # résumé, line 65 + 16 = 81
        copy[6] = "- Terminée"  # statut
        error = single_error("\n".join(FIRST + copy))
        assert error.line == 65
        assert "contenu différent" in error.message and "lignes 2 et 65" in error.message
        assert "(différences : Statut de l'action, Résumé)" in error.message

    def test_prefecture_warning_needs_every_fiche(self):
        other = edited(SECOND, l29="- Caf")  # partner line of the second fiche
        result = parse("\n".join(FIRST) + "\n" + other)
        assert result.fiches[1].partenaires == ["Caf"]
        assert result.warnings == []
        assert len(parse("\n".join(FIRST + SECOND)).warnings) == 1

    def test_missing_header_is_a_warning(self):
        result = parse("\n".join(FIRST[1:]), "f.txt")
        assert result.fiches[0].line == 1
        (warning,) = result.warnings
        assert warning.line == 1 and "En-tête « Les actions des centres sociaux » absent" in warning.message

    def test_repeated_header_of_concatenated_exports(self):
        result = parse("\n".join(FIRST + FIRST[:1] + SECOND))
        assert [f.titre for f in result.fiches] == [FIRST[2], SECOND[1]]
        assert result.fiches[0].perspectives == FIRST[-1]
        header_warning = [w for w in result.warnings if "répété" in w.message]
        assert [w.line for w in header_warning] == [65]

    def test_missing_list_separator_is_a_warning(self):
        result = parse("\n".join(FIRST[:11] + FIRST[12:]))
        assert result.fiches[0].mots_cles == ["éducation / scolarité", "Démocratie & citoyenneté", "Intégration"]
        (warning,) = result.warnings
        assert warning.line == 11 and "Séparateur « - » manquant" in warning.message

    def test_empty_lines_before_header_and_between_structural_lines(self):
        lines = list(FIRST)
        lines.insert(9, "")  # after « - Dimension »
        result = parse("\n\n" + "\n".join(lines))
        assert result.warnings == []
        assert result.fiches[0].line == 4 and result.fiches[0].dimension == "Citoyenneté"

    def test_nul_character(self):
        error = single_error(edited(FIRST, l17="a\x00b"))
        assert error.line == 17 and "caractères nuls" in error.message


class TestDecode:
    def test_utf8(self):
        assert decode(SAMPLE.encode("utf-8"), "f.txt") == (SAMPLE, [])

    def test_bom(self):
        text, warnings = decode(codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "f.txt")
        assert text == SAMPLE
        (warning,) = warnings
        assert warning.line == 1 and warning.level == "warning" and "BOM" in warning.message

    def test_crlf(self):
        text, warnings = decode(SAMPLE.replace("\n", "\r\n").encode("utf-8"), "f.txt")
        assert text == SAMPLE
        (warning,) = warnings
        assert "Windows (CRLF)" in warning.message
        assert decode(b"a\rb", "f.txt")[0] == "a\nb"

    def test_crlf_given_directly_to_parse(self):
        result = parse(SAMPLE.replace("\n", "\r\n"), "f.txt")
        assert len(result.fiches) == 25
        assert result.fiches[0].resume == src(17, 18)
        assert any("CRLF" in w.message for w in result.warnings)

    def test_cp1252(self):
        text, warnings = decode(SAMPLE.encode("cp1252"), "f.txt")
        assert text == SAMPLE
        (warning,) = warnings
        assert warning.line == 3  # « sociabilité » in the first title
        assert "n’est pas en UTF-8" in warning.message and "réenregistrez le fichier en UTF-8" in warning.message

    def test_bytes_undefined_in_cp1252(self):
        with pytest.raises(FicheParseError) as excinfo:
            decode("Actions\né".encode("cp1252") + b"\x81", "f.txt")
        (error,) = excinfo.value.diagnostics
        assert error.line == 2 and "0x81" in error.message and "UTF-8" in error.message

    def test_nul_bytes(self):
        with pytest.raises(FicheParseError) as excinfo:
            decode(b"Les actions\nActions\x00", "f.txt")
        assert excinfo.value.diagnostics[0].line == 2
        assert "caractères nuls" in excinfo.value.diagnostics[0].message

    def test_utf16(self):
        with pytest.raises(FicheParseError, match="UTF-16"):
            decode(SAMPLE[:200].encode("utf-16"), "f.txt")

    def test_parse_bytes_merges_warnings(self):
        result = parse_bytes(codecs.BOM_UTF8 + SAMPLE.replace("\n", "\r\n").encode("utf-8"), "f.txt")
        assert len(result.fiches) == 25
        assert [w.line for w in result.warnings] == [1, 1, 1]
        with pytest.raises(FicheParseError) as excinfo:
            parse_bytes(codecs.BOM_UTF8 + b"", "f.txt")
        assert "BOM" in excinfo.value.warnings[0].message


LABEL_LINES = sorted(labels.LABELS | {labels.HEADER, labels.MARKER, labels.SEPARATOR})
JUNK = st.one_of(
    st.sampled_from(LABEL_LINES),
    st.sampled_from(["", "- ", "- En cours", "- Préfecture", "- A - B", "Titre", "Actions ", "  "]),
    st.text(max_size=20),
)


class TestFuzz:
    @given(st.text())
    @settings(max_examples=300, deadline=None)
    def test_random_text_only_raises_fiche_parse_error(self, text):
        try:
            result = parse(text, "f.txt")
        except FicheParseError as error:
            assert error.diagnostics and all(isinstance(d, Diagnostic) for d in error.diagnostics)
        else:
            assert result.fiches

    @given(st.lists(JUNK, max_size=80))
    @settings(max_examples=300, deadline=None)
    def test_label_soup_only_raises_fiche_parse_error(self, lines):
        try:
            parse("\n".join(lines), "f.txt")
        except FicheParseError as error:
            assert error.diagnostics

    @given(st.sets(st.integers(min_value=0, max_value=113), max_size=6), st.lists(st.tuples(st.integers(0, 113), JUNK)))
    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_damaged_sample_only_raises_fiche_parse_error(self, deleted, inserted):
        lines = [line for number, line in enumerate(LINES[:114]) if number not in deleted]
        for position, line in inserted:
            lines.insert(position, line)
        try:
            result = parse("\n".join(lines), "f.txt")
        except FicheParseError as error:
            assert error.diagnostics and all(d.line >= 1 for d in error.diagnostics)
        else:
            assert 1 <= len(result.fiches) <= 2 + len(inserted)

    @given(st.binary())
    @settings(max_examples=300, deadline=None)
    def test_decode_random_bytes_only_raises_fiche_parse_error(self, data):
        try:
            text, warnings = decode(data, "f.txt")
        except FicheParseError as error:
            assert error.diagnostics
        else:
            assert "\r" not in text and "\x00" not in text
