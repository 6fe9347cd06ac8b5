"""Search by place (actions/places.py), the thesaurus (actions/thesaurus.py) and stop words, from the list, the
API, the exports, the feed and the statistics; the thesaurus in the administration."""

import json

import pytest

from actions import places, thesaurus
from actions.filters import ActionFilterSet
from actions.models import Synonyme
from catalogue import version as catalogue_version
from tests.accounts.conftest import login, world  # noqa: F401 - fixtures
from tests.actions import relevance_set

LIST = "/actions/"


@pytest.fixture
def catalogue(db):
    return relevance_set.build()


def titles(params):
    return {action.titre for action in ActionFilterSet(params).qs}


class TestResolve:
    @pytest.mark.parametrize(
        ("typed", "label"),
        [
            ("49100", "49100 (Angers)"),
            ("Angers", "Angers (49)"),
            ("ANGERS (49)", "Angers (49)"),
            ("49100 Angers", "Angers (49)"),
            ("49", "Maine-et-Loire (49)"),
            ("maine et loire", "Maine-et-Loire (49)"),
            ("2a", "Corse-du-Sud (2A)"),
            ("Avrillé (85)", "Avrillé (85)"),
        ],
    )
    def test_names_postcodes_and_codes(self, db, typed, label):
        assert places.resolve(typed).label == label

    @pytest.mark.parametrize("typed", ["", "   ", "Atlantide", "99999", "00", "x" * 300, "(49)"])
    def test_unknown_or_malformed_is_none(self, db, typed):
        assert places.resolve(typed) is None

    def test_homonyms_prefer_the_one_with_a_structure(self, catalogue):
        # Avrillé: in 49 and 85; no structure in either: both.
        assert len(places.resolve("Avrillé").communes) == 2

    def test_a_place_holds_the_itinerant_structures_serving_it(self, catalogue):
        place = places.resolve("Trélazé")
        names = {action.structure.nom for action in catalogue.values() if action.structure_id in place.structure_ids}
        assert names == {"Bus social du Layon", "Centre social de la Quantinière"}

    def test_extract_leaves_common_words_that_are_commune_names(self, catalogue):
        assert places.extract("jardin")[0] is None  # Jardin (Isère): no structure there
        assert places.extract("16 25 ans")[0] is None  # quantities, not départements
        place, rest = places.extract("jardin partagé à Angers")
        assert (place.label, rest) == ("Angers (49)", "jardin partagé à")


class TestListByPlace:
    def test_lieu_field_restricts_and_says_what_it_understood(self, client, catalogue):
        page = client.get(LIST, {"lieu": "Angers"}).content.decode()
        assert "Lieu compris&#8239;: <strong>Angers (49)</strong>" in page
        assert "Où ? : Angers (49)" in page  # the chip
        assert "Jardin partagé du quartier" in page and "Potager collectif" not in page

    def test_a_commune_without_actions_offers_its_departement(self, client, catalogue):
        page = client.get(LIST, {"lieu": "Avrillé (49)"}).content.decode()
        assert "Aucune action à Avrillé (49)" in page
        assert 'href="?lieu=49">Voir les actions du département&#8239;: Maine-et-Loire (49)' in page

    def test_unknown_place_is_a_notice_not_an_error(self, client, catalogue):
        response = client.get(LIST, {"lieu": "Atlantide"})
        assert response.status_code == 200
        assert "« Atlantide » n’est ni une commune" in response.content.decode()

    def test_same_parameter_in_api_exports_feed_and_statistics(self, client, catalogue):
        expected = {catalogue[key].titre for key in relevance_set.ANGERS}
        api = client.get("/api/actions/", {"lieu": "49100", "page_size": 100}).json()
        assert {row["titre"] for row in api["results"]} == expected
        exported = json.loads(b"".join(client.get("/actions/export.json", {"lieu": "Angers"}).streaming_content))
        assert {row["titre"] for row in exported} == expected
        feed = client.get("/actions/flux.atom", {"q": "Angers"}).content.decode()
        assert all(title in feed for title in expected) and "Potager collectif" not in feed
        stats = client.get("/statistiques/", {"lieu": "Angers"})
        assert stats.status_code == 200 and stats.context["table"].total.total.count == len(expected)
        assert 'href="/actions/?lieu=Angers"' in stats.content.decode()  # its links keep the place

    def test_completion(self, client, catalogue):
        found = client.get("/actions/lieux.json", {"q": "ange"}).json()
        assert found[0] == "Angers (49)"
        assert client.get("/actions/lieux.json", {"q": "4910"}).json()[0] == "49100 Angers"
        assert client.get("/actions/lieux.json", {"q": "maine-et"}).json()[0] == "Maine-et-Loire (49)"
        assert client.get("/actions/lieux.json", {"q": "\x00"}).json() == []


class TestStopWords:
    def test_notice_and_suggestions_instead_of_everything(self, client, catalogue):
        page = client.get(LIST, {"q": "le été"}).content.decode()
        assert "ne contient que des mots trop courants" in page
        assert '<a href="/actions/?q=aide%20aux%20devoirs">aide aux devoirs</a>' in page
        assert 'aria-atomic="true">Aucune action' in page

    def test_stop_words_with_a_place_list_the_place(self, catalogue):
        assert titles({"q": "à Cholet"}) == {catalogue[key].titre for key in relevance_set.QUERIES[4][1]}


class TestThesaurus:
    def test_expand_replaces_the_longest_expression_by_its_group(self):
        groups = thesaurus.compile_groups([["aide aux devoirs", "CLAS", "soutien scolaire"]], {"aux"})
        assert thesaurus.expand(("aide", "devoir", "angers"), groups) == (
            (("aide", "devoirs"), ("clas",), ("soutien", "scolaire")),
            (("angers",),),
        )

    def test_highlighting_follows_the_expanded_terms(self, client, catalogue):
        page = client.get(LIST, {"q": "aide aux devoirs"}).content.decode()
        assert "<mark>CLAS</mark>" in page

    def test_an_edit_in_the_admin_changes_the_search_at_once(self, client, catalogue, world, login):  # noqa: F811
        assert titles({"q": "colline"}) == {"Jardin des pentes"}
        before = catalogue_version()
        national = login(world.users.fed_national)
        response = national.post(
            "/admin/actions/synonyme/add/", {"expressions": "colline\nimmeubles", "actif": "on"}, follow=True
        )
        assert response.status_code == 200 and Synonyme.objects.filter(expressions__startswith="colline").exists()
        assert catalogue_version() > before
        assert titles({"q": "colline"}) == {"Jardin des pentes", "Jardin partagé du quartier"}

    def test_only_national_staff_change_it(self, world, login):  # noqa: F811
        assert login(world.users.fed49).get("/admin/actions/synonyme/add/").status_code == 403
        assert login(world.users.fed49).get("/admin/actions/synonyme/").status_code == 200


def test_list_page_stays_light(client, db):
    """The list with the sample fiches, a query and a place: at most 60 KB of compressed HTML."""
    import gzip
    import io

    from django.core.management import call_command

    from tests.browser.conftest import SAMPLE_FICHES

    call_command("import_fiches", str(SAMPLE_FICHES), stdout=io.StringIO(), stderr=io.StringIO())
    for params in ({}, {"q": "jeunes", "lieu": "49"}):
        page = client.get(LIST, params).content
        assert len(gzip.compress(page)) <= 60 * 1024, params
