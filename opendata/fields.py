"""The one field list of the open data: every format (CSV, XLSX, JSON, API, bulk files) has these fields, under
these names, in this order, with the same values; the TableSchema (opendata/schema.py) and the « Données
ouvertes » page are generated from it.

An action's record is a flat dict of plain values (`record_maker(absolute_url)(row)`): numbers, text, ISO 8601
dates, None when unknown. Lists of several values (mots-clés, initiatives, partenaires) are their labels joined
by « ; », as the admin import reads them: a CSV or XLSX export re-imports unchanged through the admin. The
identifier common to every format is `id` (the catalogue's number of the action, the key of the admin import);
`slug` is the identifier of its addresses (`url`, /api/actions/<slug>/).

Rows are read by `fiche_rows` with plain values (no model instances) and `.iterator(chunk_size)`, each chunk's
many-to-many labels with one query per field: memory stays flat and the query count depends on the number of
chunks, never on the number of rows (bench/export_memory.py).
"""

from collections import defaultdict
from dataclasses import dataclass
from itertools import islice

from django.urls import reverse
from django.utils import timezone

from actions.models import FICHE_FIELDS, Action

CHUNK_SIZE = 500  # actions read from the database at a time
LIST_SEPARATOR = ";"  # the admin import's ManyToManyWidget separator


def _fiche_fields(kind):
    fields = [Action._meta.get_field(name) for name in FICHE_FIELDS]
    if kind == "many":
        return [field.name for field in fields if field.many_to_many]
    if kind == "one":
        return [field.name for field in fields if field.many_to_one]
    return [field.name for field in fields if not field.is_relation]


MANY_RELATED = _fiche_fields("many")
ONE_RELATED = _fiche_fields("one")
STRUCTURE_PATHS = [
    "structure__slug",
    "structure__nom",
    "structure__siret",
    "structure__commune__nom",
    "structure__commune__code",
    "structure__departement__code",
    "structure__departement__nom",
    "structure__departement__region__code",
    "structure__departement__region__nom",
]
# Every value a record reads, in one query: the action's own columns and its one-to-many labels.
VALUE_PATHS = [
    *["id", "slug", "titre", "state", "published_at", "updated_at", *STRUCTURE_PATHS],
    *_fiche_fields("text"),
    *(f"{name}__{key}" for name in ONE_RELATED for key in ("slug", "libelle")),
]


@dataclass(frozen=True)
class Field:
    """One field of the open data, described as a TableSchema field (https://specs.frictionlessdata.io/)."""

    name: str
    title: str  # French, for people
    description: str
    type: str = "string"  # TableSchema type: string, integer, datetime
    format: str = "default"
    example: str = ""
    required: bool = False
    unique: bool = False
    pattern: str = ""
    enum: tuple = ()

    def table_schema(self):
        field = {"name": self.name, "title": self.title, "description": self.description, "type": self.type}
        if self.format != "default":
            field["format"] = self.format
        if self.example:
            field["example"] = self.example
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.pattern:
            constraints["pattern"] = self.pattern
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            field["constraints"] = constraints
        return field

    @property
    def kind(self):
        """What the « Données ouvertes » page says of the format."""
        return {
            "integer": "nombre entier",
            "datetime": "date et heure ISO 8601, p. ex. 2026-11-23T14:05:00+01:00",
        }.get(self.type, "URL" if self.format == "uri" else "texte")


def _fiche_field(name):
    field = Action._meta.get_field(name)
    title = str(field.verbose_name)
    title = title[:1].upper() + title[1:]
    if field.many_to_many:
        plural = field.related_model._meta.verbose_name_plural
        description = f"Libellés de la liste « {plural} », séparés par « {LIST_SEPARATOR} » ; vide si aucun."
    elif field.is_relation:
        plural = field.related_model._meta.verbose_name_plural
        description = f"Un libellé de la liste « {plural} » ; vide si non renseigné."
    else:
        description = "Texte libre, retours à la ligne conservés ; vide si non renseigné."
    return Field(name, title, description)


FIELDS = [
    Field(
        "id",
        "Identifiant",
        "Numéro de l’action dans le catalogue : l’identifiant commun à tous les formats, qui ne change jamais "
        "(colonne « id » de l’import dans l’administration).",
        type="integer",
        example="1234",
        required=True,
        unique=True,
    ),
    Field(
        "slug",
        "Identifiant d’adresse",
        "Identifiant de l’action dans ses adresses (page du site, API).",
        example="jardin-partage",
        required=True,
        unique=True,
        pattern=r"[-a-zA-Z0-9_]+",
    ),
    Field("url", "Adresse de la fiche", "Adresse de la fiche sur le site.", format="uri", required=True),
    Field("titre", "Titre", "Titre de la fiche.", required=True),
    Field(
        "structure",
        "Identifiant de la structure",
        "Identifiant de la structure organisatrice, celui de son adresse sur le site et dans l’API.",
        required=True,
        pattern=r"[-a-zA-Z0-9_]+",
    ),
    Field("structure_nom", "Structure", "Nom de la structure organisatrice.", required=True),
    Field(
        "structure_siret",
        "SIRET de la structure",
        "Numéro SIRET de la structure (14 chiffres), vide s’il n’est pas connu.",
        example="77567227221138",
        pattern=r"[0-9]{14}",
    ),
    Field("structure_commune", "Commune de la structure", "Commune du siège de la structure, vide si inconnue."),
    Field(
        "structure_commune_insee",
        "Code INSEE de la commune",
        "Code officiel géographique (INSEE) de la commune de la structure, vide si inconnue.",
        example="49007",
        pattern=r"[0-9][0-9AB][0-9]{3}",
    ),
    Field(
        "departement",
        "Code du département",
        "Code INSEE du département de la structure.",
        example="49",
        required=True,
        pattern=r"[0-9]{2}|2[AB]|97[0-9]",
    ),
    Field("departement_nom", "Département", "Nom du département de la structure.", required=True),
    Field("region", "Code de la région", "Code INSEE de la région de la structure.", example="52", required=True),
    Field("region_nom", "Région", "Nom de la région de la structure.", required=True),
    Field(
        "state",
        "État de publication",
        "Toujours « publiee » dans les données ouvertes (colonne de l’import dans l’administration).",
        required=True,
        enum=(Action.State.PUBLIEE.value,),
    ),
    *(_fiche_field(name) for name in FICHE_FIELDS),
    Field("publiee_le", "Publiée le", "Date et heure de la première publication.", type="datetime"),
    Field(
        "modifiee_le",
        "Modifiée le",
        "Date et heure de la dernière modification de la fiche.",
        type="datetime",
        required=True,
    ),
]
NAMES = [field.name for field in FIELDS]
PRIMARY_KEY = "id"


def iso(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def slug_path_maker(url_name):
    """slug → the path of `url_name` for that slug, reversing the URL once rather than once per row."""
    head, tail = reverse(url_name, kwargs={"slug": "SLUG"}).split("SLUG")
    return lambda slug: f"{head}{slug}{tail}"


def absolute_url_maker(request):
    """path → absolute URL, on the request's scheme and host (computed once, not per row)."""
    root = request.build_absolute_uri("/").rstrip("/")
    return lambda path: root + path


def fiche_rows(queryset, chunk_size=None):
    """One dict per action of `queryset`, in its order: VALUE_PATHS, and each many-to-many field as a list of
    (slug, libelle) in the vocabulary's order. 1 + len(MANY_RELATED) queries per chunk of `chunk_size` actions."""
    chunk_size = chunk_size or CHUNK_SIZE
    values = queryset.values(*VALUE_PATHS).iterator(chunk_size=chunk_size)
    while chunk := list(islice(values, chunk_size)):
        ids = [row["id"] for row in chunk]
        for name in MANY_RELATED:
            field = Action._meta.get_field(name)
            target = field.m2m_reverse_field_name()
            ordering = [f"{target}__{key}" for key in field.related_model._meta.ordering] + [target]
            links = defaultdict(list)
            for action_id, slug, libelle in (
                field.remote_field.through.objects.filter(action_id__in=ids)
                .order_by(*ordering)
                .values_list("action_id", f"{target}__slug", f"{target}__libelle")
            ):
                links[action_id].append((slug, libelle))
            for row in chunk:
                row[name] = links.get(row["id"], [])
        yield from chunk


def record_maker(absolute_url=None):
    """`record_maker(absolute_url)(row)`: an action (a `fiche_rows` dict) as its open-data record, the dict of
    FIELDS in their order. `absolute_url(path)` makes the links absolute; URLs are reversed once, not per row."""
    absolute_url = absolute_url or (lambda path: path)
    action_path = slug_path_maker("actions:detail")

    def record(row):
        values = {
            "id": row["id"],
            "slug": row["slug"],
            "url": absolute_url(action_path(row["slug"])),
            "titre": row["titre"],
            "structure": row["structure__slug"],
            "structure_nom": row["structure__nom"],
            "structure_siret": row["structure__siret"] or None,
            "structure_commune": row["structure__commune__nom"],
            "structure_commune_insee": row["structure__commune__code"],
            "departement": row["structure__departement__code"],
            "departement_nom": row["structure__departement__nom"],
            "region": row["structure__departement__region__code"],
            "region_nom": row["structure__departement__region__nom"],
            "state": row["state"],
        }
        for name in FICHE_FIELDS:
            if name in MANY_RELATED:
                values[name] = LIST_SEPARATOR.join(libelle for _slug, libelle in row[name])
            elif name in ONE_RELATED:
                values[name] = row[f"{name}__libelle"]
            else:
                values[name] = row[name]
        values["publiee_le"] = iso(row["published_at"])
        values["modifiee_le"] = iso(row["updated_at"])
        return values

    return record


def records(queryset, absolute_url=None, chunk_size=None):
    """The records of the actions of `queryset`, in its order."""
    record = record_maker(absolute_url)
    for row in fiche_rows(queryset, chunk_size):
        yield record(row)


def cell(value):
    """A record's value as a spreadsheet cell (CSV, XLSX): text, "" when unknown."""
    return "" if value is None else str(value)


def json_schema():
    """The JSON Schema of a record (for the API's OpenAPI document): same names, same order, same values."""
    types = {"integer": "integer", "datetime": "string", "string": "string"}
    properties = {}
    for field in FIELDS:
        kind = types[field.type]
        schema = {"type": kind if field.required else [kind, "null"], "title": field.title}
        schema["description"] = field.description
        if field.type == "datetime":
            schema["format"] = "date-time"
        if field.format == "uri":
            schema["format"] = "uri"
        if field.pattern:
            schema["pattern"] = f"^(?:{field.pattern})$"
        if field.enum:
            schema["enum"] = list(field.enum)
        properties[field.name] = schema
    return {
        "type": "object",
        "properties": properties,
        "required": NAMES,
        "additionalProperties": False,
    }
