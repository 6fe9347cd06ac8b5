"""The Atom feed of newly published actions, for the whole catalogue and for a filtered list."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.feeds import FEED_SIZE
from actions.models import Action
from catalogue import snapshot as catalogue_snapshot
from tests.actions.factories import ActionFactory
from tests.api.catalogue import build_catalogue
from tests.structures.factories import StructureFactory

FEED = "/actions/flux.atom"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def catalogue(db):
    return build_catalogue()


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def entries(feed):
    return feed.findall(f"{ATOM}entry")


def titles(feed):
    return [entry.findtext(f"{ATOM}title") for entry in entries(feed)]


def test_whole_catalogue_newest_first_published_only(client, catalogue):
    Action.objects.filter(pk=catalogue.actions.jardin.pk).update(published_at=timezone.now() + timedelta(days=1))
    feed = parse(client.get(FEED))
    assert feed.findtext(f"{ATOM}title") == "Nouvelles actions des centres sociaux"
    assert titles(feed) == ["Jardin partagé", "Atelier numérique", "Fête de quartier"]
    assert "Brouillon caché" not in titles(feed) and "Soumise cachée" not in titles(feed)


def test_entry_carries_title_link_summary_structure_date_and_categories(client, catalogue):
    jardin = catalogue.actions.jardin
    feed = parse(client.get(FEED, {"departement": "49", "dimension": "citoyennete"}))
    entry = next(entry for entry in entries(feed) if entry.findtext(f"{ATOM}title") == "Jardin partagé")
    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver/actions/{jardin.slug}/"
    summary = entry.findtext(f"{ATOM}summary")
    assert "un résumé, avec « guillemets » et &quot;doubles&quot;" in summary  # HTML, escaped
    assert "Centre Angers – Maine-et-Loire (49)" in summary
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Centre Angers"
    assert datetime.fromisoformat(entry.findtext(f"{ATOM}published")) == jardin.published_at
    categories = [category.get("term") for category in entry.findall(f"{ATOM}category")]
    assert categories == ["Citoyenneté", "Culture", "Environnement"]


def test_filtered_feed_follows_the_list_query_string(client, catalogue):
    feed = parse(client.get(FEED, {"departement": "49", "page": "3", "tri": "titre"}))
    assert titles(feed) == ["Fête de quartier", "Jardin partagé"]  # newest first whatever `tri`
    assert feed.findtext(f"{ATOM}title") == "Nouvelles actions des centres sociaux – Département : Maine-et-Loire (49)"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == "http://testserver/actions/flux.atom?departement=49"
    assert links["alternate"] == "http://testserver/actions/?departement=49"
    assert titles(parse(client.get(FEED, {"q": "atelier"}))) == ["Atelier numérique"]
    assert titles(parse(client.get(FEED, {"departement": "75"}))) == []


def test_at_most_feed_size_entries(client, db):
    structure = StructureFactory()
    for number in range(FEED_SIZE + 2):
        ActionFactory(titre=f"Action {number:02d}", structure=structure)
    feed_titles = titles(parse(client.get(FEED)))
    assert len(feed_titles) == FEED_SIZE
    assert feed_titles[0] == f"Action {FEED_SIZE + 1:02d}" and "Action 00" not in feed_titles


def test_query_count_does_not_grow_with_entries(client, db, django_assert_num_queries):
    structure = StructureFactory()
    ActionFactory(structure=structure, mots_cles=["Culture"])
    catalogue_snapshot()  # built for the current version: not the feed's own queries
    with CaptureQueriesContext(connection) as one:
        client.get(FEED, {"departement": "49"})
    for _number in range(5):
        ActionFactory(structure=structure, mots_cles=["Culture", "Santé"])
    catalogue_snapshot()
    with django_assert_num_queries(len(one)):
        client.get(FEED, {"departement": "49"})


@pytest.mark.parametrize(
    "query_string",
    ["departement=ZZ", "q=%00", "q=" + "é" * 5000, "tri=zzz", "page=-1", "%00=%00", "structure=" + "x" * 500],
)
def test_malformed_query_strings_never_fail(client, catalogue, query_string):
    parse(client.get(f"{FEED}?{query_string}"))


def test_control_characters_in_the_query_or_the_fiche_never_break_the_feed(client, db):
    from xml.etree import ElementTree

    from tests.actions.factories import ActionFactory

    ActionFactory(titre="Atelier\x01 vélo", resume="Réparer\x0b ensemble.")
    for query in ({"q": "a\x01b"}, {"q": "vélo\x1f"}, {}):
        response = client.get("/actions/flux.atom", query)
        assert response.status_code == 200
        ElementTree.fromstring(response.content)
    assert b"Atelier v\xc3\xa9lo" in client.get("/actions/flux.atom").content
