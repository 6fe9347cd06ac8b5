"""The facet index: its array operations against plain Python on random indexes (no database), and its patching
with the actions a catalogue version changed against a fresh load."""

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import catalogue
from actions.models import Action, CatalogueChange, MotCle, Partenaire
from catalogue.index import NONE, FacetIndex, tally, tally_pairs
from catalogue.read_model import changed_actions, index_columns
from tests.actions.factories import ActionFactory, varied_catalogue


@st.composite
def indexes(draw):
    size = draw(st.integers(min_value=1, max_value=40))
    ids = np.array(sorted(draw(st.sets(st.integers(1, 500), min_size=size, max_size=size))), dtype=np.int64)
    dimension = np.array(draw(st.lists(st.integers(0, 3), min_size=size, max_size=size)), dtype=np.int64)
    links = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(1, 6)), unique=True, max_size=120))
    rows = np.array([row for row, _ in links], dtype=np.int64)
    values = np.array([value for _, value in links], dtype=np.int64)
    published = np.array(draw(st.lists(st.integers(0, 5), min_size=size, max_size=size)), dtype=np.int64)
    return FacetIndex(ids, {"dimension": dimension}, {"mots_cles": (rows, values)}, published)


@settings(max_examples=200, deadline=None)
@given(index=indexes(), data=st.data())
def test_nearest_is_the_best_by_shared_then_same_then_newest(index, data):
    position = data.draw(st.integers(0, len(index) - 1))
    wanted = data.draw(st.sets(st.integers(1, 6), max_size=3))
    tie = data.draw(st.integers(0, 3))
    limit = data.draw(st.integers(1, 6))
    rows, values = index.multi["mots_cles"]

    def key(row):
        shared = sum(1 for r, v in zip(rows, values, strict=True) if r == row and v in wanted)
        same = tie != NONE and index.single["dimension"][row] == tie
        return shared, same, index.published[row], index.ids[row]  # newest: published last, then highest id

    eligible = [row for row in range(len(index)) if row != position and (key(row)[0] or key(row)[1])]
    expected = [int(index.ids[row]) for row in sorted(eligible, key=key, reverse=True)[:limit]]
    assert index.nearest(int(index.ids[position]), "mots_cles", wanted, "dimension", tie, limit) == expected


@given(st.lists(st.integers(0, 50)), st.lists(st.integers(0, 9)))
def test_tallies_count_like_python(firsts, seconds):
    size = min(len(firsts), len(seconds))
    firsts, seconds = np.array(firsts[:size], dtype=np.int64), np.array(seconds[:size], dtype=np.int64)
    assert tally(firsts) == {v: n for v, n in _count(firsts.tolist()).items() if v != NONE}
    assert tally(firsts, keep_none=True) == _count(firsts.tolist())
    assert tally_pairs(firsts, seconds) == _count(list(zip(firsts.tolist(), seconds.tolist(), strict=True)))


def _count(items):
    counts = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


# ── patching the index with the actions a version changed (database) ────────────────────────────────────────


def same_index(first, second):
    assert first.ids.tolist() == second.ids.tolist()
    assert {name: values.tolist() for name, values in first.single.items()} == {
        name: values.tolist() for name, values in second.single.items()
    }
    for name in first.multi:
        pairs = [
            sorted(zip(index.ids[rows].tolist(), values.tolist(), strict=True))
            for index in (first, second)
            for rows, values in [index.multi[name]]
        ]
        assert pairs[0] == pairs[1], name
    assert first.published.tolist() == second.published.tolist()
    assert first.newest.tolist() == second.newest.tolist()


def test_a_patched_index_equals_a_fresh_one(db, django_assert_max_num_queries):
    varied_catalogue(seed=3)
    before = catalogue.version()
    catalogue.snapshot()
    draft = Action.objects.filter(state=Action.State.BROUILLON).first()
    draft.state = Action.State.PUBLIEE
    draft.save()  # published
    archived = Action.objects.published().exclude(pk=draft.pk).first()
    archived.state = Action.State.ARCHIVEE
    archived.save()  # no longer published
    edited = Action.objects.published().order_by("-pk").first()
    edited.mots_cles.set([MotCle.objects.get_or_create_by_label("Numérique")[0]])
    edited.partenaires.clear()
    Action.objects.published().order_by("pk")[2].delete()
    MotCle.objects.get(cle="culture").actions.add(*Action.objects.published().order_by("pk")[3:6])  # reverse add
    ActionFactory(mots_cles=["Jardin"], titre="Nouvelle", structure=edited.structure)
    after = catalogue.version()
    assert changed_actions(before, after) is not None
    # The version; the changes; the changed rows, their structures, links, publication times.
    with django_assert_max_num_queries(9):
        patched = catalogue.snapshot()
    assert patched.version == after
    same_index(patched.index, FacetIndex.load(index_columns(), Action.objects.published()))


def test_newest_is_the_order_of_newest_first(db):
    varied_catalogue(seed=5)
    # Publication times with and without microseconds, and ties (highest id first).
    moments = [datetime(2026, 1, 1, 12, tzinfo=UTC), datetime(2026, 1, 1, 12, 0, 0, 5, tzinfo=UTC)]
    moments += [datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)]
    for number, pk in enumerate(Action.objects.published().order_by("pk").values_list("pk", flat=True)):
        Action.objects.filter(pk=pk).update(published_at=moments[number % 3])
    index = catalogue.snapshot().index
    in_order = list(Action.objects.published().newest_first().values_list("pk", flat=True))
    assert index.ids[np.argsort(index.newest)].tolist() == in_order
    everything = index.everything()
    assert index.newest_slice(everything, 0, len(index)) == in_order
    assert index.newest_slice(everything, 2, 5) == in_order[2:5]
    some = index.of_ids(in_order[::2])
    assert index.newest_slice(some, 1, 3) == in_order[::2][1:3]


def test_anything_else_reloads_every_action(db):
    varied_catalogue(seed=4)
    before = catalogue.version()
    action = Action.objects.published().first()
    action.save()
    assert changed_actions(before, catalogue.version()) == {action.pk}
    Partenaire.objects.create(libelle="Nouveau partenaire")
    assert changed_actions(before, catalogue.version()) is None  # a vocabulary: anything may change
    middle = catalogue.version()
    action.save()
    CatalogueChange.objects.filter(version=middle + 1).delete()  # pruned
    assert changed_actions(middle, catalogue.version()) is None
