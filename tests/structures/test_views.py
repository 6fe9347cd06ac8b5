import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action, Dimension
from actions.views import PAGE_SIZE
from catalogue import caches
from structures.models import Departement, Structure
from structures.views import STRUCTURE_LATEST, map_url
from tests.actions.factories import ActionFactory
from tests.structures.factories import StructureFactory, commune

LIST = "/structures/"


def text(response):
    assert response.status_code == 200
    return response.content.decode()


def departement(code):
    return Departement.objects.get(code=code)


@pytest.fixture
def angers(db):
    structure = StructureFactory(
        nom="Maison pour tous",
        adresse="12 rue des Lices",
        commune=commune("49007"),
        code_postal="49000",
        telephone="02 41 00 00 00",
        email="accueil@mpt.example.org",
        site_web="https://mpt.example.org",
        siret="73282932000074",
        mode_gestion=Structure.ModeGestion.ASSOCIATIF,
        type_territoire=Structure.TypeTerritoire.URBAIN,
        population=12_500,
        qpv=True,
        membre_federation=True,
        date_premier_agrement="1998-09-01",
    )
    ActionFactory(titre="Jardin", structure=structure)
    ActionFactory(titre="Repas", structure=structure, dimension=Dimension.objects.get(libelle="Services"))
    ActionFactory(titre="Brouillon caché", structure=structure, state=Action.State.BROUILLON)
    return structure


@pytest.fixture
def bus(db):
    """An itinerant structure based in Maine-et-Loire, serving communes of the Sarthe and the Mayenne."""
    structure = StructureFactory(
        nom="Bus des Mauges", itinerante=True, communes_desservies=["72181", "53130"], mode_gestion="caf"
    )
    ActionFactory(titre="Permanence mobile", structure=structure)
    return structure


class TestStructurePage:
    def test_identity_and_published_actions(
        self, client, angers, django_assert_max_num_queries, django_assert_num_queries
    ):
        client.get(reverse("structures:structure", args=[angers.slug]))  # loads the facet index (its counts)
        caches.clear()
        # The catalogue version, the structure, its newest actions and their mots-clés.
        with django_assert_max_num_queries(4):
            page = text(client.get(reverse("structures:structure", args=[angers.slug])))
        with django_assert_num_queries(1):  # the catalogue version, then the cached page
            assert text(client.get(reverse("structures:structure", args=[angers.slug]))) == page
        assert "<h1>Maison pour tous</h1>" in page
        assert "12 rue des Lices<br>49000 Angers" in page
        assert 'href="tel:0241000000">02 41 00 00 00</a>' in page
        assert "mailto:accueil@mpt.example.org" in page and "https://mpt.example.org" in page
        assert "732 829 320 00074" in page
        assert "<dd>Associatif</dd>" in page and "<dd>Urbain</dd>" in page
        assert "Oui, en quartier prioritaire de la politique de la ville" in page
        assert "12\u00a0500 habitants" in page
        assert "1<sup>er</sup> septembre 1998" in page
        assert "Jardin" in page and "Repas" in page and "Brouillon caché" not in page
        assert reverse("structures:departement", args=["49"]) in page

    def test_map_link_when_the_statistics_exist(self, client, angers):
        page = text(client.get(reverse("structures:structure", args=[angers.slug])))
        assert f'href="{reverse("statistiques:index")}#dep-49">Voir sur la carte' in page
        assert map_url(angers.departement) == "/statistiques/#dep-49"
        with override_settings(ROOT_URLCONF="tests.structures.urls_without_statistiques"):
            assert map_url(angers.departement) == ""  # no link rather than an error

    def test_what_is_missing_is_never_shown_to_the_public(self, client, db):
        imported = Structure.objects.create(nom="Centre importé", departement=departement("49"))
        assert imported.missing_identity_fields()
        page = text(client.get(reverse("structures:structure", args=[imported.slug])))
        for label in ["compléter", "manquant", "SIRET", "Téléphone", "Courriel", "Mode de gestion", "renseign"]:
            assert label not in page, label
        assert "Centre importé" in text(client.get(LIST))

    def test_itinerant_structure_lists_the_communes_it_serves(self, client, bus):
        page = text(client.get(reverse("structures:structure", args=[bus.slug])))
        assert "Itinérante" in page and "se rend dans 2 communes" in page
        assert '<li>Laval (<a href="/departements/53/">' in page and "<li>Le Mans (" in page

    def test_a_busy_structure_shows_its_newest_actions_and_leads_to_all(self, client, angers):
        for number in range(STRUCTURE_LATEST):
            ActionFactory(titre=f"Atelier {number:02}", structure=angers)
        total = STRUCTURE_LATEST + 2
        page = text(client.get(reverse("structures:structure", args=[angers.slug])))
        assert f"Ses actions publiées ({total})" in page
        assert page.count('<article class="card">') == STRUCTURE_LATEST
        assert f'href="/actions/?structure={angers.slug}">Voir ses {total} actions</a>' in page
        assert "Atelier 19" in page and "Jardin" not in page  # the newest first

    def test_unknown_structure_is_404(self, client, db):
        assert client.get("/structures/inconnue/").status_code == 404


class TestDepartementPage:
    def test_counts_by_dimension(self, client, angers, django_assert_max_num_queries):
        StructureFactory(nom="Sans action publiée")
        # The catalogue version, the catalogue's snapshot (16, for the counts), then the page's 4.
        with django_assert_max_num_queries(21):
            page = text(client.get(reverse("structures:departement", args=["49"])))
        assert "<h1>Maine-et-Loire (49)</h1>" in page
        assert re.search(r"Citoyenneté</a></th><td>1</td>", page) and re.search(r"Services</a></th><td>1</td>", page)
        assert "Accompagnement de projets</th><td>0</td>" in page
        assert "Maison pour tous</a>, Angers – 2 actions" in page
        assert "Sans action publiée" not in page and "Brouillon caché" not in page
        assert "/actions/?departement=49&amp;dimension=services" in page
        assert "/structures/?departement=49" in page

    @pytest.mark.parametrize("code", ["72", "53"])
    def test_an_itinerant_structure_appears_in_each_departement_it_serves(self, client, bus, code):
        page = text(client.get(reverse("structures:departement", args=[code])))
        assert re.search(
            r'Bus des Mauges</a> \(Maine-et-Loire\) <span class="badge badge-itinerante">itinérante</span> – 1 action',
            page,
        )
        # Its actions stay those of its own département.
        assert "Aucune action publiée dans ce département" in page

    def test_and_in_its_own_departement_but_not_elsewhere(self, client, bus):
        assert re.search(r"Bus des Mauges</a> <span[^>]*>itinérante</span>", text(client.get("/departements/49/")))
        assert "Bus des Mauges" not in text(client.get("/departements/44/"))

    def test_departement_codes_are_exact(self, client, db):
        ActionFactory(structure=StructureFactory(departement=departement("2A")))
        assert client.get("/departements/2A/").status_code == 200
        assert client.get("/departements/ZZ/").status_code == 404
        assert client.get("/departements/" + "9" * 300 + "/").status_code == 404


@pytest.fixture
def directory(angers, bus):
    """Besides Angers' centre and the bus: an EVS in Maine-et-Loire, a centre in Nantes, the federation in Le Mans."""
    evs = StructureFactory(nom="Espace Élan", kind=Structure.Kind.EVS, mode_gestion="collectivite", qpv=False)
    nantes = StructureFactory(
        nom="Centre social Île de Nantes", departement=departement("44"), commune=commune("44109"), qpv=True
    )
    federation = StructureFactory(
        nom="Fédération de la Sarthe",
        kind=Structure.Kind.FEDERATION,
        departement=departement("72"),
        commune=commune("72181"),
    )
    return {"angers": angers, "bus": bus, "evs": evs, "nantes": nantes, "federation": federation}


def names(page):
    return re.findall(r'<h3><a href="/structures/[^"]+/">([^<]+)</a></h3>', page)


def option(page, facet, value):
    """(label, count, checked) of a facet's checkbox."""
    match = re.search(
        rf'<input type="checkbox" id="f-{facet}-{value}" name="{facet}" value="[^"]+"( checked)?>\s*'
        r'<label for="[^"]+"><span>([^<]+)</span> <span class="count">(\d+)<',
        page,
    )
    return match and (match[2], int(match[3]), bool(match[1]))


class TestDirectory:
    def test_lists_every_structure_by_name_with_counts(self, client, directory):
        page = text(client.get(LIST))
        assert names(page) == [
            "Bus des Mauges",
            "Centre social Île de Nantes",
            "Espace Élan",
            "Fédération de la Sarthe",
            "Maison pour tous",
        ]
        assert "<strong>5</strong> structures" in page
        assert option(page, "kind", "centre_social") == ("Centre social", 3, False)
        assert option(page, "kind", "evs") == ("Espace de vie sociale", 1, False)
        assert option(page, "departement", "49") == ("Maine-et-Loire (49)", 3, False)
        assert option(page, "departement", "72") == ("Sarthe (72)", 2, False)  # the federation, and the bus
        assert option(page, "departement", "53") == ("Mayenne (53)", 1, False)
        assert option(page, "region", "52") == ("Pays de la Loire", 5, False)  # once each
        assert option(page, "qpv", "oui") == ("Oui", 2, False) and option(page, "qpv", "non") == ("Non", 1, False)
        assert option(page, "itinerante", "oui") == ("Oui", 1, False)
        assert option(page, "actions", "oui") == ("Oui", 2, False) and option(page, "actions", "non")[1] == 3
        assert option(page, "mode_gestion", "caf") == ("CAF en gestion directe", 1, False)
        assert '<a href="/actions/?structure=maison-pour-tous-49"><strong>2</strong> actions publiées' in page
        assert 'aria-current="page">Structures</a>' in page and 'aria-current="page">Actions' not in page

    def test_departement_means_present_there(self, client, directory):
        page = text(client.get(LIST, {"departement": "53"}))
        assert names(page) == ["Bus des Mauges"]
        assert option(page, "departement", "53") == ("Mayenne (53)", 1, True)
        assert option(page, "departement", "49")[1] == 3  # a facet is counted without its own filter
        page = text(client.get(LIST, {"departement": ["72", "49"]}))
        assert names(page).count("Bus des Mauges") == 1 and len(names(page)) == 4

    def test_facets_combine_and_count_with_the_other_filters(self, client, directory):
        page = text(client.get(LIST, {"departement": "49", "kind": "centre_social"}))
        assert names(page) == ["Bus des Mauges", "Maison pour tous"]
        assert option(page, "kind", "evs") == ("Espace de vie sociale", 1, False)
        assert option(page, "qpv", "oui") == ("Oui", 1, False)
        assert option(page, "actions", "oui") == ("Oui", 2, False)
        page = text(client.get(LIST, {"actions": "oui", "itinerante": "non"}))
        assert names(page) == ["Maison pour tous"]
        page = text(client.get(LIST, {"qpv": ["oui", "non"], "mode_gestion": "collectivite"}))
        assert names(page) == ["Espace Élan"]
        assert "Mode de gestion : Collectivité locale" in page and "En quartier prioritaire (QPV) : Non" in page

    @pytest.mark.parametrize(
        "query, expected",
        [
            ("elan", ["Espace Élan"]),
            ("ÉLAN", ["Espace Élan"]),
            ("ile de nantes", ["Centre social Île de Nantes"]),
            ("angers", ["Maison pour tous"]),  # its commune
            ("ANGERS maison", ["Maison pour tous"]),
            ("le mans", ["Fédération de la Sarthe"]),  # commune « Le Mans »: the bus only serves it
            ("nantes", ["Centre social Île de Nantes"]),
            ("centre social", ["Centre social Île de Nantes"]),
            ("introuvable", []),
        ],
    )
    def test_search_on_name_and_commune_ignores_case_and_accents(self, client, directory, query, expected):
        page = text(client.get(LIST, {"q": query}))
        assert names(page) == expected
        if not expected:
            assert f"Aucune structure ne correspond à « {query} »" in page

    @pytest.mark.parametrize(
        "query_string",
        [
            "kind=inconnu",
            "departement=ZZ&departement=49",
            "qpv=peut-etre",
            "page=abc",
            "page=-1",
            "q=%00",
            "q=" + "é" * 5000,
            "region=1&region=%00",
            "actions=" + "x" * 10000,
            "%00=%00",
        ],
    )
    def test_malformed_query_strings_never_fail(self, client, directory, query_string):
        assert client.get(f"{LIST}?{query_string}").status_code == 200

    def test_invalid_values_show_a_notice_and_keep_the_other_filters(self, client, directory):
        page = text(client.get(LIST, {"departement": ["ZZ", "44"], "qpv": "peut-être"}))
        assert "Département : « ZZ » est inconnu, ce critère est ignoré." in page
        assert "En quartier prioritaire (QPV) : « peut-être » est inconnu, ce critère est ignoré." in page
        assert names(page) == ["Centre social Île de Nantes"]

    def test_pagination(self, client, db):
        for number in range(PAGE_SIZE + 3):
            StructureFactory(nom=f"Structure {number:02d}")
        page = text(client.get(LIST, {"page": "2"}))
        assert names(page) == ["Structure 20", "Structure 21", "Structure 22"]
        page = text(client.get(LIST, {"page": "99"}))
        assert "Il n’y a que 2 pages : voici la dernière." in page

    def test_query_count_does_not_grow_with_page_size_or_selected_filters(self, client, db):
        def queries(query_string):
            with CaptureQueriesContext(connection) as captured:
                text(client.get(f"{LIST}?{query_string}"))
            return len(captured)

        ActionFactory(structure=StructureFactory(qpv=True))
        one_row = queries("")
        for number in range(PAGE_SIZE + 5):
            structure = StructureFactory(itinerante=True, communes_desservies=["72181", "53130"], qpv=bool(number % 2))
            ActionFactory(structure=structure)
        assert queries("") == one_row == 8  # version, count, page, 3 facet groups, régions and départements
        selected = "departement=49&departement=72&region=52&kind=centre_social&kind=evs&mode_gestion=associatif"
        selected += "&qpv=oui&itinerante=oui&actions=oui&q=centre"
        assert queries(selected) <= one_row  # fewer when nothing matches: no page to fetch
        assert queries("departement=49&departement=72&region=52&kind=centre_social&qpv=oui&q=centre") == one_row
