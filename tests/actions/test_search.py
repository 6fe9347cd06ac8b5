"""Text search: matching, ranking, snippets and suggestions, and the PostgreSQL objects behind them."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from actions import search
from actions.filters import ActionFilterSet
from actions.models import Action, MotCle
from tests.actions.factories import ActionFactory
from tests.structures.factories import StructureFactory


def titles(text, **params):
    return {action.titre for action in ActionFilterSet({"q": text, **params}).qs}


@pytest.fixture
def catalogue(db):
    # Named structures: the factories' default names contain « numéro », which would match « numér ».
    rives = StructureFactory(nom="Centre social des Rives")
    return {
        "chataigne": ActionFactory(
            titre="Fête de la châtaigne", resume="Une journée au verger avec les familles.", structure=rives
        ),
        "numerique": ActionFactory(
            titre="Atelier numérique pour tous",
            resume="Apprendre à se servir d’un ordinateur et d’internet.",
            structure=rives,
        ),
        "jardin": ActionFactory(
            titre="Jardin partagé",
            resume="Les habitants cultivent ensemble des légumes.",
            mots_cles=["Environnement"],
            structure=rives,
        ),
        "vacances": ActionFactory(
            titre="Départs en vacances",
            resume="Des familles préparent leurs premières vacances. Un atelier numérique aide aux réservations.",
            mots_cles=["vacances / loisirs"],
            structure=rives,
        ),
        "brouillon": ActionFactory(titre="Atelier numérique caché", state=Action.State.BROUILLON, structure=rives),
    }


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("chataigne", {"Fête de la châtaigne"}),
        ("CHÂTAIGNE", {"Fête de la châtaigne"}),
        ("NUMERIQUE", {"Atelier numérique pour tous", "Départs en vacances"}),
        ("numér", {"Atelier numérique pour tous", "Départs en vacances"}),  # last word as a prefix
        ("atelier numer", {"Atelier numérique pour tous", "Départs en vacances"}),
        ("atelier chataigne", set()),  # every word must match
        ("fete", {"Fête de la châtaigne"}),
        ("légumes", {"Jardin partagé"}),
        ("environnement", {"Jardin partagé"}),  # a mot-clé's label
        ("les   familles", {"Fête de la châtaigne", "Départs en vacances"}),  # stop word dropped
    ],
)
def test_search_is_accent_and_case_insensitive_and_matches_every_word(catalogue, typed, expected):
    assert titles(typed) == expected


def test_unpublished_actions_are_never_found(catalogue):
    assert "Atelier numérique caché" not in titles("numérique")


def test_a_query_of_stop_words_only_finds_nothing_and_punctuation_only_filters_nothing(catalogue):
    assert titles("les à été") == set()  # the list says why and suggests searches (tests/actions/test_places.py)
    assert ActionFilterSet({"q": "les à été"}).stop_words_only
    assert len(titles("«  » ' % _ & | ! :*")) == 4


def test_parse_bounds_words_and_strips_operators():
    query = search.SearchQuery.parse("  l’Été  des JEUNES & | ! (numér:*)  " + " mot" * 50)
    assert query.words[:3] == ("jeunes", "numer", "mot")
    assert len(query.words) <= search.MAX_WORDS
    assert query.tsquery.startswith("jeunes & numer & mot")
    assert set(query.tsquery) <= set("abcdefghijklmnopqrstuvwxyz0123456789 &:*")


def test_relevance_puts_title_matches_first(catalogue):
    ordered = [action.titre for action in ActionFilterSet({"q": "numérique"}).qs]
    assert ordered == ["Atelier numérique pour tous", "Départs en vacances"]


def test_snippets_mark_the_matched_words_and_escape_the_text(catalogue):
    action = ActionFactory(titre="Ciné-débat", resume="Projection <script>alert(1)</script> puis débat cinéma.")
    query = search.SearchQuery.parse("cinema")
    [result] = search.add_snippets([action], query)
    assert "<mark>" in result.snippet and "cinéma</mark>" in result.snippet
    # PostgreSQL's parser drops the tags: never markup from the fiche.
    assert "<script>" not in result.snippet and "alert(1)" in result.snippet


@pytest.mark.parametrize(
    ("typed", "label", "kind"),
    [("numerik", "Atelier numérique pour tous", "action"), ("chataine", "Fête de la châtaigne", "action")],
)
def test_typing_errors_suggest_the_closest_titles(catalogue, typed, label, kind):
    query = search.SearchQuery.parse(typed)
    assert titles(typed) == set()
    assert search.Suggestion(label, kind, Action.objects.get(titre=label).slug) in search.suggestions(query)


def test_typing_errors_suggest_mots_cles(catalogue):
    suggestions = search.suggestions(search.SearchQuery.parse("environement"))
    assert search.Suggestion("Environnement", "mot_cle", MotCle.objects.get(libelle="Environnement").slug) in (
        suggestions
    )


def test_suggestions_never_show_unpublished_titles(catalogue):
    suggestions = search.suggestions(search.SearchQuery.parse("numerik cache"))
    assert all(suggestion.label != "Atelier numérique caché" for suggestion in suggestions)


class TestEveryWritePathKeepsTheSearchCurrent:
    """On PostgreSQL the stored vector is kept by triggers; these go through every kind of write."""

    def test_create_and_save(self, db):
        action = ActionFactory(titre="Potager")
        assert titles("potager") == {"Potager"}
        action.titre = "Verger"
        action.save()
        assert titles("potager") == set() and titles("verger") == {"Verger"}

    def test_bulk_update_and_bulk_create(self, db):
        ActionFactory(titre="Un", resume="rien")
        ActionFactory(titre="Deux", resume="rien")
        Action.objects.update(resume="Astronomie au quartier")
        assert titles("astronomie") == {"Un", "Deux"}
        structure = StructureFactory()
        Action.objects.bulk_create(
            [Action(titre="Trois", slug="trois", structure=structure, resume="Astronomie", state="publiee")]
        )
        assert titles("astronomie") == {"Un", "Deux", "Trois"}

    def test_mots_cles_added_removed_and_renamed(self, db):
        action = ActionFactory(titre="Sans mot-clé")
        culture = MotCle.objects.get(libelle="Culture")
        action.mots_cles.add(culture)
        assert titles("culture") == {"Sans mot-clé"}
        culture.libelle = "Arts et spectacles"
        culture.save()
        assert titles("culture") == set() and titles("spectacles") == {"Sans mot-clé"}
        action.mots_cles.clear()
        assert titles("spectacles") == set()

    def test_structure_renamed(self, db):
        structure = StructureFactory(nom="Maison des Tilleuls")
        ActionFactory(titre="Accueil", structure=structure)
        assert titles("tilleuls") == {"Accueil"}
        structure.nom = "Maison des Platanes"
        structure.save()
        assert titles("tilleuls") == set() and titles("platanes") == {"Accueil"}

    def test_delete(self, db):
        action = ActionFactory(titre="Éphémère")
        action.delete()
        assert titles("ephemere") == set()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM actions_search WHERE action_id = %s", [action.pk or 0])
            assert cursor.fetchone()[0] == 0

    def test_import_fiches(self, db):
        call_command("import_fiches", "fixtures/fiches/actions-export-1.txt", stdout=io.StringIO())
        found = titles("sociabilité jeunes")
        assert "Local jeunes 16/25 ans : un lieu de sociabilité pour tous les jeunes adultes" in found


class TestPostgresqlObjects:
    def test_configuration_unaccents_and_stems(self, db):
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_tsvector('french_unaccent', 'Châtaignes NUMÉRIQUES')::text")
            assert cursor.fetchone()[0] == "'chataign':1 'numer':2"

    def test_document_is_weighted_and_indexed(self, db):
        action = ActionFactory(titre="Potager", resume="Verger", mots_cles=["Culture"])
        action.description_generale = "Compost"
        action.save()
        with connection.cursor() as cursor:
            cursor.execute("SELECT document::text FROM actions_search WHERE action_id = %s", [action.pk])
            document = cursor.fetchone()[0]
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'actions_search'")
            indexes = " ".join(row[0] for row in cursor.fetchall())
        assert "'potag':1A" in document and "'verg':2B" in document and "'cultur':3B" in document
        assert "'compost'" in document and "C" in document.split("'compost':")[1][:4]
        assert "USING gin (document)" in indexes
