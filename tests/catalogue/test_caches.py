"""Cached counts: served from the cache while nothing changes, recomputed at once after any change."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache as shared_cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from actions import cache
from actions.fiches.loader import load_bytes
from actions.models import Action, MotCle
from structures.models import Commune
from tests.actions.factories import ActionFactory
from tests.structures.factories import StructureFactory

LIST = "/actions/"


def count_label(page, facet, value):
    found = re.search(rf'<label for="f-{facet}-{value}"><span>[^<]*</span> <span class="count">(\d+)', page)
    return int(found.group(1)) if found else 0


def result_count(page):
    return int(re.search(r'id="result-count"[^>]*><strong>(\d+)</strong> action', page).group(1))


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as context:
        page = client.get(url, params or {}).content.decode()
    return len(context.captured_queries), page


@pytest.fixture
def catalogue(db):
    return [ActionFactory(mots_cles=["Culture"]) for _ in range(3)]


def test_second_request_of_an_address_is_the_cached_page(client, catalogue):
    cold, first = queries(client, LIST, {"mots_cles": "culture"})
    warm, second = queries(client, LIST, {"mots_cles": "culture"})
    assert (cold, warm) == (cold, 1)  # only the catalogue version
    assert first == second
    assert result_count(second) == 3


def test_another_address_of_the_same_filters_reads_the_counts_from_the_cache(client, catalogue):
    queries(client, LIST, {"tri": "titre"})  # builds this catalogue version's facet index
    cold, first = queries(client, LIST, {"q": "action", "mots_cles": "culture"})
    warm, second = queries(client, LIST, {"q": "action", "mots_cles": "culture", "utm_source": "lettre"})
    assert warm == cold - 2  # neither the text query's matching ids (for the counts) nor the ordered ids
    assert result_count(first) == result_count(second) == 3


def test_same_filters_in_another_order_share_the_entry(client, catalogue):
    queries(client, LIST, {"tri": "titre"})
    cold, _ = queries(client, LIST, {"q": "action", "departement": ["49", "72"], "mots_cles": "culture"})
    warm, _ = queries(client, LIST, {"mots_cles": "culture", "departement": ["72", "49", "49"], "q": "action"})
    other_cold, _ = queries(client, LIST, {"q": "action", "mots_cles": "culture", "departement": ["72"]})
    other_warm, _ = queries(client, LIST, {"departement": ["72"], "mots_cles": "culture", "q": "action"})
    assert warm == cold - 2
    assert other_warm < other_cold  # other filters, other entry (not the first one's)


def test_facet_index_is_built_once_per_catalogue_version(client, catalogue):
    cold, _ = queries(client, LIST, {"mots_cles": "culture"})
    other, _ = queries(client, LIST, {"tri": "titre"})
    # The index: the actions' own columns, their structures, one per many-to-many table, the order of publication;
    # and the 9 facets' options, kept in memory with it.
    assert other == cold - 6 - 9
    ActionFactory(mots_cles=["Culture"], structure=catalogue[0].structure)
    after_change, page = queries(client, LIST, {"tri": "titre"})
    # The changes since the index's version (one action), then the index patched: the same 6 queries, over that
    # action's rows only (tests/actions/test_facet_index.py checks the patch against a fresh index); the options
    # are kept (only actions changed).
    assert after_change == other + 1 + 6
    assert result_count(page) == 4


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda actions: ActionFactory(mots_cles=["Culture"]), id="new published action"),
        pytest.param(lambda actions: actions[0].mots_cles.clear(), id="mots-clés removed"),
        pytest.param(
            lambda actions: (setattr(actions[1], "state", Action.State.ARCHIVEE), actions[1].save()), id="archived"
        ),
        pytest.param(lambda actions: actions[2].delete(), id="deleted"),
        pytest.param(lambda actions: MotCle.objects.get(cle="culture").delete(), id="vocabulary entry deleted"),
    ],
)
def test_any_change_is_counted_at_once(client, catalogue, change):
    before = client.get(LIST).content.decode()
    version = cache.current_version()
    change(catalogue)
    assert cache.current_version() > version
    after = client.get(LIST).content.decode()
    expected = Action.objects.published().filter(mots_cles__cle="culture").count()
    assert count_label(after, "mots_cles", "culture") == expected
    assert count_label(before, "mots_cles", "culture") == 3
    assert result_count(after) == Action.objects.published().count()


def test_publishing_from_the_admin_workflow_invalidates_the_home_counts(client, catalogue):
    draft = ActionFactory(state=Action.State.BROUILLON)
    assert '<span class="count">3</span> Citoyenneté' in client.get("/").content.decode()
    draft.state = Action.State.PUBLIEE
    draft.save()
    assert '<span class="count">4</span> Citoyenneté' in client.get("/").content.decode()


def test_the_fiche_import_bumps_the_version_once_per_written_file(db):
    sample_fiche_bytes = (settings.BASE_DIR / "fixtures" / "fiches" / "actions-export-1.txt").read_bytes()
    version = cache.current_version()
    report = load_bytes(sample_fiche_bytes, "sample.txt")
    assert report.created and not report.errors
    assert cache.current_version() == version + 1
    unchanged = load_bytes(sample_fiche_bytes, "sample.txt")
    assert unchanged.unchanged == report.created
    assert cache.current_version() == version + 1  # nothing written, nothing to recount
    load_bytes(sample_fiche_bytes, "sample.txt", dry_run=True)
    assert cache.current_version() == version + 1


def test_the_version_rolls_back_with_the_change(db, catalogue):
    version = cache.current_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        ActionFactory()
        raise RuntimeError
    assert cache.current_version() == version


def test_a_missing_version_row_is_recreated(db):
    from actions.models import CatalogueVersion

    CatalogueVersion.objects.all().delete()
    assert cache.current_version() == 0
    MotCle.objects.create(libelle="Jardin")
    assert cache.current_version() == 1


def card_titles(page):
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', page)


def test_pages_past_the_cached_order_read_the_same_order(client, db, monkeypatch):
    for number in range(45):
        ActionFactory(titre=f"Action {number:02d}")
    expected = card_titles(client.get(LIST, {"tri": "titre", "page": 2}).content.decode())
    monkeypatch.setattr(cache, "ORDER_CACHED", 10)  # page 2 (rows 21–40) now lies past the cached ids
    cache.clear()
    assert card_titles(client.get(LIST, {"tri": "titre", "page": 2}).content.decode()) == expected
    assert expected == [f"Action {number:02d}" for number in range(20, 40)]


def test_a_broad_query_lists_title_matches_first_then_newest(client, db, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from actions import search

    now = timezone.now()
    old_title = ActionFactory(titre="Jardin des anciens", resume="Un potager.")
    in_text = [ActionFactory(titre=f"Fête {n}", resume="Autour du jardin partagé.") for n in range(3)]
    Action.objects.filter(pk=old_title.pk).update(published_at=now - timedelta(days=400))
    for days, action in enumerate(in_text):
        Action.objects.filter(pk=action.pk).update(published_at=now - timedelta(days=days))
    monkeypatch.setattr(search, "RANK_LIMIT", 2)  # 4 matches: too many to rank exactly
    titles = card_titles(client.get(LIST, {"q": "jardin"}).content.decode())
    assert titles == ["Jardin des anciens", "Fête 0", "Fête 1", "Fête 2"]


def test_local_pages_keep_the_most_recent_strings_only():
    pages = cache.LocalPages(2)
    pages.put("a", "<p>a</p>")
    pages.put("b", "<p>b</p>")
    assert pages.get("a") == "<p>a</p>"  # now the most recent
    pages.put("c", "<p>c</p>")
    assert (pages.get("a"), pages.get("b"), pages.get("c")) == ("<p>a</p>", None, "<p>c</p>")
    pages.put("counts", {"total": 3})  # a mutable value is only shared through the cache, as a copy
    assert pages.get("counts") is None


def test_a_page_in_process_memory_is_never_served_after_a_change(client, db, django_assert_num_queries):
    action = ActionFactory(titre="Avant")
    client.get(action.get_absolute_url())
    shared_cache.clear()  # only this process's copy is left
    with django_assert_num_queries(1):
        assert "Avant" in client.get(action.get_absolute_url()).content.decode()
    Action.objects.filter(pk=action.pk).update(titre="Après")
    assert "Après" in client.get(action.get_absolute_url()).content.decode()


def test_served_communes_changed_alone_show_at_once(client, db):
    """An itinerant structure shows on the pages of the départements it serves: changing them is a change."""
    bus = StructureFactory(nom="Bus des Mauges", itinerante=True, communes_desservies=["49007"])
    ActionFactory(structure=bus)
    assert "Bus des Mauges" not in client.get("/departements/72/").content.decode()
    bus.communes_desservies.add(Commune.objects.get(code="72181"))  # Le Mans; no save() of the structure
    assert "Bus des Mauges" in client.get("/departements/72/").content.decode()
