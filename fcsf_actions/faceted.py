"""`FacetedFilterSet`: what a faceted public list needs from its django-filter FilterSet, whatever it lists.

Subclasses declare their filters, `FACETS` (the names of the facet filters, in display order: each has a
`queryset` of options or a fixed list of `options`, and a `LenientChoiceField` form field that sets aside unknown
values), `CHIP_FILTERS` (other filters shown as removable chips), a `query` (the parsed text search, false when
empty) and `order(queryset)`. They get: the options loaded once, the validated values, French notices for what was
ignored, the queryset without some filters (for facet counts, see actions/facets.py), chips and their removal URLs.

Used by structures.filters.StructureFilterSet; actions.filters.ActionFilterSet has the same methods (it predates
this module) and can inherit them from here.
"""

from urllib.parse import urlencode

import django_filters
from django.utils.functional import cached_property


class FacetedFilterSet(django_filters.FilterSet):
    FACETS = ()
    CHIP_FILTERS = ()

    # ── options and validation ──────────────────────────────────────────────────────────────────────────────

    @cached_property
    def options(self):
        """Every facet's options in display order: one small query per facet with a table of options, whatever is
        selected; none for fixed lists."""
        options = {}
        for name in self.FACETS:
            facet = self.filters[name]
            fixed = getattr(facet, "options", None)
            options[name] = list(fixed) if fixed is not None else list(facet.queryset.all())
        return options

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for name in self.FACETS:
                form.fields[name].options = self.options[name]
        return self._form

    @property
    def cleaned_data(self):
        self.errors  # noqa: B018 - validates the form
        return self.form.cleaned_data

    @cached_property
    def notices(self):
        """What was ignored in the query string, in French, for the page to show."""
        notices = []
        for name, field in self.form.fields.items():
            label = self.filters[name].label
            if name in self.form.errors:
                shown = str(self.data.get(name, ""))[:30].replace("\x00", "")
                notices.append(f"{label} : la valeur « {shown} » n’est pas valable, ce critère est ignoré.")
            for value in getattr(field, "rejected", []):
                notices.append(f"{label} : « {value} » est inconnu, ce critère est ignoré.")
        return notices

    # ── querysets ──────────────────────────────────────────────────────────────────────────────────────────

    def filtered(self, exclude=()):
        """The rows matching every valid filter except those named in `exclude`; not ordered."""
        queryset = self.queryset.all()
        for name, value in self.cleaned_data.items():
            if name not in exclude:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset):
        return self.order(self.filtered())

    def order(self, queryset):
        raise NotImplementedError

    # ── what the page shows about the active filters ───────────────────────────────────────────────────────

    def selected(self, name):
        return self.cleaned_data.get(name) or []

    def url_without(self, name=None, value=None):
        """The current query string without one value of one parameter (or without that parameter); no page."""
        params = []
        for key in self.data:
            if key == "page" or (key == name and value is None):
                continue
            for item in self.data.getlist(key) if hasattr(self.data, "getlist") else [self.data[key]]:
                if key == name and item == value:
                    continue
                params.append((key, item))
        return "?" + urlencode(params) if params else "?"

    def active_filters(self):
        """Chips: [{"label": …, "remove_url": …}], in the order of the form."""
        chips = []
        if self.query:
            chips.append({"label": f"Recherche : « {self.query.text} »", "remove_url": self.url_without("q")})
        for name in (*self.FACETS, *self.CHIP_FILTERS):
            facet = self.filters[name]
            for item in self.selected(name):
                chips.append(
                    {
                        "label": f"{facet.label} : {facet.option_label(item)}",
                        "remove_url": self.url_without(name, str(getattr(item, facet.key))),
                    }
                )
        return chips
