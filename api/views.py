"""The read-only JSON API: published actions (the list's filters, `ActionFilterSet`), the structures that have
some, départements and vocabularies. Described by api/schema.py, served at /api/openapi.json."""

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from actions.filters import ActionFilterSet
from actions.models import Action
from actions.views import Listed
from api import schema
from api.http import ApiError, api_view, json_response, paginated
from opendata.fields import absolute_url_maker, fiche_rows, record_maker
from structures.models import Departement, Region, Structure

LICENCE = {
    "nom": "Licence Ouverte / Open Licence version 2.0 (Etalab)",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}

# Vocabulary name in the URL → the ActionFilterSet parameter that filters actions by it (its model and label).
VOCABULARIES = {
    "dimensions": "dimension",
    "statuts": "statut",
    "publics": "public",
    "territoires": "territoire",
    "initiatives": "initiative",
    "mots-cles": "mots_cles",
    "partenaires": "partenaire",
}


def _get(queryset, message, **lookup):
    found = queryset.filter(**lookup).first()
    if found is None:
        raise ApiError(404, message)
    return found


def _api_url(request, url_name, query=None, **kwargs):
    url = request.build_absolute_uri(reverse(f"api:{url_name}", kwargs=kwargs))
    return f"{url}?{urlencode(query)}" if query else url


def _place(place):
    return {"code": place.code, "nom": place.nom}


@api_view
def index(request):
    return json_response(
        {
            "nom": "Actions des centres sociaux : API des données ouvertes",
            "documentation": request.build_absolute_uri(reverse("actions:open_data")),
            "schema": _api_url(request, "openapi"),
            "licence": LICENCE,
            "actions": _api_url(request, "actions"),
            "structures": _api_url(request, "structures"),
            "departements": _api_url(request, "departements"),
            "vocabulaires": _api_url(request, "vocabularies"),
        }
    )


@api_view
def openapi(request):
    return json_response(schema.openapi_schema())


@api_view
def not_found(request):
    raise ApiError(404, f"Rien à l’adresse {request.path[:200]} : la liste des adresses est à /api/.")


# ── actions ────────────────────────────────────────────────────────────────────────────────────────────────


@api_view
def action_list(request):
    filterset = ActionFilterSet(request.GET)
    record = record_maker(absolute_url_maker(request))
    body = paginated(
        request,
        Listed(filterset, cards=False),  # counted and, newest first, ordered in the catalogue's snapshot
        lambda actions: [record(row) for row in fiche_rows(actions)],
        avertissements=filterset.notices,
    )
    return json_response(body)


@api_view
def action_detail(request, slug):
    row = next(fiche_rows(Action.objects.published().filter(slug=slug)), None)
    if row is None:
        raise ApiError(404, f"Aucune action publiée n’a l’identifiant « {slug} ».")
    return json_response(record_maker(absolute_url_maker(request))(row))


# ── structures and départements ────────────────────────────────────────────────────────────────────────────


def public_structures():
    """The structures that have published actions, with their number; no contact person's data."""
    published = Action.objects.published()
    return (
        Structure.objects.filter(pk__in=published.values("structure"))
        .select_related("departement__region", "commune")
        .annotate(nombre_actions=Count("actions", filter=Q(actions__in=published)))
    )


def structure_record(request, structure):
    return {
        "slug": structure.slug,
        "nom": structure.nom,
        "type": structure.kind or None,
        "type_libelle": structure.get_kind_display() or None,
        "commune": structure.commune.nom if structure.commune else "",
        "commune_insee": structure.commune.code if structure.commune else None,
        "code_postal": structure.code_postal,
        "siret": structure.siret or None,
        "site_web": structure.site_web,
        "departement": _place(structure.departement),
        "region": _place(structure.departement.region),
        "nombre_actions": structure.nombre_actions,
        "url": request.build_absolute_uri(reverse("structures:structure", kwargs={"slug": structure.slug})),
        "actions": _api_url(request, "actions", {"structure": structure.slug}),
    }


def _codes(request, name, known):
    """The values of the repeatable parameter `name` found in `known`, and a notice for each other one."""
    values = [value.strip() for value in request.GET.getlist(name) if value.strip()]
    unknown = [value for value in values if value not in known]
    notices = [f"{name} : « {value[:30]} » est inconnu, ce critère est ignoré." for value in unknown]
    return [value for value in values if value in known], notices


@api_view
def structure_list(request):
    structures = public_structures().order_by("nom", "pk")
    notices = []
    for name, lookup, model in (
        ("departement", "departement__code", Departement),
        ("region", "departement__region__code", Region),
    ):
        codes, unknown = _codes(request, name, set(model.objects.values_list("code", flat=True)))
        notices += unknown
        if codes:
            structures = structures.filter(**{f"{lookup}__in": codes})
    body = paginated(
        request,
        structures,
        lambda page: [structure_record(request, structure) for structure in page],
        avertissements=notices,
    )
    return json_response(body)


@api_view
def structure_detail(request, slug):
    message = f"Aucune structure ayant des actions publiées n’a l’identifiant « {slug} »."
    return json_response(structure_record(request, _get(public_structures(), message, slug=slug)))


def departements():
    published = Action.objects.published()
    return (
        Departement.objects.select_related("region")
        .annotate(nombre_actions=Count("structures__actions", filter=Q(structures__actions__in=published)))
        .order_by("code")
    )


def departement_record(request, departement):
    return {
        **_place(departement),
        "region": _place(departement.region),
        "nombre_actions": departement.nombre_actions,
        "url": request.build_absolute_uri(reverse("structures:departement", kwargs={"code": departement.code})),
        "actions": _api_url(request, "actions", {"departement": departement.code}),
    }


@api_view
def departement_list(request):
    results = [departement_record(request, departement) for departement in departements()]
    return json_response({"count": len(results), "results": results})


@api_view
def departement_detail(request, code):
    departement = _get(departements(), f"Aucun département n’a le code « {code[:10]} ».", code=code[:3])
    return json_response(departement_record(request, departement))


# ── vocabularies ───────────────────────────────────────────────────────────────────────────────────────────


def vocabulary_record(request, name):
    parameter = VOCABULARIES[name]
    facet = ActionFilterSet.base_filters[parameter]
    published = Action.objects.published()
    values = facet.queryset.model.objects.annotate(nombre_actions=Count("actions", filter=Q(actions__in=published)))
    return {
        "nom": name,
        "libelle": facet.label,
        "parametre": parameter,
        "url": _api_url(request, "vocabulary", nom=name),
        "valeurs": [
            {
                "slug": value.slug,
                "libelle": value.libelle,
                "nombre_actions": value.nombre_actions,
                "actions": _api_url(request, "actions", {parameter: value.slug}),
            }
            for value in values.order_by("position", "libelle", "pk")
        ],
    }


@api_view
def vocabulary_list(request):
    results = [vocabulary_record(request, name) for name in VOCABULARIES]
    return json_response({"count": len(results), "results": results})


@api_view
def vocabulary_detail(request, nom):
    if nom not in VOCABULARIES:
        raise ApiError(404, f"Pas de vocabulaire « {nom[:30]} » : les vocabulaires sont {', '.join(VOCABULARIES)}.")
    return json_response(vocabulary_record(request, nom))
