"""The API's answers as pydantic models: django-ninja validates every answer against them and generates the
OpenAPI document (/api/openapi.json) from them, so the document cannot drift from what the views send.

Objects refuse properties they do not list (`additionalProperties: false`): a field added to a record without
its description here fails the tests (a 500 for the answer, a failure for schemathesis)."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model

from actions import models
from actions.models import FICHE_FIELDS

URL = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]
NULLABLE_URL = Annotated[str | None, WithJsonSchema({"type": ["string", "null"], "format": "uri"})]
DATE_TIME = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
NULLABLE_DATE_TIME = Annotated[str | None, WithJsonSchema({"type": ["string", "null"], "format": "date-time"})]
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


class Entree(Strict):
    """Une valeur d’une liste (dimension, mot-clé…)."""

    slug: str
    libelle: str


class Lieu(Strict):
    """Un département ou une région : code INSEE et nom."""

    code: str
    nom: str


class StructureCourte(Strict):
    """La structure qui porte l’action."""

    slug: str
    nom: str
    url: URL


def fiche_field(name):
    """The type and description of the fiche field `name`, from the model."""
    field = models.Action._meta.get_field(name)
    description = str(field.verbose_name)
    if field.many_to_many:
        return list[Entree], Field(description=description)
    if field.is_relation:
        return Entree | None, Field(description=description)
    return str, Field(description=description)


Action = create_model(
    "Action",
    __base__=Strict,
    __doc__="Une action publiée : tous les champs de la fiche, dans l’ordre de la fiche.",
    slug=(str, Field(description="Identifiant de l’action (celui de son adresse).")),
    titre=(str, ...),
    url=(URL, Field(description="Adresse de la fiche sur le site.")),
    structure=(StructureCourte, ...),
    departement=(Lieu, ...),
    region=(Lieu, ...),
    **{name: fiche_field(name) for name in FICHE_FIELDS},
    publiee_le=(NULLABLE_DATE_TIME, ...),
    modifiee_le=(DATE_TIME, ...),
)


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
    code_postal: str
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
