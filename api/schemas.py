"""The API's answers as pydantic models: django-ninja validates every answer against them and generates the
OpenAPI document (/api/openapi.json) from them, so the document cannot drift from what the views send.

Objects refuse properties they do not list (`additionalProperties: false`): a field added to a record without
its description here fails the tests (a 500 for the answer, a failure for schemathesis)."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model

from opendata import fields as open_data

URL = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]
NULLABLE_URL = Annotated[str | None, WithJsonSchema({"type": ["string", "null"], "format": "uri"})]
COUNT = Annotated[int, Field(ge=0, description="Nombre d’actions publiées.")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Erreur(BaseModel):
    """Ce qui ne va pas et quoi faire, en français ; `parametre` nomme le paramètre de la requête en cause."""

    model_config = ConfigDict(
        json_schema_extra=lambda schema: schema["properties"]["parametre"].pop("default", None),
    )

    erreur: str = Field(description="Ce qui ne va pas et quoi faire, en français.")
    parametre: str = Field(None, description="Le paramètre de la requête en cause.")


class Lieu(Strict):
    """Un département ou une région : code INSEE et nom."""

    code: str
    nom: str


def open_data_field(field, schema):
    """A field of the open-data record (opendata/fields.py): its Python type, its JSON Schema as opendata says."""
    kind = int if field.type == "integer" else str
    return Annotated[kind if field.required else kind | None, WithJsonSchema(schema)], ...


def open_data_record():
    described = open_data.json_schema()["properties"]
    return create_model(
        "Action",
        __base__=Strict,
        __doc__="Une action publiée : les champs de tous les formats des données ouvertes, sous les mêmes noms, "
        "dans le même ordre (ceux de la fiche dans l’ordre de la fiche).",
        **{field.name: open_data_field(field, described[field.name]) for field in open_data.FIELDS},
    )


Action = open_data_record()


def page_of(item, name, description, warnings=True):
    fields = {
        "count": (int, Field(ge=0, description="Nombre total de résultats, toutes pages.")),
        "next": (NULLABLE_URL, Field(description="Page suivante, ou null.")),
        "previous": (NULLABLE_URL, Field(description="Page précédente, ou null.")),
    }
    if warnings:
        fields["avertissements"] = (
            list[str],
            Field(description="Critères de la requête ignorés (valeur inconnue ou mal formée), en français."),
        )
    fields["results"] = (list[item], ...)
    return create_model(name, __base__=Strict, __doc__=description, **fields)


def list_of(item, name, description):
    return create_model(name, __base__=Strict, __doc__=description, count=(int, Field(ge=0)), results=(list[item], ...))


PageActions = page_of(Action, "PageActions", "Une page d’actions publiées.")


class Structure(Strict):
    """Une structure (centre social, EVS…) qui a des actions publiées."""

    slug: str
    nom: str
    type: str | None = Field(description="centre_social, evs, federation, autre.")
    type_libelle: str | None
    commune: str
    commune_insee: str | None = Field(description="Code INSEE de la commune, s’il est connu.")
    code_postal: str
    siret: str | None = Field(description="Numéro SIRET (14 chiffres), s’il est connu.")
    site_web: str
    departement: Lieu
    region: Lieu
    nombre_actions: COUNT
    url: URL
    actions: URL = Field(description="Ses actions dans l’API.")


PageStructures = page_of(Structure, "PageStructures", "Une page de structures, par nom.")


class Departement(Strict):
    """Un département, sa région et son nombre d’actions publiées."""

    code: str
    nom: str
    region: Lieu
    nombre_actions: COUNT
    url: URL
    actions: URL


ListeDepartements = list_of(Departement, "ListeDepartements", "Les départements, par code.")


class Valeur(Strict):
    """Une valeur d’un vocabulaire et son nombre d’actions publiées."""

    slug: str
    libelle: str
    nombre_actions: COUNT
    actions: URL


def vocabulary_model(names):
    return create_model(
        "Vocabulaire",
        __base__=Strict,
        __doc__="Une liste de valeurs des fiches.",
        nom=(str, Field(json_schema_extra={"enum": list(names)})),
        libelle=(str, ...),
        parametre=(str, Field(description="Le paramètre de /api/actions/ qui filtre par elle.")),
        url=(URL, ...),
        valeurs=(list[Valeur], ...),
    )


class Licence(Strict):
    nom: str
    url: URL


class Index(Strict):
    """Les adresses de l’API et la licence."""

    nom: str
    documentation: URL
    schema_: URL = Field(alias="schema")
    licence: Licence
    actions: URL
    structures: URL
    departements: URL
    vocabulaires: URL


OpenApiDocument = dict[str, Any]
