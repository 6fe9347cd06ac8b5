"""The API's OpenAPI 3.1 description, served at /api/openapi.json and checked by tests/api/test_schema.py.

Built from the code it describes where it can: the action filters from `ActionFilterSet`, the fiche fields
from `FICHE_FIELDS` and the model, the export columns' order; objects refuse properties they do not list, so a
field added to a response without its description fails the schemathesis test.
"""

from actions.filters import SORTS, ActionFilterSet, FacetFilter
from api.http import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from opendata import fields

REF = "#/components/schemas/"
STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
URL = {"type": "string", "format": "uri"}


def ref(name):
    return {"$ref": REF + name}


def obj(properties, description=None):
    schema = {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def page_of(item, description, warnings=True):
    properties = {
        "count": {"type": "integer", "minimum": 0, "description": "Nombre total de résultats, toutes pages."},
        "next": {"type": ["string", "null"], "format": "uri", "description": "Page suivante, ou null."},
        "previous": {"type": ["string", "null"], "format": "uri", "description": "Page précédente, ou null."},
    }
    if warnings:
        properties["avertissements"] = {
            "type": "array",
            "items": STRING,
            "description": "Critères de la requête ignorés (valeur inconnue ou mal formée), en français.",
        }
    properties["results"] = {"type": "array", "items": ref(item)}
    return obj(properties, description)


def list_of(item, description):
    return obj(
        {"count": {"type": "integer", "minimum": 0}, "results": {"type": "array", "items": ref(item)}}, description
    )


def action_schema():
    """The open-data record (opendata/fields.py): the fields of every format, under the same names."""
    return {
        **fields.json_schema(),
        "description": "Une action publiée : les champs de tous les formats des données "
        "ouvertes, dans le même ordre (ceux de la fiche dans l’ordre de la fiche).",
    }


def filter_parameters():
    """The query parameters of /api/actions/: those of the HTML list, from ActionFilterSet."""
    parameters = []
    for name, facet in ActionFilterSet.base_filters.items():
        if name == "tri":
            description = (
                "Ordre des résultats : "
                + ", ".join(f"« {key} » ({label})" for key, label in SORTS.items())
                + ". Par défaut : pertinence s’il y a une recherche, sinon les plus récentes. Une valeur inconnue "
                "est ignorée."
            )
            schema = STRING
        elif isinstance(facet, FacetFilter):
            key = "code INSEE" if facet.key == "code" else "identifiant (slug)"
            if facet.extra.get("multiple", True):
                description = (
                    f"{facet.label} : {key} ; répétez le paramètre pour en donner plusieurs, les actions de l’une "
                    "ou l’autre valeur. Une valeur inconnue est ignorée et signalée dans « avertissements »."
                )
                schema = {"type": "array", "items": STRING}
            else:
                description = f"{facet.label} : {key}. Une valeur inconnue est ignorée et signalée."
                schema = STRING
        else:
            description = "Mots recherchés dans les fiches (titre, textes, structure, mots-clés)."
            schema = STRING
        parameter = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
        if schema.get("type") == "array":
            parameter.update(style="form", explode=True)
        parameters.append(parameter)
    return parameters


def code_parameters():
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": f"Code INSEE de {label} ; répétable. Un code inconnu est ignoré et signalé.",
            "schema": {"type": "array", "items": STRING},
            "style": "form",
            "explode": True,
        }
        for name, label in (("departement", "département"), ("region", "région"))
    ]


PAGE_PARAMETERS = [
    {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "Numéro de page, à partir de 1.",
        "schema": {"type": "integer", "minimum": 1, "default": 1},
    },
    {
        "name": "page_size",
        "in": "query",
        "required": False,
        "description": f"Résultats par page, {MAX_PAGE_SIZE} au plus.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
    },
]


def error(description):
    return {"description": description, "content": {"application/json": {"schema": ref("Erreur")}}}


def ok(schema_name, description):
    return {"description": description, "content": {"application/json": {"schema": ref(schema_name)}}}


TOO_MANY = error("Trop de requêtes depuis votre adresse : réessayez après le délai de l’en-tête Retry-After.")


def operation(operation_id, summary, response, parameters=(), not_found=None, bad_request=None):
    responses = {"200": response}
    if bad_request:
        responses["400"] = error(bad_request)
    if not_found:
        responses["404"] = error(not_found)
    responses["429"] = TOO_MANY
    return {
        "get": {"operationId": operation_id, "summary": summary, "parameters": list(parameters), "responses": responses}
    }


def path_parameter(name, description, schema):
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


SLUG = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$", "minLength": 1, "maxLength": 100}
BAD_PAGE = "page ou page_size mal formé ou hors limites ; le message nomme le paramètre."


def openapi_schema():
    from api.views import VOCABULARIES

    place = obj({"code": STRING, "nom": STRING}, "Un département ou une région : code INSEE et nom.")
    counted = {"type": "integer", "minimum": 0, "description": "Nombre d’actions publiées."}
    schemas = {
        "Erreur": {
            "type": "object",
            "required": ["erreur"],
            "properties": {
                "erreur": {"type": "string", "description": "Ce qui ne va pas et quoi faire, en français."},
                "parametre": {"type": "string", "description": "Le paramètre de la requête en cause."},
            },
        },
        "Lieu": place,
        "Action": action_schema(),
        "PageActions": page_of("Action", "Une page d’actions publiées."),
        "Structure": obj(
            {
                "slug": STRING,
                "nom": STRING,
                "type": {"type": ["string", "null"], "description": "centre_social, evs, federation, autre."},
                "type_libelle": NULLABLE_STRING,
                "commune": STRING,
                "commune_insee": {**NULLABLE_STRING, "description": "Code INSEE de la commune, s’il est connu."},
                "code_postal": STRING,
                "siret": {**NULLABLE_STRING, "description": "Numéro SIRET (14 chiffres), s’il est connu."},
                "site_web": STRING,
                "departement": ref("Lieu"),
                "region": ref("Lieu"),
                "nombre_actions": counted,
                "url": URL,
                "actions": {**URL, "description": "Ses actions dans l’API."},
            },
            "Une structure (centre social, EVS…) qui a des actions publiées.",
        ),
        "PageStructures": page_of("Structure", "Une page de structures, par nom."),
        "Departement": obj(
            {
                "code": STRING,
                "nom": STRING,
                "region": ref("Lieu"),
                "nombre_actions": counted,
                "url": URL,
                "actions": URL,
            }
        ),
        "ListeDepartements": list_of("Departement", "Les départements, par code."),
        "Valeur": obj({"slug": STRING, "libelle": STRING, "nombre_actions": counted, "actions": URL}),
        "Vocabulaire": obj(
            {
                "nom": {"type": "string", "enum": list(VOCABULARIES)},
                "libelle": STRING,
                "parametre": {"type": "string", "description": "Le paramètre de /api/actions/ qui filtre par elle."},
                "url": URL,
                "valeurs": {"type": "array", "items": ref("Valeur")},
            }
        ),
        "ListeVocabulaires": list_of("Vocabulaire", "Les listes de valeurs des fiches."),
        "Index": obj(
            {
                "nom": STRING,
                "documentation": URL,
                "schema": URL,
                "licence": obj({"nom": STRING, "url": URL}),
                "actions": URL,
                "structures": URL,
                "departements": URL,
                "vocabulaires": URL,
            }
        ),
    }
    paths = {
        "/api/": operation("index", "Les adresses de l’API", ok("Index", "Les adresses de l’API et la licence.")),
        "/api/actions/": operation(
            "listActions",
            "Les actions publiées, avec les filtres de la liste du site",
            ok("PageActions", "Une page d’actions, dans l’ordre de la liste du site (dernier critère : id)."),
            [*filter_parameters(), *PAGE_PARAMETERS],
            not_found="page au-delà de la dernière page.",
            bad_request=BAD_PAGE,
        ),
        "/api/actions/{slug}/": operation(
            "getAction",
            "Une action publiée",
            ok("Action", "L’action."),
            [path_parameter("slug", "Identifiant de l’action.", SLUG)],
            not_found="Aucune action publiée n’a cet identifiant.",
        ),
        "/api/structures/": operation(
            "listStructures",
            "Les structures qui ont des actions publiées",
            ok("PageStructures", "Une page de structures."),
            [*code_parameters(), *PAGE_PARAMETERS],
            not_found="page au-delà de la dernière page.",
            bad_request=BAD_PAGE,
        ),
        "/api/structures/{slug}/": operation(
            "getStructure",
            "Une structure",
            ok("Structure", "La structure."),
            [path_parameter("slug", "Identifiant de la structure.", SLUG)],
            not_found="Aucune structure ayant des actions publiées n’a cet identifiant.",
        ),
        "/api/departements/": operation(
            "listDepartements", "Les départements", ok("ListeDepartements", "Tous les départements.")
        ),
        "/api/departements/{code}/": operation(
            "getDepartement",
            "Un département",
            ok("Departement", "Le département."),
            [
                path_parameter(
                    "code", "Code INSEE : 01 à 95, 2A, 2B, 971 à 976.", {"type": "string", "pattern": "^[0-9AB]{2,3}$"}
                )
            ],
            not_found="Aucun département n’a ce code.",
        ),
        "/api/vocabulaires/": operation(
            "listVocabulaires", "Les listes de valeurs", ok("ListeVocabulaires", "Tous les vocabulaires.")
        ),
        "/api/vocabulaires/{nom}/": operation(
            "getVocabulaire",
            "Une liste de valeurs",
            ok("Vocabulaire", "Le vocabulaire et ses valeurs."),
            [path_parameter("nom", "Nom du vocabulaire.", {"type": "string", "enum": list(VOCABULARIES)})],
            not_found="Pas de vocabulaire de ce nom.",
        ),
        "/api/openapi.json": {
            "get": {
                "operationId": "getSchema",
                "summary": "Cette description OpenAPI",
                "responses": {
                    "200": {
                        "description": "La description OpenAPI 3.1 de l’API.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "429": TOO_MANY,
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Actions des centres sociaux : API des données ouvertes",
            "version": "1.0.0",
            "description": (
                "Les fiches action publiées des centres sociaux et des espaces de vie sociale, en lecture seule. "
                "Les filtres de /api/actions/ sont ceux de la liste du site, avec le même ordre. "
                "Réponses en JSON (UTF-8), ouvertes à toutes les origines (CORS). "
                f"Pages de {DEFAULT_PAGE_SIZE} résultats, {MAX_PAGE_SIZE} au plus avec page_size."
            ),
            "license": {
                "name": "Licence Ouverte / Open Licence version 2.0",
                "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            },
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }
