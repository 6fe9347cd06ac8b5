import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action, Dimension, Public, Statut
from actions.views import PAGE_SIZE, warm_up
from catalogue import caches
from catalogue import clear as clear_catalogue
from structures.models import Departement
from tests.actions.factories import ActionFactory
from tests.structures.factories import StructureFactory, commune

LIST = "/actions/"


def text(response):
    return response.content.decode()


@pytest.fixture
def catalogue(db):
    angers = StructureFactory(nom="Centre Angers", departement=Departement.objects.get(code="49"))
    le_mans = StructureFactory(nom="Centre Le Mans", departement=Departement.objects.get(code="72"))
    first = ActionFactory(titre="Jardin partagé", structure=angers, mots_cles=["Environnement", "Culture"])
    ActionFactory(titre="Fête de quartier", structure=angers, mots_cles=["Culture"])
    ActionFactory(titre="Atelier numérique", structure=le_mans, mots_cles=["Culture"])
    return first


class TestList:
    def test_lists_cards_with_facets_and_counts_in_labels(self, client, catalogue):
        response = client.get(LIST)
        page = text(response)
        assert response.status_code == 200
        assert "Jardin partagé" in page and "Centre Angers" in page
        assert re.search(
            r'<label for="f-departement-49"><span>Maine-et-Loire \(49\)</span> <span class="count">2', page
        )
        assert "<legend>Département" in page and 'aria-live="polite"' in page
        assert "Sarthe (72)" in page and "Nord (59)" not in page  # zero options hidden

    def test_query_highlights_and_chips(self, client, catalogue):
        page = text(client.get(LIST, {"q": "jardin", "departement": "49"}))
        assert "<mark>" in page or "Jardin partagé" in page
        assert "Recherche : « jardin »" in page and "Département : Maine-et-Loire (49)" in page
        assert "Tout effacer" in page
        assert "Fête de quartier" not in page

    def test_no_hit_suggests_and_explains(self, client, catalogue):
        page = text(client.get(LIST, {"q": "jardn partage"}))
        assert "Aucune action ne correspond à « jardn partage »" in page
        assert "Vouliez-vous dire" in page and reverse("actions:detail", args=["jardin-partage"]) in page

    @pytest.mark.parametrize(
        "query_string",
        [
            "page=abc",
            "page=99999",
            "page=-3",
            "page=1.5",
            "page=99999999999999999999999999",
            "departement=ZZ",
            "structure=abc",
            "region=1&region=%00",
            "dimension=" + "x" * 10000,
            "q=" + "é" * 10000,
            "q=%00",
            "q=%27%22%3C%3E%3Bselect*",
            "q=!%20%26%20|%20:*%20(",
            "q=les",
            "tri=zzz&tri=titre",
            "unknown=1&unknown=2",
            "mots_cles=culture&mots_cles=culture&mots_cles=&mots_cles=%20",
            "departement[]=49",
            "%00=%00",
            "q=jardin&page=0",
        ],
    )
    def test_malformed_query_strings_never_fail(self, client, catalogue, query_string):
        response = client.get(f"{LIST}?{query_string}")
        assert response.status_code == 200

    def test_invalid_values_show_a_notice_and_keep_the_other_filters(self, client, catalogue):
        page = text(client.get(LIST, {"departement": ["ZZ", "72"]}))
        assert "« ZZ » est inconnu" in page
        assert "Atelier numérique" in page and "Jardin partagé" not in page

    def test_page_beyond_the_last_shows_the_last_with_a_message(self, client, db):
        structure = StructureFactory()
        for number in range(PAGE_SIZE + 3):
            ActionFactory(titre=f"Action {number:02d}", structure=structure)
        page = text(client.get(LIST, {"page": "99999", "tri": "titre"}))
        assert "Il n’y a que 2 pages : voici la dernière." in page
        assert "Action 22" in page and "Action 00" not in page
        page = text(client.get(LIST, {"page": "abc", "tri": "titre"}))
        assert "n’est pas un numéro de page" in page and "Action 00" in page
        assert '<span aria-current="page"><span class="visually-hidden">Page </span>1</span>' in page
        assert "?page=2&amp;tri=titre" in page

    def test_query_count_does_not_grow_with_page_size_or_selected_facets(self, client, db):
        def queries(query_string):
            clear_catalogue()  # each page cold: its counts and the facet index are computed again
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"{LIST}?{query_string}").status_code == 200
            return len(captured)

        structure = StructureFactory()
        ActionFactory(structure=structure, mots_cles=["Culture"])
        one_row = queries("")
        for _number in range(PAGE_SIZE + 5):
            ActionFactory(structure=structure, mots_cles=["Culture", "Santé"], public=Public.objects.first())
        assert queries("") == one_row
        selected = "departement=49&departement=72&mots_cles=culture&mots_cles=sante&dimension=citoyennete"
        selected += "&public=tous-publics&statut=en-cours&territoire=un-quartier&region=52&partenaire=caf"
        selected += "&initiative=autre"
        assert queries(selected) <= one_row  # fewer when nothing matches: no page to fetch
        assert queries("departement=49&departement=72&mots_cles=culture&mots_cles=sante") == one_row
        # + the highlighted snippets on PostgreSQL, the thesaurus and the names of places (loaded into the catalogue's
        # snapshot with its first text query).
        assert queries("q=action&" + selected) <= one_row + 1 + 3

    def test_list_query_budget(self, client, catalogue, django_assert_max_num_queries):
        # Cold cache: catalogue version, 9 facets' options, the facet index (actions, structures, 3 link tables, order),
        # the text query's matching ids, ordered ids, cards, their mots-clés, highlighted snippets (PostgreSQL); the
        # thesaurus, the département names and the communes' name keys (with the snapshot's first text query).
        with django_assert_max_num_queries(24):
            client.get(LIST, {"q": "culture", "departement": ["49", "72"], "mots_cles": "culture"})
        # Other filters, same catalogue version: the facet index is reused.
        with django_assert_max_num_queries(15):
            client.get(LIST, {"q": "jardin", "departement": "49"})


class TestDetail:
    def test_sections_in_fiche_order_empty_ones_left_out(self, client, catalogue):
        catalogue.resume = "Ligne 1\n- point a\n- point b"
        catalogue.perspectives = "Continuer"
        catalogue.limites = ""
        catalogue.statut = Statut.objects.get(libelle="En cours")
        catalogue.save()
        page = text(client.get(catalogue.get_absolute_url()))
        headings = re.findall(r'<h2 id="section-\d+">([^<]+)</h2>', page)
        assert headings == ["Mots-clés", "Résumé", "Suite de l’action\u202f: perspectives"]
        assert '<p class="fiche-text">Ligne 1\n- point a\n- point b</p>' in page

    def test_links_to_the_filtered_list(self, client, catalogue):
        page = text(client.get(catalogue.get_absolute_url()))
        assert "/actions/?mots_cles=culture" in page and "/actions/?mots_cles=environnement" in page
        assert "/actions/?dimension=citoyennete" in page and "/actions/?structure=" in page
        assert reverse("structures:departement", args=["49"]) in page
        assert reverse("structures:structure", args=[catalogue.structure.slug]) in page

    def test_title_description_opengraph_print(self, client, catalogue):
        page = text(client.get(catalogue.get_absolute_url()))
        assert "<title>Jardin partagé – Actions des centres sociaux</title>" in page
        assert '<meta name="description" content="Un résumé de l’action.">' in page
        assert '<meta property="og:title" content="Jardin partagé">' in page
        assert 'css/print.css" media="print"' in page

    def test_similar_actions_nearest_first(self, client, catalogue):
        page = text(client.get(catalogue.get_absolute_url()))
        similar = page.split("Actions similaires")[1]
        assert similar.index("Fête de quartier") < similar.index("Atelier numérique") or "Fête de quartier" in similar
        assert "Jardin partagé" not in similar

    @pytest.mark.parametrize("state", ["brouillon", "soumise", "archivee"])
    def test_unpublished_are_404(self, client, db, state):
        action = ActionFactory(state=state)
        assert client.get(action.get_absolute_url()).status_code == 404

    def test_query_count(self, client, catalogue, django_assert_max_num_queries, django_assert_num_queries):
        catalogue.structure.commune = commune("49007")
        catalogue.structure.save()
        # First page after a change of anything: catalogue version, the action, the ids of its lists' entries, the
        # catalogue's snapshot (16: the 7 vocabularies, régions, départements, the structures, the facet index's 6,
        # see tests/catalogue/test_caches.py), the similar actions' links.
        with django_assert_num_queries(20):
            client.get(catalogue.get_absolute_url())
        caches.clear()
        # Another fiche's first visit: the snapshot in memory.
        with django_assert_num_queries(4):
            cold = client.get(catalogue.get_absolute_url()).content
        assert "Angers, <a" in cold.decode()  # the structure's commune
        with django_assert_num_queries(1):  # warm: the catalogue version, then the cached page
            assert client.get(catalogue.get_absolute_url()).content == cold

    def test_cached_page_follows_every_change(self, client, catalogue):
        url = catalogue.get_absolute_url()
        assert "Jardin partagé" in text(client.get(url))
        catalogue.titre = "Jardin des habitants"
        catalogue.save()
        assert "Jardin des habitants" in text(client.get(url))
        catalogue.structure.nom = "Centre renommé"
        catalogue.structure.save()
        assert "Centre renommé" in text(client.get(url))
        environnement = catalogue.mots_cles.get(libelle="Environnement")
        environnement.libelle = "Transition écologique"  # vocabularies are kept in each process's memory
        environnement.save()
        assert "Transition écologique" in text(client.get(url))
        catalogue.mots_cles.remove(environnement)
        assert "Transition écologique" not in text(client.get(url))
        catalogue.statut = Statut.objects.get(libelle="Terminée")
        catalogue.save()
        assert "Terminée" in text(client.get(url))
        catalogue.state = Action.State.ARCHIVEE
        catalogue.save()
        assert client.get(url).status_code == 404

    def test_warm_up_leaves_a_fiche_its_own_queries_only(self, client, catalogue, django_assert_num_queries):
        clear_catalogue()
        warm_up()
        with django_assert_num_queries(4):  # version, the fiche, its lists' ids, the similar actions' links
            client.get(catalogue.get_absolute_url())
        with django_assert_num_queries(3):  # a list: version, its cards (ids in the index's order), their mots-clés
            client.get(LIST, {"mots_cles": "culture"})

    def test_a_publish_elsewhere_reads_no_vocabulary_again(self, client, catalogue, django_assert_num_queries):
        client.get(catalogue.get_absolute_url())
        ActionFactory(titre="Nouvelle action", structure=catalogue.structure, mots_cles=["Culture"])
        # Version, the action, the changed actions (read once for the vocabularies and the index), its lists, the
        # index patch (the new action, its structure, its 3 lists, its publication time), the similar actions'
        # links: no vocabulary.
        with django_assert_num_queries(11):
            page = text(client.get(catalogue.get_absolute_url()))
        assert "Nouvelle action" in page  # among the similar actions

    def test_canonical_address_has_no_query_string_and_follows_the_host(self, client, catalogue):
        url = catalogue.get_absolute_url()
        page = text(client.get(url, {"utm_source": "lettre"}))
        assert f'<link rel="canonical" href="http://testserver{url}">' in page
        other = text(client.get(url, headers={"host": "localhost"}))
        assert f'<link rel="canonical" href="http://localhost{url}">' in other


class TestHomeAndPages:
    def test_home_counts_by_dimension_and_latest(self, client, catalogue, django_assert_max_num_queries):
        ActionFactory(dimension=Dimension.objects.get(libelle="Services"), titre="Service rendu")
        ActionFactory(titre="Pas publiée", state=Action.State.BROUILLON)
        # Cold cache: catalogue version, the catalogue's snapshot (16, dimensions included), latest cards and their
        # mots-clés.
        with django_assert_max_num_queries(19):
            page = text(client.get("/"))
        assert re.search(r'<span class="count">3</span> Citoyenneté', page)
        assert re.search(r'<span class="count">1</span> Services', page)
        assert "Service rendu" in page and "Pas publiée" not in page
        assert 'role="search"' in page

    @pytest.mark.parametrize("url", ["/donnees-ouvertes/", "/accessibilite/", "/mentions-legales/"])
    def test_footer_pages(self, client, db, url):
        response = client.get(url)
        assert response.status_code == 200
        assert url in text(client.get("/"))
