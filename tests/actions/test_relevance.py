"""The relevance test set (tests/actions/relevance_set.py): every query gets its expected fiches first, and every
query that names a place returns only fiches of that place."""

import pytest

from actions import places, thesaurus
from tests.actions import relevance_set


@pytest.fixture
def catalogue(db):
    return relevance_set.build()


def test_the_set_has_at_least_40_queries():
    assert len(relevance_set.QUERIES) >= 40
    assert len({text for text, _expected, _place in relevance_set.QUERIES}) == len(relevance_set.QUERIES)


QUERY_IDS = [text for text, _expected, _place in relevance_set.QUERIES]


@pytest.mark.parametrize(("text", "expected", "place"), relevance_set.QUERIES, ids=QUERY_IDS)
def test_expected_fiches_come_first(catalogue, text, expected, place):
    wanted = {catalogue[key].titre for key in expected}
    first = relevance_set.ranked(text, limit=len(expected))
    assert set(first) == wanted
    if place is not None:
        assert relevance_set.in_place(text, place)


def test_precision_at_5_is_better_with_the_thesaurus_and_the_places(catalogue, monkeypatch):
    after = relevance_set.precision_at_5(catalogue)
    # Before issue 19: no thesaurus, no place understood in the query (its words are searched as text).
    monkeypatch.setattr(thesaurus, "groups", lambda version=None: ())
    monkeypatch.setattr(places, "extract", lambda text, version=None: (None, text))
    before = relevance_set.precision_at_5(catalogue)
    print(f"precision at 5: before {before:.3f}, after {after:.3f}")
    assert after == 1.0
    assert before < after
