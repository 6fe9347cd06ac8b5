"""`ActionFilterSet`: the one definition of « these actions » for the list, its facets, exports and the API.

Everything comes from the query string (GET only), so a search can be shared and bookmarked:

    /actions/?q=jardin&departement=49&departement=72&dimension=citoyennete&tri=recent

Invalid values never raise: an unknown code, a value too long, a NUL byte or text where a choice is expected is
left out, the remaining filters apply, and `notices` says what was ignored. Within one facet the values are
alternatives (`departement=49&departement=72`: actions in either); facets combine with each other.
"""

import django_filters
from django import forms
from django.db.models.functions import Lower
from django.utils.functional import cached_property

import catalogue
from actions import places, search, thesaurus
from actions.models import Action, Dimension, Initiative, MotCle, Partenaire, Public, Statut, Territoire
from fcsf_actions.faceted import FacetedFilterSet
from structures.models import Departement, Region, Structure

MAX_VALUE_LENGTH = 100
MAX_VALUES = 50


class LenientChoiceField(forms.Field):
    """Query-string values → the matching objects; unknown or malformed values go to `rejected`, never raise.

    `options` (set by the FilterSet) is the whole vocabulary, already loaded: matching costs no query.
    Without `options`, `queryset` is asked once.
    """

    def __init__(self, *, queryset=None, to_field_name="slug", multiple=True, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.SelectMultiple if multiple else forms.TextInput)
        super().__init__(**kwargs)
        self.queryset = queryset
        self.to_field_name = to_field_name
        self.multiple = multiple
        self.options = None
        self.rejected = []

    def clean(self, value):
        self.rejected = []
        values = value if isinstance(value, list | tuple) else [value]
        wanted = []
        for raw in values:
            if not isinstance(raw, str):
                continue
            raw = raw.strip()
            if not raw:
                continue
            if len(raw) > MAX_VALUE_LENGTH or "\x00" in raw or len(wanted) >= MAX_VALUES:
                self.rejected.append(raw.replace("\x00", "")[:30] + "…")
                continue
            if raw not in wanted:
                wanted.append(raw)
        if not wanted:
            return []
        if self.options is not None:
            index = {str(getattr(option, self.to_field_name)): option for option in self.options}
        else:
            found = self.queryset.filter(**{f"{self.to_field_name}__in": wanted})
            index = {str(getattr(option, self.to_field_name)): option for option in found}
        self.rejected += [raw for raw in wanted if raw not in index]
        return [index[raw] for raw in wanted if raw in index]


class FacetFilter(django_filters.Filter):
    """Actions whose `field_name` is one of the chosen objects. `many=True` for many-to-many fields."""

    field_class = LenientChoiceField

    def __init__(self, *, queryset, to_field_name="slug", many=False, multiple=True, option_label=str, **kwargs):
        self.many = many
        self.option_label = option_label
        super().__init__(queryset=queryset, to_field_name=to_field_name, multiple=multiple, **kwargs)

    @property
    def key(self):
        return self.extra["to_field_name"]

    @property
    def queryset(self):
        return self.extra["queryset"]

    def filter(self, qs, value):
        if not value:
            return qs
        ids = [item.pk for item in value]
        if self.many:
            # A subquery rather than a join: no duplicate rows, no DISTINCT.
            return qs.filter(pk__in=Action.objects.filter(**{f"{self.field_name}__in": ids}).values("pk"))
        return qs.filter(**{f"{self.field_name}__in": ids})


class SearchFilter(django_filters.CharFilter):
    """The text query as the filter set understood it (`ActionFilterSet.query`: a place taken out, the thesaurus
    applied); only stop words give no action (the page says why)."""

    def filter(self, qs, value):
        if self.parent is None:
            return search.filter_actions(qs, search.SearchQuery.parse(value))
        if self.parent.stop_words_only:
            return qs.none()
        query = self.parent.query
        return search.filter_actions(qs, query)


class PlaceFilter(django_filters.CharFilter):
    """« Où ? »: the actions of the structures located in the place or serving it (actions/places.py)."""

    def filter(self, qs, value):
        place = self.parent.place if self.parent is not None else None
        if place is None:
            return qs
        return qs.filter(structure_id__in=sorted(place.structure_ids))


SORTS = {
    "pertinence": "pertinence",
    "recent": "les plus récentes",
    "titre": "titre (A → Z)",
}


def departement_label(departement):
    return f"{departement.nom} ({departement.code})"


class ActionFilterSet(FacetedFilterSet):
    q = SearchFilter(label="Rechercher", max_length=200, strip=True)
    lieu = PlaceFilter(label="Où ?", max_length=places.MAX_LENGTH, strip=True)
    region = FacetFilter(
        label="Région", field_name="structure__departement__region", queryset=Region.objects.all(), to_field_name="code"
    )
    departement = FacetFilter(
        label="Département",
        field_name="structure__departement",
        queryset=Departement.objects.all(),
        to_field_name="code",
        option_label=departement_label,
    )
    dimension = FacetFilter(label="Dimension", field_name="dimension", queryset=Dimension.objects.all())
    statut = FacetFilter(label="Statut", field_name="statut", queryset=Statut.objects.all())
    public = FacetFilter(label="Public", field_name="public", queryset=Public.objects.all())
    territoire = FacetFilter(label="Territoire concerné", field_name="territoire", queryset=Territoire.objects.all())
    initiative = FacetFilter(label="Initiative", field_name="initiatives", queryset=Initiative.objects.all(), many=True)
    mots_cles = FacetFilter(label="Mots-clés", field_name="mots_cles", queryset=MotCle.objects.all(), many=True)
    partenaire = FacetFilter(
        label="Partenaires", field_name="partenaires", queryset=Partenaire.objects.all(), many=True
    )
    structure = FacetFilter(
        label="Structure",
        field_name="structure",
        queryset=Structure.objects.select_related("departement"),
        multiple=False,
        option_label=lambda structure: structure.nom,
    )
    tri = django_filters.ChoiceFilter(label="Trier par", choices=list(SORTS.items()), method="keep")

    FACETS = ("region", "departement", "dimension", "statut", "public", "territoire", "initiative", "mots_cles")
    FACETS += ("partenaire",)
    CHIP_FILTERS = ("structure",)

    class Meta:
        model = Action
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Action.objects.published()
        super().__init__(data if data is not None else {}, queryset, **kwargs)

    @cached_property
    def options(self):
        """The facets' options, from the catalogue's snapshot (read model): no query."""
        return catalogue.snapshot().options

    def keep(self, queryset, name, value):
        return queryset

    @cached_property
    def _place_and_words(self):
        """(place or None, the text the query's words come from, where the place came from: "lieu", "q" or "")."""
        text = self.cleaned_data.get("q") or ""
        wanted = self.cleaned_data.get("lieu") or ""
        if wanted:
            return places.resolve(wanted), text, "lieu"
        place, rest = places.extract(text) if text else (None, text)
        return place, rest, "q" if place else ""

    @property
    def place(self):
        return self._place_and_words[0]

    @property
    def text_without_place(self):
        return self._place_and_words[1]

    @property
    def place_source(self):
        return self._place_and_words[2]

    @cached_property
    def query(self):
        _place, words_of, _source = self._place_and_words
        return search.SearchQuery.parse(self.cleaned_data.get("q") or "", groups=thesaurus.groups, words_of=words_of)

    @cached_property
    def notices(self):
        notices = list(FacetedFilterSet.notices.func(self))
        wanted = self.cleaned_data.get("lieu") or ""
        if wanted and self.place is None:
            notices.append(places.unknown_notice(wanted))
        return notices

    @property
    def stop_words_only(self):
        return self.query.stop_words_only and self.place is None

    def signature(self):
        """What decides which actions match (not their order or page): equal signatures, equal sets. A cache key."""
        selected = [(name, sorted(item.pk for item in self.selected(name))) for name in (*self.FACETS, "structure")]
        words = self.query.tsquery if self.query else ("stop-words-only" if self.stop_words_only else ())
        return (words, self.place.key if self.place else None, selected)

    def active_filters(self):
        chips = FacetedFilterSet.active_filters(self)
        if self.place is not None:
            remove = self.url_without("lieu" if self.place_source == "lieu" else "q")
            chips.insert(1 if self.query else 0, {"label": f"Où ? : {self.place.label}", "remove_url": remove})
        return chips

    # ── querysets ──────────────────────────────────────────────────────────────────────────────────────────

    @property
    def sort(self):
        sort = self.cleaned_data.get("tri") or ""
        if sort == "pertinence" and not self.query:
            sort = ""
        return sort or ("pertinence" if self.query else "recent")

    def sort_choices(self):
        return [(key, label) for key, label in SORTS.items() if key != "pertinence" or self.query]

    # Set by a caller that already knows how many actions match (the list view, from its cached count): a broad
    # text query is then ordered cheaply (search.order_broad) instead of ranking every match.
    match_count = None

    def order(self, queryset):
        if self.sort == "pertinence":
            if self.match_count is not None and self.match_count > search.RANK_LIMIT:
                return search.order_broad(queryset, self.query)
            return search.order_by_relevance(queryset, self.query)
        if self.sort == "titre":
            return queryset.order_by(Lower("titre"), "pk")
        return queryset.newest_first()
