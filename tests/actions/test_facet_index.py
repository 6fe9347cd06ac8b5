"""The facet index's array operations against plain Python, on random indexes (no database)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from actions.facet_index import NONE, FacetIndex, tally, tally_pairs


@st.composite
def indexes(draw):
    size = draw(st.integers(min_value=1, max_value=40))
    ids = np.array(sorted(draw(st.sets(st.integers(1, 500), min_size=size, max_size=size))), dtype=np.int64)
    dimension = np.array(draw(st.lists(st.integers(0, 3), min_size=size, max_size=size)), dtype=np.int64)
    links = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(1, 6)), unique=True, max_size=120))
    rows = np.array([row for row, _ in links], dtype=np.int64)
    values = np.array([value for _, value in links], dtype=np.int64)
    newest = np.array(draw(st.permutations(range(size))), dtype=np.int64)
    return FacetIndex(ids, {"dimension": dimension}, {"mots_cles": (rows, values)}, newest)


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
        return shared, same, -index.newest[row]

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
