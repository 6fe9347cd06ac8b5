"""The read-only JSON API: the same actions as the HTML list, details, pages, errors, CORS, query counts."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action
from actions.views import PAGE_SIZE
from api.http import MAX_PAGE_SIZE
from api.views import openapi_document
from opendata import fields
from structures.models import Departement
from tests.actions.factories import ActionFactory
from tests.api.catalogue import build_catalogue, full_action
from tests.structures.factories import StructureFactory


@pytest.fixture
def catalogue(db):
    return build_catalogue()


@pytest.fixture
def many(catalogue):
    """Enough actions for two HTML pages, with ties on the title to exercise the ordering's last key."""
    structure = StructureFactory(nom="Centre Nombreux")
    for number in range(PAGE_SIZE + 4):
        ActionFactory(titre=f"Atelier {number % 5}", structure=StructureFactory() if number >= 5 else structure)
    return catalogue


def get_json(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()


def html_slugs(client, query_string):
    slugs, number = [], 1
    while True:
        page = client.get(f"/actions/?{query_string}&page={number}").context["page"]
        slugs += [action.slug for action in page.object_list]
        if not page.has_next():
            return slugs
        number += 1


def api_slugs(client, query_string, page_size):
    slugs, url = [], f"/api/actions/?{query_string}&page_size={page_size}"
    while url:
        body = get_json(client, url)
        slugs += [action["slug"] for action in body["results"]]
        url = body["next"]
    return slugs


class TestActions:
    @pytest.mark.parametrize(
        "query_string",
        [
            "",
            "departement=49",
            "departement=49&departement=72&mots_cles=culture",
            "q=atelier",
            "q=atelier&tri=titre",
            "tri=titre",
            "tri=recent",
            "dimension=services",
            "region=52&statut=en-cours",
            "departement=ZZ&tri=zzz",
        ],
    )
    def test_list_equals_the_html_list(self, client, many, query_string):
        expected = html_slugs(client, query_string)
        assert expected
        for page_size in (PAGE_SIZE, 7, MAX_PAGE_SIZE):
            assert api_slugs(client, query_string, page_size) == expected
        assert get_json(client, f"/api/actions/?{query_string}")["count"] == len(expected)

    def test_published_only_with_every_fiche_field(self, client, catalogue):
        body = get_json(client, "/api/actions/", {"tri": "titre"})
        assert body["count"] == 3 and body["next"] is None and body["previous"] is None
        assert body["avertissements"] == []
        assert [action["titre"] for action in body["results"]] == [
            "Atelier numérique",
            "Fête de quartier",
            "Jardin partagé",
        ]
        detail = get_json(client, f"/api/actions/{catalogue.actions.jardin.slug}/")
        assert body["results"][2] == detail
        # the record of every format (opendata/fields.py): flat, same names and values as the CSV's columns
        assert list(detail) == fields.NAMES
        assert detail["id"] == catalogue.actions.jardin.pk
        assert detail["structure"] == catalogue.structures.angers.slug and detail["structure_nom"] == "Centre Angers"
        assert detail["partenaires"] == "Caf;Commune"
        assert detail["url"] == f"http://testserver/actions/{catalogue.actions.jardin.slug}/"
        assert detail["modifiee_le"]

    @pytest.mark.parametrize("state", ["brouillon", "soumise", "archivee"])
    def test_unpublished_are_404(self, client, catalogue, state):
        action = full_action("Pas publique", catalogue.structures.angers, state=state)
        body = get_json(client, f"/api/actions/{action.slug}/", status=404)
        assert body == {"erreur": f"Aucune action publiée n’a l’identifiant « {action.slug} »."}
        assert action.slug not in api_slugs(client, "", MAX_PAGE_SIZE)

    def test_unknown_filters_are_ignored_and_reported(self, client, catalogue):
        body = get_json(client, "/api/actions/", {"departement": ["ZZ", "72"]})
        assert [action["titre"] for action in body["results"]] == ["Atelier numérique"]
        assert body["avertissements"] == ["Département : « ZZ » est inconnu, ce critère est ignoré."]

    def test_pages_are_stable_and_complete(self, client, many):
        published = set(Action.objects.published().values_list("slug", flat=True))
        first = api_slugs(client, "tri=titre", 4)
        assert first == api_slugs(client, "tri=titre", 4)
        assert len(first) == len(published) and set(first) == published
        page_two = get_json(client, "/api/actions/", {"tri": "titre", "page_size": 4, "page": 2})
        assert page_two["previous"] == "http://testserver/api/actions/?tri=titre&page_size=4&page=1"
        assert page_two["next"] == "http://testserver/api/actions/?tri=titre&page_size=4&page=3"

    @pytest.mark.parametrize(
        ("params", "parameter", "message"),
        [
            ({"page_size": "0"}, "page_size", "page_size : « 0 » n’est pas un nombre entier positif ; donnez 1, 2, 3…"),
            ({"page_size": "abc"}, "page_size", "page_size : « abc » n’est pas un nombre entier positif"),
            ({"page_size": "101"}, "page_size", "page_size : 101 dépasse le maximum de 100 ; donnez 100 au plus."),
            ({"page_size": "١٠"}, "page_size", "n’est pas un nombre entier positif"),
            ({"page": "-1"}, "page", "page : « -1 » n’est pas un nombre entier positif"),
            ({"page": "1.5"}, "page", "page : « 1.5 »"),
            ({"page": "9" * 40}, "page", "page : 99999999999999999999… dépasse le maximum de 1000000"),
            ({"page": ""}, "page", "page : la valeur est vide ; donnez un nombre entier de 1 à 1000000, ou omettez"),
            ({"page": "1234567890123456789"}, "page", "page : 1234567890123456789 dépasse le maximum de 1000000"),
            ({"page_size": ""}, "page_size", "page_size : la valeur est vide"),
            ({"page_size": "1234567890123456789"}, "page_size", "page_size : 1234567890123456789 dépasse le maximum"),
            ({"page_size": "0" * 30 + "7", "page": "00"}, "page", "page : « 00 » n’est pas un nombre entier positif"),
        ],
    )
    def test_bad_page_parameters_are_400(self, client, catalogue, params, parameter, message):
        body = get_json(client, "/api/actions/", params, status=400)
        assert body["parametre"] == parameter and message in body["erreur"]

    def test_page_beyond_the_last_is_404(self, client, catalogue):
        body = get_json(client, "/api/actions/", {"page": "2"}, status=404)
        assert body == {
            "erreur": "page : la page 2 n’existe pas, il y a 1 page de 20 résultats au plus.",
            "parametre": "page",
        }
        empty = get_json(client, "/api/actions/", {"departement": "75"})
        assert empty["count"] == 0 and empty["results"] == []

    @pytest.mark.parametrize(
        "query_string",
        ["q=%00", "q=" + "é" * 5000, "region=1&region=%00", "dimension=" + "x" * 10000, "%00=%00", "structure=abc"],
    )
    def test_malformed_filters_never_fail(self, client, catalogue, query_string):
        get_json(client, f"/api/actions/?{query_string}")

    def test_query_count_does_not_grow_with_page_size(self, client, many):
        def queries(page_size):
            with CaptureQueriesContext(connection) as captured:
                get_json(client, "/api/actions/", {"page_size": page_size, "departement": ["49", "72"]})
            return len(captured)

        queries(MAX_PAGE_SIZE)  # reads the filters' options, then kept in this process's memory
        assert queries(1) == queries(MAX_PAGE_SIZE)


class TestStructuresDepartementsVocabularies:
    def test_structures_with_published_actions_only_no_contact(self, client, catalogue):
        catalogue.structures.angers.email = "direction@example.org"
        catalogue.structures.angers.save()
        body = get_json(client, "/api/structures/")
        assert [structure["nom"] for structure in body["results"]] == ["Centre Angers", "Centre Le Mans"]
        angers = body["results"][0]
        assert angers["nombre_actions"] == 2 and angers["departement"] == {"code": "49", "nom": "Maine-et-Loire"}
        assert "email" not in angers and "direction@example.org" not in str(body)
        assert angers == get_json(client, f"/api/structures/{catalogue.structures.angers.slug}/")
        assert angers["actions"] == f"http://testserver/api/actions/?structure={catalogue.structures.angers.slug}"
        get_json(client, f"/api/structures/{catalogue.structures.hidden.slug}/", status=404)

    def test_structures_by_departement(self, client, catalogue):
        body = get_json(client, "/api/structures/", {"departement": ["72", "ZZ"]})
        assert [structure["nom"] for structure in body["results"]] == ["Centre Le Mans"]
        assert body["avertissements"] == ["departement : « ZZ » est inconnu, ce critère est ignoré."]
        assert get_json(client, "/api/structures/", {"region": "52"})["count"] == 2
        assert get_json(client, "/api/structures/", {"region": "11"})["count"] == 0

    def test_departements(self, client, catalogue):
        body = get_json(client, "/api/departements/")
        assert body["count"] == 101
        maine = next(departement for departement in body["results"] if departement["code"] == "49")
        assert maine == get_json(client, "/api/departements/49/")
        assert maine["nombre_actions"] == 2 and maine["region"] == {"code": "52", "nom": "Pays de la Loire"}
        assert get_json(client, "/api/departements/2A/")["nom"] == "Corse-du-Sud"
        assert get_json(client, "/api/departements/59/")["nombre_actions"] == 0  # a submitted action only
        get_json(client, "/api/departements/ZZ/", status=404)

    @pytest.mark.parametrize("code", ["971X", "9710", "971zz", "049", "2a", "20", "97"])
    def test_departement_codes_are_exact(self, client, catalogue, code):
        body = get_json(client, f"/api/departements/{code}/", status=404)
        assert body == {"erreur": f"Aucun département n’a le code « {code} »."}

    def test_every_known_code_fits_the_documented_pattern(self, client, catalogue):
        operation = openapi_document()["paths"]["/api/departements/{code}/"]["get"]
        pattern = re.compile(operation["parameters"][0]["schema"]["pattern"])
        codes = list(Departement.objects.values_list("code", flat=True))
        assert len(codes) == 101 and all(pattern.fullmatch(code) for code in codes)
        assert not any(pattern.fullmatch(code) for code in ["971X", "9710", "20", "96", "00", "977"])
        assert get_json(client, "/api/departements/971/")["nom"] == "Guadeloupe"

    def test_vocabularies_name_the_filter_of_each(self, client, catalogue):
        body = get_json(client, "/api/vocabulaires/")
        names = [vocabulary["nom"] for vocabulary in body["results"]]
        assert names == ["dimensions", "statuts", "publics", "territoires", "initiatives", "mots-cles", "partenaires"]
        keywords = get_json(client, "/api/vocabulaires/mots-cles/")
        assert keywords["parametre"] == "mots_cles" and keywords["libelle"] == "Mots-clés"
        culture = next(value for value in keywords["valeurs"] if value["slug"] == "culture")
        assert culture["nombre_actions"] == 2  # the draft is not counted
        assert get_json(client, culture["actions"])["count"] == 2
        assert "dimensions, statuts" in get_json(client, "/api/vocabulaires/inconnu/", status=404)["erreur"]


class TestHttp:
    def test_index_and_unknown_addresses(self, client, db):
        index = get_json(client, "/api/")
        assert index["actions"] == "http://testserver/api/actions/"
        assert index["licence"]["nom"].startswith("Licence Ouverte")
        body = get_json(client, "/api/nimporte/quoi/", status=404)
        assert "la liste des adresses est à /api/" in body["erreur"]
        assert client.get("/api/actions").status_code == 301  # then the slash
        get_json(client, "/api/actions/pas un slug/", status=404)
        get_json(client, "/api/actions/%0Aligne/", status=404)  # a line break in the path is still JSON

    @pytest.mark.parametrize("url", ["/api/", "/api/actions/", "/api/actions/inconnue/", "/api/openapi.json"])
    def test_cors_on_every_answer(self, client, db, url):
        response = client.get(url, headers={"origin": "https://ailleurs.example"})
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response
        preflight = client.options(url, headers={"origin": "https://ailleurs.example"})
        assert preflight.status_code == 204
        assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"

    def test_cors_on_the_slash_redirect(self, client, db):
        response = client.get("/api/actions", {"page": "2"}, headers={"origin": "https://ailleurs.example"})
        assert response.status_code == 301 and response["Location"] == "/api/actions/?page=2"
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Location" in response["Access-Control-Expose-Headers"]

    def test_cors_on_the_rate_limiters_429(self, client, db, settings):
        settings.RATELIMITS = [{"name": "api", "path": r"^/api/", "param": "", "limit": 1, "window": 60}]
        cache.clear()
        try:
            assert client.get("/api/").status_code == 200
            refused = client.get("/api/", headers={"origin": "https://ailleurs.example"})
            assert refused.status_code == 429 and refused["Retry-After"]
            assert refused["Access-Control-Allow-Origin"] == "*"
            assert "Retry-After" in refused["Access-Control-Expose-Headers"]
            # A preflight is answered before the limiter counts (or refuses) it.
            assert client.options("/api/", headers={"origin": "https://ailleurs.example"}).status_code == 204
        finally:
            cache.clear()

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_read_only(self, client, catalogue, method):
        response = getattr(client, method)("/api/actions/")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert "lecture seule" in response.json()["erreur"]
        assert response["Access-Control-Allow-Origin"] == "*"

    def test_head(self, client, catalogue):
        response = client.head("/api/actions/")
        assert response.status_code == 200 and response.content == b""
