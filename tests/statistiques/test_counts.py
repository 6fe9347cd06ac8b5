"""`count_actions` (from the catalogue's snapshot) against counts made one action at a time in Python."""

from collections import Counter

from django.http import QueryDict

from actions.filters import ActionFilterSet
from statistiques.counts import BREAKDOWNS, count_actions
from tests.actions.factories import varied_catalogue

QUERY_STRINGS = [
    "",
    "departement=49&departement=59",
    "region=52",
    "dimension=citoyennete",
    "mots_cles=culture&mots_cles=sante",
    "q=jardin",
    "q=repas&public=jeunesse",
    "initiative=autre&territoire=un-quartier",
    "q=introuvable",
]
SINGLE = {"statut": "statut_id", "public": "public_id", "territoire": "territoire_id"}
MANY = {"initiative": "initiatives", "mots_cles": "mots_cles"}


def counted_one_by_one(filterset):
    actions = list(filterset.filtered().select_related("structure").prefetch_related(*MANY.values()))
    cells = Counter((action.structure.departement_id, action.dimension_id) for action in actions)
    by_departement = {(action.structure.departement_id, action.structure_id) for action in actions}
    breakdowns = {name: Counter(getattr(action, column) for action in actions) for name, column in SINGLE.items()}
    for name, field in MANY.items():
        breakdowns[name] = Counter(
            value for action in actions for value in ([item.pk for item in getattr(action, field).all()] or [None])
        )
    return dict(cells), dict(Counter(departement for departement, _ in by_departement)), breakdowns


def test_counts_equal_one_by_one(db):
    varied_catalogue(seed=7)
    assert set(BREAKDOWNS) == set(SINGLE) | set(MANY)
    totals = set()
    for query_string in QUERY_STRINGS:
        filterset = ActionFilterSet(QueryDict(query_string))
        counts = count_actions(filterset)
        cells, structures, breakdowns = counted_one_by_one(filterset)
        assert counts.cells == cells, query_string
        assert counts.structures == structures, query_string
        assert counts.breakdowns == {name: dict(counter) for name, counter in breakdowns.items()}, query_string
        totals.add(counts.total)
    assert len(totals) > 4  # the query strings select different sets
