"""HTTP caching of the open data: ETag and Last-Modified from the catalogue version, 304, Cache-Control."""

import pytest
from django.utils.http import parse_http_date

from actions.models import Action
from tests.api.catalogue import build_catalogue, full_action

PAGE = "public, max-age=0, must-revalidate"
CACHEABLE = [
    ("/api/", "public, max-age=60"),
    ("/api/actions/?departement=49", "public, max-age=60"),
    ("/api/actions/{slug}/", "public, max-age=60"),
    ("/api/structures/", "public, max-age=60"),
    ("/api/openapi.json", "public, max-age=60"),
    ("/actions/flux.atom", "public, max-age=600"),
    ("/actions/flux.atom?departement=49", "public, max-age=600"),
    ("/actions/export.csv", "public, max-age=300"),
    ("/actions/export.xlsx?departement=49", "public, max-age=300"),
    ("/actions/export.json", "public, max-age=300"),
    ("/sitemap.xml", "public, max-age=3600"),
    ("/sitemap-actions.xml", "public, max-age=3600"),
    ("/statistiques/", "public, max-age=300"),
    ("/statistiques/tableau.csv", "public, max-age=300"),
    ("/statistiques/tableau.xlsx?departement=49", "public, max-age=300"),
    ("/", PAGE),
    ("/actions/?departement=49", PAGE),
    ("/actions/{slug}/", PAGE),
    ("/structures/", PAGE),
    ("/departements/49/", PAGE),
]


@pytest.fixture
def catalogue(db):
    return build_catalogue()


def fetch(client, url, **headers):
    response = client.get(url, headers=headers)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize(("url", "control"), CACHEABLE)
def test_conditional_get_answers_304_until_the_catalogue_changes(client, catalogue, url, control):
    url = url.format(slug=catalogue.actions.jardin.slug)
    first = fetch(client, url)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == control
    assert fetch(client, url)["ETag"] == etag  # stable while nothing changes

    again = fetch(client, url, if_none_match=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Cache-Control"] == control
    if url.startswith("/api/"):
        assert again["Access-Control-Allow-Origin"] == "*"
    assert fetch(client, url, if_modified_since=last_modified).status_code == 304  # feed readers send this one

    Action.objects.filter(pk=catalogue.actions.atelier.pk).update(state=Action.State.ARCHIVEE)  # a withdrawal
    changed = fetch(client, url, if_none_match=etag, if_modified_since=last_modified)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert parse_http_date(changed["Last-Modified"]) > parse_http_date(last_modified)
    assert fetch(client, url, if_modified_since=last_modified).status_code == 200


def test_a_304_runs_no_view_one_query(client, catalogue, django_assert_num_queries):
    etag = fetch(client, "/actions/export.csv")["ETag"]
    with django_assert_num_queries(1):  # the catalogue version
        assert fetch(client, "/actions/export.csv", if_none_match=etag).status_code == 304


def test_each_address_has_its_own_etag(client, catalogue):
    assert fetch(client, "/api/actions/")["ETag"] != fetch(client, "/api/actions/?departement=49")["ETag"]


def test_errors_and_other_pages_get_no_validators(client, catalogue):
    missing = fetch(client, "/api/actions/inconnue/")
    assert missing.status_code == 404 and "ETag" not in missing
    assert "ETag" not in fetch(client, "/api/actions/?page=abc")
    assert "ETag" not in fetch(client, "/donnees-ouvertes/")
    assert "ETag" not in fetch(client, "/actions/inconnue/")
    full_action("Nouvelle", catalogue.structures.angers)
    assert fetch(client, "/api/actions/").status_code == 200
