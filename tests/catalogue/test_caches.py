"""The read model and its two caches (catalogue/): pages and text matches served from the cache while nothing
changes, the snapshot built once per catalogue version, everything recounted at once after any change."""

import re

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from actions.fiches.loader import load_bytes
from actions.models import Action, MotCle
from catalogue import snapshot as catalogue_snapshot
from catalogue import version as catalogue_version
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


def test_another_address_of_the_same_text_query_reads_its_matches_from_the_cache(client, catalogue):
    queries(client, LIST, {"tri": "titre"})  # builds this catalogue version's snapshot
    cold, first = queries(client, LIST, {"q": "action", "mots_cles": "culture"})
    warm, second = queries(client, LIST, {"q": "action", "mots_cles": "culture", "utm_source": "lettre"})
    other, third = queries(client, LIST, {"mots_cles": "culture", "departement": ["72", "49"], "q": "action"})
    # The text query's matching ids, cached per (version, query); and the thesaurus and the names of places (3
    # queries), loaded into the snapshot with its first text query.
    assert warm == other == cold - 1 - 3
    assert result_count(first) == result_count(second) == 3
    expected = Action.objects.published().filter(structure__departement__code__in=["72", "49"]).count()
    assert result_count(third) == expected


def test_the_version_is_read_once_per_request(client, catalogue):
    with CaptureQueriesContext(connection) as context:
        client.get(LIST, {"q": "action", "mots_cles": "culture"})
    assert sum("catalogue_version()" in query["sql"] for query in context.captured_queries) == 1
    version = catalogue_version()  # outside a request: read each time
    ActionFactory()
    assert catalogue_version() == version + 1


def test_the_snapshot_is_built_once_per_catalogue_version(client, catalogue):
    cold, _ = queries(client, LIST, {"mots_cles": "culture"})
    other, _ = queries(client, LIST, {"tri": "titre"})
    # The snapshot: the index (the actions' own columns, their structures, one per many-to-many table, the order
    # of publication), the 7 vocabularies, régions and départements (the other options), the structures.
    assert other == cold - 6 - 7 - 2 - 1
    ActionFactory(mots_cles=["Culture"], structure=catalogue[0].structure)
    after_change, page = queries(client, LIST, {"tri": "titre"})
    # The changes since the snapshot's version (one action), then its index patched: the same 6 queries, over that
    # action's rows only (tests/catalogue/test_index.py checks the patch against a fresh index); the vocabularies,
    # structures and options are kept (only actions changed).
    assert after_change == other + 1 + 6
    assert result_count(page) == 4


def test_a_snapshot_is_immutable_and_replaced_whole(db, catalogue):
    first = catalogue_snapshot()
    assert catalogue_snapshot() is first
    with pytest.raises(AttributeError):
        first.version = 0
    ActionFactory(mots_cles=["Culture"], structure=catalogue[0].structure)
    second = catalogue_snapshot()
    assert second is not first and second.version > first.version
    assert (len(first.index), len(second.index)) == (3, 4)
    assert second.vocabularies is first.vocabularies  # only actions changed: shared
    MotCle.objects.create(libelle="Jardin")
    third = catalogue_snapshot()
    assert third.vocabularies is not second.vocabularies
    assert "Jardin" in [entry.libelle for entry in third.options["mots_cles"]]


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
    version = catalogue_version()
    change(catalogue)
    assert catalogue_version() > version
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
    version = catalogue_version()
    report = load_bytes(sample_fiche_bytes, "sample.txt")
    assert report.created and not report.errors
    assert catalogue_version() == version + 1
    unchanged = load_bytes(sample_fiche_bytes, "sample.txt")
    assert unchanged.unchanged == report.created
    assert catalogue_version() == version + 1  # nothing written, nothing to recount
    load_bytes(sample_fiche_bytes, "sample.txt", dry_run=True)
    assert catalogue_version() == version + 1


def test_the_version_rolls_back_with_the_change(db, catalogue):
    version = catalogue_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        ActionFactory()
        raise RuntimeError
    assert catalogue_version() == version


def test_a_missing_version_row_is_recreated(db):
    from actions.models import CatalogueVersion

    CatalogueVersion.objects.all().delete()
    assert catalogue_version() == 0
    MotCle.objects.create(libelle="Jardin")
    assert catalogue_version() == 1


def card_titles(page):
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', page)


@pytest.mark.parametrize("sort", ["titre", "recent"])
def test_every_page_reads_the_order_of_the_database(client, db, sort):
    for number in range(45):
        ActionFactory(titre=f"Action {number:02d}")
    ordered = Action.objects.published().order_by("titre") if sort == "titre" else Action.objects.published()
    if sort == "recent":
        ordered = ordered.newest_first()
    titles = list(ordered.values_list("titre", flat=True))
    for page in (1, 2, 3):
        listed = card_titles(client.get(LIST, {"tri": sort, "page": page}).content.decode())
        assert listed == titles[(page - 1) * 20 : page * 20]


@pytest.mark.parametrize("in_snapshot", [False, True], ids=["ordered in SQL", "ordered in the snapshot"])
def test_a_broad_query_lists_title_matches_first_then_newest(client, db, monkeypatch, in_snapshot):
    from datetime import timedelta

    from django.utils import timezone

    from actions import search, views

    now = timezone.now()
    old_title = ActionFactory(titre="Jardin des anciens", resume="Un potager.")
    in_text = [ActionFactory(titre=f"Fête {n}", resume="Autour du jardin partagé.") for n in range(3)]
    Action.objects.filter(pk=old_title.pk).update(published_at=now - timedelta(days=400))
    for days, action in enumerate(in_text):
        Action.objects.filter(pk=action.pk).update(published_at=now - timedelta(days=days))
    monkeypatch.setattr(search, "RANK_LIMIT", 2)  # 4 matches: too many to rank exactly
    if in_snapshot:  # too many to order by primary key lookup: the snapshot's order, title matches first
        monkeypatch.setattr(views, "FEW", 2)
    titles = card_titles(client.get(LIST, {"q": "jardin"}).content.decode())
    assert titles == ["Jardin des anciens", "Fête 0", "Fête 1", "Fête 2"]


def test_a_broad_query_first_page_reads_only_the_titles_of_its_newest_matches(client, db, monkeypatch):
    """When the newest matches hold enough title matches for the page, they are the page (every other title
    match is older): the order is the same as with every title match read."""
    from datetime import timedelta

    from django.utils import timezone

    from actions import search, views

    now = timezone.now()
    ages = {"Jardin A": 0, "Jardin B": 1, "Fête": 2, "Jardin C": 3}
    for titre, days in ages.items():
        action = ActionFactory(titre=titre, resume="Autour du jardin partagé.")
        Action.objects.filter(pk=action.pk).update(published_at=now - timedelta(days=days))
    monkeypatch.setattr(search, "RANK_LIMIT", 2)
    monkeypatch.setattr(views, "FEW", 2)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "BROAD_WINDOW", 1)
    monkeypatch.setattr(views, "BROAD_WINDOW_MIN", 1)
    with CaptureQueriesContext(connection) as first_page:
        first = card_titles(client.get(LIST, {"q": "jardin"}).content.decode())
    assert first == ["Jardin A", "Jardin B"]  # the two newest matches are both title matches
    assert not any(search.TITLE_MATCHING_SQL in query["sql"] for query in first_page.captured_queries)
    second = card_titles(client.get(LIST, {"q": "jardin", "page": 2}).content.decode())
    assert second == ["Jardin C", "Fête"]  # 3 title matches among the 4 newest: every title match read


def test_a_cached_page_is_never_served_after_a_change(client, db, django_assert_num_queries):
    action = ActionFactory(titre="Avant")
    client.get(action.get_absolute_url())
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
