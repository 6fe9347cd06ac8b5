"""Independent references for the statistics tests: counts computed in Python from the rows, and HTML reading."""

from collections import Counter
from html.parser import HTMLParser

from actions.models import Action

# Query-string parameter → what an action has for it (a set of values), read from the loaded objects.
ACTION_VALUES = {
    "region": lambda action: {action.structure.departement.region.code},
    "departement": lambda action: {action.structure.departement.code},
    "dimension": lambda action: {action.dimension.slug} if action.dimension else set(),
    "statut": lambda action: {action.statut.slug} if action.statut else set(),
    "public": lambda action: {action.public.slug} if action.public else set(),
    "territoire": lambda action: {action.territoire.slug} if action.territoire else set(),
    "initiative": lambda action: {initiative.slug for initiative in action.initiatives.all()},
    "mots_cles": lambda action: {keyword.slug for keyword in action.mots_cles.all()},
}


def matching(params):
    """Published actions with, for each parameter, at least one of its values: not through ActionFilterSet."""
    actions = (
        Action.objects.filter(state="publiee")
        .select_related("structure__departement__region", "dimension", "statut", "public", "territoire")
        .prefetch_related("mots_cles", "initiatives")
    )
    return [
        action
        for action in actions
        if all(ACTION_VALUES[name](action) & set(values) for name, values in params.items())
    ]


def expected_cells(actions):
    """{(département code, dimension slug or None): count}."""
    return Counter(
        (action.structure.departement.code, action.dimension.slug if action.dimension else None) for action in actions
    )


def expected_structures(actions, key):
    """{key(action): number of distinct structures}."""
    structures = {}
    for action in actions:
        structures.setdefault(key(action), set()).add(action.structure_id)
    return {value: len(ids) for value, ids in structures.items()}


class Elements(HTMLParser):
    """Every start tag of a document as (tag, attributes dict), in order."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def all(self, tag, **attributes):
        return [
            attrs
            for name, attrs in self.found
            if name == tag and all(attrs.get(key.replace("_", "-")) == value for key, value in attributes.items())
        ]
