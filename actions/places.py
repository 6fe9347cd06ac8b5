"""Search by place: a postcode, a commune or a département, typed in the « Où ? » field (`lieu`) or in the query.

- `resolve(text)`: the place named by the « Où ? » field (« 49100 », « Angers », « Angers (49) », « 49 »,
  « Maine-et-Loire »), any commune of the référentiel, or None with `unknown_notice(text)` to show.
- `extract(text)`: the place a text query names, and the query without it (« jardin Angers » → Angers,
  « jardin »). In the query a commune counts as a place only if a structure of the catalogue is there (or serves
  it): « Jardin » (Isère) or « École » (Savoie) stay words; the « Où ? » field takes any commune.
- `Place.structure_ids`: the structures located there, and the itinerant ones serving one of its communes; the
  filters keep the actions of those structures.
- `completions(text)`: the communes and départements starting like `text`, for the field's completion.

Names match whatever their case, accents, hyphens and apostrophes (`normalize_label`).
"""

import re
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from fcsf_actions.text import fold, normalize_label

POSTCODE_RE = re.compile(r"^\d{5}$")
DEPARTEMENT_CODE_RE = re.compile(r"^(\d{2}|2[ab]|97\d)$")
# « Angers (49) », as the completion writes it: the département narrows down a homonym.
WITH_DEPARTEMENT_RE = re.compile(r"^(?P<name>.+?)\s*\((?P<code>\d{2,3}|2[abAB])\)$")
POSTCODE_AND_NAME_RE = re.compile(r"^(?P<code>\d{5})\s+(?P<name>\D.*)$")
WORD_RE = re.compile(r"[^\W_]+")
MAX_NAME_WORDS = 6  # « Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson » is longer, but rare in a query
MAX_LENGTH = 100


@dataclass(frozen=True)
class Place:
    kind: str  # "commune" (one or several: a postcode, homonyms) or "departement"
    label: str  # « Angers (49) », « 49100 (Angers) », « Maine-et-Loire (49) »
    communes: tuple = ()  # Commune objects (kind "commune")
    departement: object = None  # the Departement (kind "departement"), or the communes' one if they share it
    structure_ids: frozenset = field(default_factory=frozenset)

    @property
    def key(self):
        """What decides the matching actions (a cache key)."""
        return (self.kind, tuple(commune.pk for commune in self.communes), getattr(self.departement, "pk", None))


def _structures_in_communes(communes):
    from structures.models import Structure

    ids = [commune.pk for commune in communes]
    served = Structure.communes_desservies.through.objects.filter(structure=OuterRef("pk"), commune_id__in=ids)
    found = Structure.objects.filter(Q(commune_id__in=ids) | (Q(itinerante=True) & Exists(served)))
    return frozenset(found.values_list("pk", flat=True))


def _structures_in_departement(departement):
    from structures.models import Structure

    return frozenset(Structure.objects.present_in([departement]).values_list("pk", flat=True))


def commune_place(communes, label=None):
    communes = tuple(communes)
    departements = {commune.departement_id for commune in communes}
    departement = communes[0].departement if len(departements) == 1 else None
    if label is None:
        first = communes[0]
        label = f"{first.nom} ({first.departement_code})"
        if len(communes) > 1:
            label = " ou ".join(f"{commune.nom} ({commune.departement_code})" for commune in communes[:3])
            if len(communes) > 3:
                label += "…"
    return Place("commune", label, communes, departement, _structures_in_communes(communes))


def departement_place(departement):
    return Place(
        "departement",
        f"{departement.nom} ({departement.code})",
        (),
        departement,
        _structures_in_departement(departement),
    )


def _communes():
    from structures.models import Commune

    return Commune.objects.select_related("departement").order_by("nom", "code")


@dataclass(frozen=True)
class Names:
    """The référentiel's names, kept in the catalogue's snapshot (catalogue/read_model.py): recognising a place in
    a query then costs no query unless there is one."""

    departements: tuple
    by_code: dict  # « 49 » → Departement
    by_name: dict  # « maineetloire » → Departement
    present_keys: frozenset  # the Commune.nom_cle of the communes where a structure is, or that one serves


def load_names():
    from structures.models import Commune, Departement, Structure

    departements = tuple(Departement.objects.all())
    served = Structure.communes_desservies.through.objects.filter(structure__itinerante=True).values("commune_id")
    present = Commune.objects.filter(
        Q(pk__in=Structure.objects.filter(commune__isnull=False).values("commune_id")) | Q(pk__in=served)
    )
    return Names(
        departements,
        {item.code: item for item in departements},
        {normalize_label(item.nom): item for item in departements},
        frozenset(present.order_by().values_list("nom_cle", flat=True).distinct()),
    )


def names():
    """The référentiel's names of the current catalogue snapshot (loaded with its first text query)."""
    import catalogue

    return catalogue.snapshot().place_names


def _departements():
    return list(names().departements)


def _departement_by_code(code):
    return names().by_code.get(code.upper())


def _by_postcode(code):
    communes = list(_communes().filter(codes_postaux__code=code).distinct())
    if not communes:
        return None
    label = f"{code} ({', '.join(commune.nom for commune in communes[:3])}{'…' if len(communes) > 3 else ''})"
    return commune_place(communes, label)


def resolve(text):
    """The place the « Où ? » field names, or None (unknown, empty, too long)."""
    text = " ".join((text or "").replace("\x00", "").split())
    if not text or len(text) > MAX_LENGTH:
        return None
    if POSTCODE_RE.match(text):
        return _by_postcode(text)
    if match := POSTCODE_AND_NAME_RE.match(text):  # « 49100 Angers », as the completion writes it
        communes = _communes().filter(codes_postaux__code=match["code"], nom_cle=normalize_label(match["name"]))
        if communes := list(communes.distinct()):
            return commune_place(communes)
        return _by_postcode(match["code"])
    if DEPARTEMENT_CODE_RE.match(text.lower()):
        departement = _departement_by_code(text)
        return departement_place(departement) if departement else None
    departement = None
    if match := WITH_DEPARTEMENT_RE.match(text):
        text, departement = match["name"], _departement_by_code(match["code"])
    key = normalize_label(text)
    if not key:
        return None
    communes = _communes().filter(nom_cle=key)
    if departement is not None:
        communes = communes.filter(departement=departement)
    communes = list(communes)
    if communes:
        return commune_place(_prefer_present(communes))
    if departement is None:
        departement = names().by_name.get(key)
        if departement is not None:
            return departement_place(departement)
    return None


def _prefer_present(communes):
    """Homonyms (« Saint-Martin »): those where a structure is, if any; all of them otherwise."""
    if len(communes) == 1:
        return communes
    present = [commune for commune in communes if _structures_in_communes([commune])]
    return present or communes


def unknown_notice(text):
    shown = " ".join(str(text).replace("\x00", "").split())[:40]
    return (
        f"Où ? : « {shown} » n’est ni une commune, ni un code postal, ni un département connus ; ce critère est "
        "ignoré. Vérifiez l’orthographe ou choisissez un lieu proposé."
    )


# ── in the text query ──────────────────────────────────────────────────────────────────────────────────────


# A number before one of these words, or next to another number, is a quantity, not a département (« 16 25 ans »,
# « 10 familles »).
UNITS = frozenset("an ans mois jour jours h heure heures euro euros personne personnes place places".split())


def extract(text):
    """(place or None, the rest of the query). One place at most: a postcode or a département code first, then
    the longest name, leftmost."""
    originals = WORD_RE.findall(text or "")[:20]
    tokens = [fold(token) for token in originals]
    if not tokens:
        return None, text
    known = names()
    spans = []  # (start, end, kind, value)
    for start, token in enumerate(tokens):
        following = tokens[start + 1] if start + 1 < len(tokens) else ""
        preceding = tokens[start - 1] if start else ""
        quantity = following in UNITS or following.isdigit() or preceding.isdigit()
        if POSTCODE_RE.match(token):
            spans.append((start, start + 1, "postcode", token))
        elif DEPARTEMENT_CODE_RE.match(token) and not quantity and token.upper() in known.by_code:
            spans.append((start, start + 1, "departement", known.by_code[token.upper()]))
    spans += _named_spans(tokens, known)
    for start, end, kind, value in spans:
        if kind == "postcode":
            place = _by_postcode(value)
        elif kind == "departement":
            place = departement_place(value)
        else:
            place = commune_place(_prefer_present(list(_communes().filter(nom_cle=value))))
            if not place.structure_ids:
                continue  # a word that happens to be a commune's name (« jardin », Isère)
        if place is None:
            continue
        return place, " ".join(originals[:start] + originals[end:])
    return None, text


def _named_spans(tokens, known):
    """Commune and département names among the tokens' n-grams, longest first, then leftmost."""
    spans = []
    for size in range(min(MAX_NAME_WORDS, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            key = "".join(tokens[start : start + size])
            if len(key) < 3:
                continue
            if key in known.by_name:
                spans.append((start, start + size, "departement", known.by_name[key]))
            elif key in known.present_keys:
                spans.append((start, start + size, "commune", key))
    return spans


# ── completion ─────────────────────────────────────────────────────────────────────────────────────────────


def completions(text, limit=10):
    """[« Angers (49) », « 49100 Angers »…]: départements and communes whose name (or postcode) starts with `text`;
    communes with a structure first."""
    text = " ".join((text or "").replace("\x00", "").split())[:MAX_LENGTH]
    key = normalize_label(text)
    if len(key) < 2:
        return []
    from structures.models import CodePostal, Structure

    if key.isdigit():
        rows = (
            CodePostal.objects.filter(code__startswith=key)
            .select_related("commune")
            .order_by("code", "commune__nom")[:limit]
        )
        return [f"{row.code} {row.commune.nom}" for row in rows]
    found = [f"{item.nom} ({item.code})" for item in _departements() if normalize_label(item.nom).startswith(key)]
    present = Structure.objects.filter(Q(commune=OuterRef("pk")) | Q(communes_desservies=OuterRef("pk")))
    communes = (
        _communes()
        .filter(nom_cle__startswith=key)
        .annotate(present=Exists(present))
        .order_by("-present", "nom", "code")[:limit]
    )
    found += [f"{commune.nom} ({commune.departement_code})" for commune in communes]
    return found[:limit]
