from typing import NamedTuple

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

import catalogue
from actions import exports, places, search
from actions.facets import build_facets
from actions.feeds import FEED_SIZE
from actions.filters import ActionFilterSet
from actions.models import Action
from api import http as api_http
from opendata.views import bulk_files
from structures import contact

PAGE_SIZE = 20

# The fiche's sections in the order of the fiche (see docs/fiche-format.md). Structure, statut and dimension open
# the page; the others follow, empty ones left out. Kind "text" keeps line breaks, "links" are filter links.
FICHE_SECTIONS = (
    ("fichiers_associes", "Fichier(s) associé(s)", "text"),
    ("raisons_fin", "Raisons pour lesquelles l’action est terminée", "text"),
    ("mots_cles", "Mots-clés", "links"),
    ("resume", "Résumé", "text"),
    ("initiatives", "Qui est à l’initiative de l’action\u202f?", "links"),
    ("precision_initiative", "Précision sur l’initiative", "text"),
    ("territoire", "Territoire concerné", "links"),
    ("description_experience", "Description de l’expérience, ses objectifs, ses acteurs et ses phases", "text"),
    ("public", "Public", "links"),
    ("partenaires", "Partenaires de l’action", "links"),
    ("description_generale", "Description générale", "text"),
    ("ressources_financieres", "Ressources financières mobilisées", "text"),
    ("nombre_personnes", "Nombre de personnes mobilisées", "text"),
    ("resultat_territoire", "Résultat sur le territoire", "text"),
    ("resultat_centre", "Résultat pour le centre social", "text"),
    ("resultat_habitants", "Résultat pour les habitants", "text"),
    ("limites", "Suite de l’action\u202f: limites", "text"),
    ("perspectives", "Suite de l’action\u202f: perspectives", "text"),
)
# Query-string parameter of the list filter each linked vocabulary field leads to.
FILTER_PARAMS = {
    "mots_cles": "mots_cles",
    "initiatives": "initiative",
    "territoire": "territoire",
    "public": "public",
    "partenaires": "partenaire",
}


def warm_up():
    """Builds the catalogue's snapshot (catalogue/: facet index, vocabularies, structures, the list filters'
    options) for the current version: called as a server process starts (gunicorn.conf.py), so that its first
    visitors do not wait for it (about 1 s at 100,000 actions)."""
    catalogue.warm_up()


@catalogue.cached_page
def home(request):
    total, dimensions = catalogue.snapshot().dimension_counts()
    latest = Action.objects.published().for_cards().newest_first()[:6]
    return render(request, "actions/home.html", {"total": total, "dimensions": dimensions, "latest": latest})


def paginate(queryset, number):
    """(page, notice): a page number that is not one, or beyond the last page, gives a page and a notice."""
    paginator = Paginator(queryset, PAGE_SIZE)
    notice = ""
    if number in (None, ""):
        return paginator.page(1), notice
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        return paginator.page(1), f"« {str(number)[:20]} » n’est pas un numéro de page : voici la première page."
    if wanted < 1:
        return paginator.page(1), "Les pages commencent à 1 : voici la première page."
    if wanted > paginator.num_pages:
        return (
            paginator.page(paginator.num_pages),
            f"Il n’y a que {paginator.num_pages} page{'s' if paginator.num_pages > 1 else ''} : voici la dernière.",
        )
    return paginator.page(wanted), notice


# Up to this many matches, a list ordered by relevance or title is ordered by primary key lookup rather than by
# applying the filters again in SQL (84 ms for « jardin partagé » and 3 filters at 100,000 actions).
FEW = 2000


class Listed:
    """The actions of a filtered list in their order, as Django's paginator wants them (`count()` and slices): the
    total from the catalogue's snapshot, the newest-first order from its index (a page is then one query by primary
    key), other orders from the database. A slice is a queryset (`cards=False`, for the API) or a list of cards."""

    def __init__(self, filterset, selection=None, *, cards=True):
        self.filterset, self.cards = filterset, cards
        self.selection = catalogue.snapshot().select(filterset) if selection is None else selection
        filterset.match_count = self.selection.total

    def count(self):
        return self.selection.total

    def __len__(self):
        return self.selection.total

    def __getitem__(self, item):
        filterset, selection = self.filterset, self.selection
        few = selection.ids(limit=FEW)
        if isinstance(item, slice) and not item.step and (filterset.sort == "recent" or few is None):
            start, stop = item.start or 0, selection.total if item.stop is None else item.stop
            if filterset.sort == "recent":
                ids = selection.newest_ids(start, stop)
                listed = filterset.queryset.filter(pk__in=ids).newest_first()
                return list(listed.for_cards()) if self.cards else listed
            if filterset.sort == "pertinence" and self.cards:  # search.order_broad, in the snapshot
                ids = self.broad_ids(start, stop)
                cards = Action.objects.for_cards().in_bulk(ids)
                return [cards[pk] for pk in ids if pk in cards]
        listed = filterset.qs if few is None else filterset.order(filterset.queryset.filter(pk__in=few))
        return list(listed.for_cards()[item]) if self.cards else listed[item]

    def broad_ids(self, start, stop):
        """The ids from `start` to `stop` of a broad text query in `search.order_broad`'s order (title matches first,
        newest first in each group). When the newest `BROAD_WINDOW × stop` matches hold at least `stop` title
        matches, those are the first `stop` of the order (every other title match is older): only their titles
        are read, not every title match (4,300 for « jardin partagé » at 100,000 actions)."""
        query, selection = self.filterset.query, self.selection
        if stop <= BROAD_WINDOW_STOP:
            window = selection.newest_ids(0, max(BROAD_WINDOW_MIN, BROAD_WINDOW * stop))
            in_title = set(search.title_matching_ids(query, among=window))
            titled = [pk for pk in window if pk in in_title]
            if len(titled) >= stop:
                return titled[start:stop]
        return selection.newest_ids(start, stop, first=catalogue.matching_ids(query, in_title=True))


# Listed.broad_ids: how many of a broad query's newest matches are looked at for title matches, for pages up to
# the `BROAD_WINDOW_STOP`-th card.
BROAD_WINDOW, BROAD_WINDOW_MIN, BROAD_WINDOW_STOP = 5, 100, 200


@catalogue.cached_page
def action_list(request):
    filterset = ActionFilterSet(request.GET)
    selection = catalogue.snapshot().select(filterset)
    page, page_notice = paginate(Listed(filterset, selection), request.GET.get("page"))
    search.add_snippets(page.object_list, filterset.query)
    context = {
        "filterset": filterset,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "notices": [*filterset.notices, *([page_notice] if page_notice else [])],
        "facets": build_facets(filterset, selection.facet_counts()),
        "chips": filterset.active_filters(),
        "query": filterset.query,
        "suggestions": search.suggestions(filterset.query) if filterset.query and not selection.total else [],
        **place_context(filterset, selection.total),
    }
    return render(request, "actions/list.html", context)


def place_context(filterset, total):
    """What the list says about the place it understood, and about a query of stop words only."""
    place = filterset.place
    context = {"place": place, "wider_place_url": "", "stop_words_only": filterset.stop_words_only}
    if place is not None and not total and place.kind == "commune" and place.departement is not None:
        params = filterset.data.copy()
        params.pop("page", None)
        if filterset.place_source == "q":
            params["q"] = filterset.text_without_place
        params["lieu"] = place.departement.code
        context["wider_place_url"] = "?" + params.urlencode()
        context["wider_place_label"] = f"{place.departement.nom} ({place.departement.code})"
    if filterset.stop_words_only:
        context["stop_words_examples"] = STOP_WORDS_EXAMPLES
    return context


# Offered when a query is only stop words: searches that find something in any catalogue of social centres.
STOP_WORDS_EXAMPLES = ("aide aux devoirs", "jardin partagé", "parentalité", "numérique", "seniors")


@require_safe
def place_completions(request):
    """["Angers (49)", …]: communes, postcodes and départements starting like `q`, for the « Où ? » field."""
    return JsonResponse(places.completions(request.GET.get("q", "")[:100]), safe=False)


def fiche_sections(action, lists):
    """The fiche's non-empty sections; `lists` gives each list field's entries in display order."""
    list_url = reverse("actions:list")
    sections = []
    for name, title, kind in FICHE_SECTIONS:
        if kind == "text":
            value = getattr(action, name)
            if value and value.strip():
                sections.append({"title": title, "text": value.strip()})
            continue
        items = lists[name] if name in lists else [entry] if (entry := getattr(action, name)) else []
        if items:
            param = FILTER_PARAMS[name]
            links = [{"label": item.libelle, "url": f"{list_url}?{param}={item.slug}"} for item in items]
            sections.append({"title": title, "links": links})
    return sections


class SimilarAction(NamedTuple):
    titre: str
    url: str
    structure_nom: str
    departement_nom: str


def similar_actions(action, keyword_ids, limit=4):
    """Published actions near this one: the most mots-clés shared with it, then the same dimension, then the
    newest; completed by the newest of its dimension. Ranked in the catalogue's snapshot over every published
    action, then one query for what their links show (values: no model to build)."""
    ids = catalogue.snapshot().nearest(action.pk, keyword_ids, action.dimension_id, limit)
    rows = Action.objects.published().filter(pk__in=ids).order_by()
    rows = rows.values_list("pk", "titre", "slug", "structure__nom", "structure__departement__nom")
    found = {pk: (titre, slug, structure, departement) for pk, titre, slug, structure, departement in rows}
    return [
        SimilarAction(titre, reverse("actions:detail", args=[slug]), structure, departement)
        for titre, slug, structure, departement in (found[pk] for pk in ids if pk in found)
    ]


@catalogue.cached_page
def action_detail(request, slug):
    """A published fiche. Read far more often than it changes: cached whole (see `cached_page`), any edit,
    publish or withdrawal shows at once. Its structure and vocabulary entries come from the catalogue's snapshot:
    two queries for the fiche (its row, the ids of its lists' entries), one for the similar actions' links."""
    action = get_object_or_404(Action.objects.published(), slug=slug)
    return render(request, "actions/detail.html", detail_context(request, action))


def detail_context(request, action, preview=False):
    snapshot = catalogue.snapshot()
    # Absent only if a structure was created since the snapshot's version was read: then read from the database.
    action.structure = snapshot.structures.get(action.structure_id) or action.structure
    entries = snapshot.vocabularies
    for name in Action.VOCABULARY_FIELDS:
        field = Action._meta.get_field(name)
        entry_id = getattr(action, field.attname)
        setattr(action, name, entries[field.related_model].get(entry_id) if entry_id else None)
    linked = action.list_entry_ids()
    lists = {
        name: [entry for pk, entry in entries[Action._meta.get_field(name).related_model].items() if pk in linked[name]]
        for name in Action.LIST_FIELDS
    }
    return {
        "action": action,
        "preview": preview,
        "page_url": request.build_absolute_uri(reverse("actions:detail", args=[action.slug])),  # no query string
        "sections": fiche_sections(action, lists),
        "similar": [] if preview else similar_actions(action, linked["mots_cles"]),
        "contact": contact.public_contact(action.structure),
        "contact_form": contact.ContactForm(),
        "description": Truncator(" ".join(action.resume.split())).chars(160) or f"Une action de {action.structure.nom}",
    }


@never_cache
def preview_response(request, action):
    """The public page of any fiche, marked « Aperçu — non publiée », never indexed nor cached: the admin's
    preview (ActionAdmin.preview_view checks who may see it)."""
    response = render(request, "actions/detail.html", detail_context(request, action, preview=True))
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# Open data: the list's query string gives the same actions (ActionFilterSet), every row, in the list's order.


@require_safe
def export_csv(request):
    return exports.csv_response(ActionFilterSet(request.GET).qs, request)


@require_safe
def export_xlsx(request):
    return exports.xlsx_response(ActionFilterSet(request.GET).qs, request)


@require_safe
def export_json(request):
    return exports.json_response(ActionFilterSet(request.GET).qs, request)


def open_data(request):
    context = {
        "columns": exports.column_docs(),
        "bulk_files": bulk_files(),
        "site_root": request.build_absolute_uri("/").rstrip("/"),
        "example": Action.objects.published().newest_first().values_list("slug", flat=True).first() or "SLUG",
        "page_size": api_http.DEFAULT_PAGE_SIZE,
        "max_page_size": api_http.MAX_PAGE_SIZE,
        "feed_size": FEED_SIZE,
    }
    return render(request, "pages/donnees_ouvertes.html", context)
