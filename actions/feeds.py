"""Atom feed of newly published actions: /actions/flux.atom, for the whole catalogue or any filtered list.

The feed takes the list's query string (`ActionFilterSet`: same filters, unknown values ignored) and always
orders by publication date, newest first; `page` and `tri` are ignored. Subscribing to
/actions/flux.atom?departement=49&dimension=citoyennete follows that search.
"""

import re
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

import catalogue
from actions.filters import ActionFilterSet

FEED_SIZE = 50
IGNORED_PARAMS = ("page", "tri")
# XML 1.0 forbids these characters: a query string or an imported fiche may still carry them.
XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(value):
    if isinstance(value, str):
        return XML_FORBIDDEN.sub("", value)
    if isinstance(value, list | tuple):
        return type(value)(xml_safe(item) for item in value)
    return value


class XMLSafeAtom1Feed(Atom1Feed):
    """Atom1Feed that drops the characters XML cannot hold instead of failing with a 500."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(xml_safe, args), **{key: xml_safe(value) for key, value in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(xml_safe, args), **{key: xml_safe(value) for key, value in kwargs.items()})


@dataclass
class FeedQuery:
    filterset: ActionFilterSet
    query_string: str  # the filters only, "" or "?…"


class ActionFeed(Feed):
    feed_type = XMLSafeAtom1Feed

    def get_object(self, request):
        filterset = ActionFilterSet(request.GET)
        params = request.GET.copy()
        for name in IGNORED_PARAMS:
            params.pop(name, None)
        return FeedQuery(filterset, f"?{params.urlencode()}" if params else "")

    def title(self, query):
        chips = [chip["label"] for chip in query.filterset.active_filters()]
        if chips:
            return f"Nouvelles actions des centres sociaux – {' ; '.join(chips)}"
        return "Nouvelles actions des centres sociaux"

    def subtitle(self, query):
        return "Les dernières actions publiées dans le catalogue des centres sociaux et des espaces de vie sociale."

    def link(self, query):
        return reverse("actions:list") + query.query_string

    def feed_url(self, query):
        return reverse("actions:feed") + query.query_string

    def items(self, query):
        """The newest FEED_SIZE matching actions, chosen in the catalogue's snapshot, read by primary key."""
        filterset = query.filterset
        ids = catalogue.snapshot().select(filterset).newest_ids(0, FEED_SIZE)
        return filterset.queryset.filter(pk__in=ids).for_cards().newest_first()

    def item_title(self, action):
        return action.titre

    def item_description(self, action):
        departement = action.structure.departement
        return format_html(
            "<p>{}</p><p>{} – {} ({})</p>", action.resume, action.structure.nom, departement.nom, departement.code
        )

    def item_author_name(self, action):
        return action.structure.nom

    def item_pubdate(self, action):
        return action.published_at

    def item_updateddate(self, action):
        return action.updated_at

    def item_categories(self, action):
        return [*([action.dimension.libelle] if action.dimension else []), *(k.libelle for k in action.mots_cles.all())]
