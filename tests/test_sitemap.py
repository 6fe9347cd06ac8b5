"""sitemap.xml (an index of one sitemap per section) lists published pages only; robots.txt points to it."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action
from tests.actions.factories import ActionFactory
from tests.api.catalogue import build_catalogue

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def catalogue(db):
    return build_catalogue()


def xml(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def all_locations(client):
    """Every address of every section listed by the index."""
    index = xml(client.get("/sitemap.xml"))
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert all(section.startswith("http://testserver/sitemap-") for section in sections)
    locations = []
    for section in sections:
        locations += [loc.text for loc in xml(client.get(section)).iter(f"{SITEMAP}loc")]
    return sections, locations


def test_index_lists_every_section(client, catalogue):
    sections, _ = all_locations(client)
    assert sections == [
        f"http://testserver/sitemap-{name}.xml" for name in ("pages", "actions", "structures", "departements")
    ]


def test_published_pages_only(client, catalogue):
    _, locations = all_locations(client)
    actions, structures = catalogue.actions, catalogue.structures
    for action in (actions.jardin, actions.fete, actions.atelier):
        assert f"http://testserver/actions/{action.slug}/" in locations
    for hidden in (actions.draft, actions.submitted):
        assert f"http://testserver/actions/{hidden.slug}/" not in locations
    assert f"http://testserver/structures/{structures.angers.slug}/" in locations
    assert f"http://testserver/structures/{structures.hidden.slug}/" not in locations  # no published action
    assert "http://testserver/departements/49/" in locations and "http://testserver/departements/72/" in locations
    assert "http://testserver/departements/59/" not in locations
    for page in ("/", "/actions/", "/donnees-ouvertes/", "/accessibilite/", "/mentions-legales/"):
        assert f"http://testserver{page}" in locations
    assert len(locations) == len(set(locations))


def test_last_modification_dates(client, catalogue):
    jardin = catalogue.actions.jardin
    # 23:30 UTC is already the next day in Paris: the date is the site's (Europe/Paris), as on its pages.
    Action.objects.filter(pk=jardin.pk).update(updated_at=datetime(2026, 1, 15, 23, 30, tzinfo=UTC))
    actions = xml(client.get("/sitemap-actions.xml"))
    urls = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in actions}
    assert urls[f"http://testserver/actions/{jardin.slug}/"] == "2026-01-16"


def test_query_count_does_not_grow_with_actions(client, catalogue, django_assert_num_queries):
    with CaptureQueriesContext(connection) as before:
        for section in ("actions", "structures", "departements"):
            client.get(f"/sitemap-{section}.xml")
    for _number in range(5):
        ActionFactory()
    with django_assert_num_queries(len(before)):
        for section in ("actions", "structures", "departements"):
            client.get(f"/sitemap-{section}.xml")


def test_unknown_section_is_404(client, db):
    assert client.get("/sitemap-inconnue.xml").status_code == 404


def test_robots_txt(client, db, settings):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert {"Disallow: /admin/", "Disallow: /api/", "Disallow: /actions/export.", "Allow: /"} <= set(lines)
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /actions/flux.atom" not in lines
    settings.ALLOWED_HOSTS = ["actions.example.org"]
    secure = client.get("/robots.txt", secure=True, headers={"host": "actions.example.org"})
    assert "Sitemap: https://actions.example.org/sitemap.xml" in secure.content.decode()


def test_favicon_ico_points_to_the_site_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/favicon")
    assert response["Location"].endswith(".svg")
