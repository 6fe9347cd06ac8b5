"""The read-only JSON API: published actions (the list's filters, `ActionFilterSet`), the structures that have
some, départements and vocabularies.

Built with django-ninja: each operation declares its parameters and answers (api/schemas.py), ninja validates
them and generates the OpenAPI document served at /api/openapi.json from the same declarations."""

import functools
from typing import Annotated
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from ninja import Field, NinjaAPI, Path, Query
from ninja.errors import ValidationError
from pydantic import WithJsonSchema, create_model

from actions.filters import SORTS, ActionFilterSet, FacetFilter
from actions.models import Action
from actions.views import Listed
from api import schemas
from api.http import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ApiError,
    PageNumber,
    PageSize,
    error_response,
    json_response,
    page_query,
    page_size_query,
    paginated,
)
from opendata import schema as open_data
from opendata.fields import absolute_url_maker, fiche_rows, record_maker
from structures.models import Departement, Region, Structure

# One producer and one licence for every open-data document (opendata/schema.py).
LICENCE = {"nom": f"{open_data.LICENCE['title']} (Etalab)", "url": open_data.LICENCE["path"]}

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

# INSEE codes of départements: 01 to 95 (2A and 2B for Corsica, no 20), 971 to 976.
DEPARTEMENT_CODE = r"^(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6])$"
SLUG = {"pattern": r"^[-a-zA-Z0-9_]+$", "minLength": 1, "maxLength": 100}


def path_text(description, **constraints):
    """A path parameter's type: text, its constraints stated in the document; the view answers 404 for any value
    that names nothing, with a message of its own (rather than a generic refusal of the constraint)."""
    return Annotated[str, WithJsonSchema({"type": "string", **constraints, "description": description})]


TOO_MANY = "Trop de requêtes depuis votre adresse : réessayez après le délai de l’en-tête Retry-After."
BAD_PAGE = "page ou page_size mal formé ou hors limites ; le message nomme le paramètre."

api = NinjaAPI(
    title="Actions des centres sociaux : API des données ouvertes",
    version="1.0.0",
    description=(
        "Les fiches action publiées des centres sociaux et des espaces de vie sociale, en lecture seule. "
        "Les filtres de /api/actions/ sont ceux de la liste du site, avec le même ordre. "
        "Réponses en JSON (UTF-8), ouvertes à toutes les origines (CORS). "
        f"Pages de {DEFAULT_PAGE_SIZE} résultats, {MAX_PAGE_SIZE} au plus avec page_size."
    ),
    urls_namespace="api",
    openapi_url=None,  # served by the `openapi` operation below, which the document then describes too
    docs_url=None,  # no interactive page: it would load its scripts from a CDN
    openapi_extra={
        "info": {
            "contact": open_data.producer_contact(),
            "license": {"name": open_data.LICENCE["title"], "identifier": open_data.LICENCE["name"]},
        }
    },
)
# JSON is UTF-8 by definition (RFC 8259): no charset parameter, accents written as they are.
api.get_content_type = lambda: "application/json"
api.renderer.json_dumps_params = {"ensure_ascii": False}


def responses(ok, description, *, bad_request=None, not_found=None):
    """The `response` of an operation and the French descriptions of its status codes in the document."""
    models = {200: ok}
    descriptions = {200: {"description": description}}
    if bad_request:
        models[400] = schemas.Erreur
        descriptions[400] = {"description": bad_request}
    if not_found:
        models[404] = schemas.Erreur
        descriptions[404] = {"description": not_found}
    models[429] = schemas.Erreur
    descriptions[429] = {"description": TOO_MANY}
    return {"response": models, "openapi_extra": {"responses": descriptions}}


# ── errors ─────────────────────────────────────────────────────────────────────────────────────────────────


@api.exception_handler(ApiError)
def api_error(request, error):
    return error.response()


@api.exception_handler(ValidationError)
def invalid_parameter(request, error):
    """A parameter refused by its declared type: 400 for the query (the type's French message), 404 for a path
    whose parameter cannot name anything."""
    first = error.errors[0]
    source, *where = first["loc"]
    name = str(where[0]) if where else source
    if source == "path":
        return error_response(404, f"Rien à l’adresse {request.path[:200]} : la liste des adresses est à /api/.")
    message = first["msg"] if first["type"] == "page" else f"{name} : valeur mal formée ; voyez /api/openapi.json."
    return error_response(400, message, name)


@api.exception_handler(Http404)
def not_found_error(request, error):
    return error_response(404, f"Rien à l’adresse {request.path[:200]} : la liste des adresses est à /api/.")


def not_found(request):
    """Any other address under /api/ ending in a slash (api/urls.py)."""
    return error_response(404, f"Rien à l’adresse {request.path[:200]} : la liste des adresses est à /api/.")


# ── helpers ────────────────────────────────────────────────────────────────────────────────────────────────


def answer(data):
    """A view's result. Checked by ninja against the operation's model (any field added, missing or of another
    type is an error) where settings.API_CHECK_ANSWERS (tests, DEBUG); sent as is otherwise: on a page of 100
    actions the check costs about as much as the JSON encoding itself, and the tests (schemathesis included)
    have already held every answer to its model."""
    if getattr(settings, "API_CHECK_ANSWERS", settings.DEBUG):
        return data
    return json_response(data)


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


# ── index and document ─────────────────────────────────────────────────────────────────────────────────────


@api.get(
    "/",
    operation_id="index",
    summary="Les adresses de l’API",
    url_name="index",
    by_alias=True,
    **responses(schemas.Index, "Les adresses de l’API et la licence."),
)
def index(request):
    return answer(
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


@functools.cache
def openapi_document():
    """The OpenAPI 3.1 document, generated by ninja from the operations of this module (made once)."""
    return api.get_openapi_schema(path_prefix="/api/")


@api.get(
    "/openapi.json",
    operation_id="getSchema",
    summary="Cette description OpenAPI",
    url_name="openapi",
    **responses(schemas.OpenApiDocument, "La description OpenAPI 3.1 de l’API."),
)
def openapi(request):
    return answer(openapi_document())


# ── actions ────────────────────────────────────────────────────────────────────────────────────────────────


PAGE = page_query()
PAGE_SIZE = page_size_query()


def optional(description):
    """An optional query parameter, absent by default (no `null`: a query string cannot say it)."""
    return Field(None, description=description, json_schema_extra=lambda schema: schema.pop("default", None))


def filter_fields():
    """The query parameters of /api/actions/: those of the HTML list, from ActionFilterSet, in its order."""
    fields = {}
    for name, facet in ActionFilterSet.base_filters.items():
        if name == "tri":
            description = (
                "Ordre des résultats : "
                + ", ".join(f"« {key} » ({label})" for key, label in SORTS.items())
                + ". Par défaut : pertinence s’il y a une recherche, sinon les plus récentes. Une valeur inconnue "
                "est ignorée."
            )
            kind = str
        elif isinstance(facet, FacetFilter):
            key = "code INSEE" if facet.key == "code" else "identifiant (slug)"
            if facet.extra.get("multiple", True):
                description = (
                    f"{facet.label} : {key} ; répétez le paramètre pour en donner plusieurs, les actions de l’une "
                    "ou l’autre valeur. Une valeur inconnue est ignorée et signalée dans « avertissements »."
                )
                kind = list[str]
            else:
                description = f"{facet.label} : {key}. Une valeur inconnue est ignorée et signalée."
                kind = str
        elif name == "lieu":
            description = (
                "Où : une commune (« Angers », « Angers (49) »), un code postal (« 49100 ») ou un département "
                "(« 49 », « Maine-et-Loire ») ; les actions des structures qui y sont situées et des structures "
                "itinérantes qui s’y déplacent. Un lieu inconnu est ignoré et signalé dans « avertissements »."
            )
            kind = str
        else:
            description = (
                "Mots recherchés dans les fiches (titre, textes, structure, mots-clés), avec leurs synonymes ; un code "
                "postal, une commune ou un département cités sont compris comme le lieu (voir « lieu »)."
            )
            kind = str
        fields[name] = (kind, optional(description))
    return fields


ActionFilters = create_model("ActionFilters", **filter_fields())


@api.get(
    "/actions/",
    operation_id="listActions",
    summary="Les actions publiées, avec les filtres de la liste du site",
    url_name="actions",
    **responses(
        schemas.PageActions,
        "Une page d’actions, dans l’ordre de la liste du site (dernier critère : id).",
        bad_request=BAD_PAGE,
        not_found="page au-delà de la dernière page.",
    ),
)
def action_list(request, filters: Query[ActionFilters], page: PageNumber = PAGE, page_size: PageSize = PAGE_SIZE):
    # The filter set reads the query string itself (as the HTML list does): `filters` declares it.
    filterset = ActionFilterSet(request.GET)
    record = record_maker(absolute_url_maker(request))
    return answer(
        paginated(
            request,
            Listed(filterset, cards=False),  # counted and, newest first, ordered in the catalogue's snapshot
            page,
            page_size,
            lambda actions: [record(row) for row in fiche_rows(actions)],
            avertissements=filterset.notices,
        )
    )


@api.get(
    "/actions/{slug:slug}/",
    operation_id="getAction",
    summary="Une action publiée",
    url_name="action",
    **responses(
        schemas.Action,
        "L’action, avec tous les champs de sa fiche.",
        not_found="Aucune action publiée n’a cet identifiant.",
    ),
)
def action_detail(request, slug: Path[path_text("Identifiant de l’action.", **SLUG)]):
    row = next(fiche_rows(Action.objects.published().filter(slug=slug)), None)
    if row is None:
        raise ApiError(404, f"Aucune action publiée n’a l’identifiant « {slug} ».")
    return answer(record_maker(absolute_url_maker(request))(row))


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


def code_field(label):
    return (
        list[str],
        optional(f"Code INSEE de {label} ; répétable. Un code inconnu est ignoré et signalé."),
    )


StructureFilters = create_model("StructureFilters", departement=code_field("département"), region=code_field("région"))


@api.get(
    "/structures/",
    operation_id="listStructures",
    summary="Les structures qui ont des actions publiées",
    url_name="structures",
    **responses(
        schemas.PageStructures,
        "Une page de structures, par nom.",
        bad_request=BAD_PAGE,
        not_found="page au-delà de la dernière page.",
    ),
)
def structure_list(
    request,
    filters: Query[StructureFilters],
    page: PageNumber = PAGE,
    page_size: PageSize = PAGE_SIZE,
):
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
    return answer(
        paginated(
            request,
            structures,
            page,
            page_size,
            lambda rows: [structure_record(request, structure) for structure in rows],
            avertissements=notices,
        )
    )


@api.get(
    "/structures/{slug:slug}/",
    operation_id="getStructure",
    summary="Une structure",
    url_name="structure",
    **responses(
        schemas.Structure, "La structure.", not_found="Aucune structure ayant des actions publiées n’a cet identifiant."
    ),
)
def structure_detail(request, slug: Path[path_text("Identifiant de la structure.", **SLUG)]):
    message = f"Aucune structure ayant des actions publiées n’a l’identifiant « {slug} »."
    return answer(structure_record(request, _get(public_structures(), message, slug=slug)))


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


@api.get(
    "/departements/",
    operation_id="listDepartements",
    summary="Les départements",
    url_name="departements",
    **responses(schemas.ListeDepartements, "Tous les départements."),
)
def departement_list(request):
    results = [departement_record(request, departement) for departement in departements()]
    return answer({"count": len(results), "results": results})


@api.get(
    "/departements/{code}/",
    operation_id="getDepartement",
    summary="Un département",
    url_name="departement",
    **responses(schemas.Departement, "Le département.", not_found="Aucun département n’a ce code."),
)
def departement_detail(
    request,
    code: Path[path_text("Code INSEE : 01 à 95, 2A, 2B, 971 à 976.", pattern=DEPARTEMENT_CODE)],
):
    # Exactly a known code, nothing read from a part of it.
    departement = _get(departements(), f"Aucun département n’a le code « {code[:10]} ».", code=code)
    return answer(departement_record(request, departement))


# ── vocabularies ───────────────────────────────────────────────────────────────────────────────────────────


Vocabulaire = schemas.vocabulary_model(VOCABULARIES)
ListeVocabulaires = schemas.list_of(Vocabulaire, "ListeVocabulaires", "Les listes de valeurs des fiches.")


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


@api.get(
    "/vocabulaires/",
    operation_id="listVocabulaires",
    summary="Les listes de valeurs",
    url_name="vocabularies",
    **responses(ListeVocabulaires, "Tous les vocabulaires."),
)
def vocabulary_list(request):
    results = [vocabulary_record(request, name) for name in VOCABULARIES]
    return answer({"count": len(results), "results": results})


@api.get(
    "/vocabulaires/{nom}/",
    operation_id="getVocabulaire",
    summary="Une liste de valeurs",
    url_name="vocabulary",
    **responses(Vocabulaire, "Le vocabulaire et ses valeurs.", not_found="Pas de vocabulaire de ce nom."),
)
def vocabulary_detail(request, nom: Path[path_text("Nom du vocabulaire.", enum=list(VOCABULARIES))]):
    if nom not in VOCABULARIES:
        raise ApiError(404, f"Pas de vocabulaire « {nom[:30]} » : les vocabulaires sont {', '.join(VOCABULARIES)}.")
    return answer(vocabulary_record(request, nom))
