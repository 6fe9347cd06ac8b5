"""`StructureFilterSet`: the public directory's « these structures », for its list and its facet counts.

Same rules as the actions' list (actions/filters.py, whose query-string fields and facet filters it reuses):
GET only, invalid values left out with a notice, values of one facet are alternatives, facets combine.

    /structures/?q=tilleuls&departement=49&kind=centre_social&qpv=oui&itinerante=oui

Département and région mean *present in*: based there, or itinerant and serving one of its communes (the
`Presence` view), for the filter and its counts alike.
"""

import copy
from dataclasses import dataclass

import django_filters
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.functional import cached_property

from actions.facets import facet_counts
from actions.filters import FacetFilter, departement_label
from actions.search import SearchQuery
from fcsf_actions.faceted import FacetedFilterSet
from fcsf_actions.text import normalize_label
from structures.models import Departement, Presence, Region, Structure


@dataclass(frozen=True)
class Choice:
    """An option of a facet over a field with choices: `pk` is the stored value, `slug` the query string's."""

    pk: object
    slug: str
    label: str

    def __str__(self):
        return self.label


YES_NO = [Choice(True, "oui", "Oui"), Choice(False, "non", "Non")]


def choices(text_choices):
    return [Choice(value, value, label) for value, label in text_choices.choices]


class ChoiceFacetFilter(FacetFilter):
    """A facet over a field with a fixed list of values (choices, yes/no): no vocabulary table, no query."""

    def __init__(self, *, options, **kwargs):
        self.options = options
        super().__init__(queryset=None, to_field_name="slug", **kwargs)


class PresenceFacetFilter(FacetFilter):
    """Structures present in one of the chosen places: `field_name` goes through `presences`, the counts too.

    A subquery rather than a join: a structure present in two chosen départements is listed once."""

    def filter(self, qs, value):
        if not value:
            return qs
        path = self.field_name.removeprefix("presences__")
        present = Presence.objects.filter(**{f"{path}__in": [item.pk for item in value]})
        return qs.filter(pk__in=present.values("structure"))


class NameOrCommuneFilter(django_filters.CharFilter):
    """Every word in the structure's name or its commune's, whatever the case, accents and punctuation."""

    def filter(self, qs, value):
        for word in SearchQuery.parse(value).words:
            key = normalize_label(word)
            qs = qs.filter(Q(nom_cle__contains=key) | Q(commune__nom_cle__contains=key))
        return qs


class StructureFilterSet(FacetedFilterSet):
    q = NameOrCommuneFilter(label="Nom ou commune", max_length=200, strip=True)
    region = PresenceFacetFilter(
        label="Région", field_name="presences__departement__region", queryset=Region.objects.all(), to_field_name="code"
    )
    departement = PresenceFacetFilter(
        label="Département",
        field_name="presences__departement",
        queryset=Departement.objects.all(),
        to_field_name="code",
        option_label=departement_label,
    )
    kind = ChoiceFacetFilter(label="Type de structure", field_name="kind", options=choices(Structure.Kind))
    mode_gestion = ChoiceFacetFilter(
        label="Mode de gestion", field_name="mode_gestion", options=choices(Structure.ModeGestion)
    )
    qpv = ChoiceFacetFilter(label="En quartier prioritaire (QPV)", field_name="qpv", options=YES_NO)
    itinerante = ChoiceFacetFilter(label="Itinérante", field_name="itinerante", options=YES_NO)
    actions = ChoiceFacetFilter(label="Actions publiées", field_name="has_published_actions", options=YES_NO)

    FACETS = ("region", "departement", "kind", "mode_gestion", "qpv", "itinerante", "actions")
    # The values of one UNION must have one SQL type (PostgreSQL refuses to mix them): ids, text, yes/no apart.
    FACET_GROUPS = (("region", "departement"), ("kind", "mode_gestion"), ("qpv", "itinerante", "actions"))

    class Meta:
        model = Structure
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Structure.objects.with_published_actions()
        super().__init__(data if data is not None else {}, queryset, **kwargs)

    @cached_property
    def query(self):
        return SearchQuery.parse(self.cleaned_data.get("q") or "")

    def order(self, queryset):
        return queryset.order_by(Lower("nom"), "pk")

    def facet_counts(self):
        """{facet: {value: number of structures}}, by actions.facets.facet_counts: one query per FACET_GROUPS."""
        counts = {}
        for group in self.FACET_GROUPS:
            part = copy.copy(self)  # same data and validated form, fewer facets
            part.FACETS = group
            counts.update(facet_counts(part))
        return counts
