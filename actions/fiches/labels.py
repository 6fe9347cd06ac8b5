"""Layout of the « Les actions des centres sociaux » text export: the single source of truth.

The parser and the renderer both read the label strings and their order from here; never copy a label
elsewhere. Labels are written exactly as the export spells them (ASCII ``'``, ``mobilisés`` sic, the
space before ``?``, ``( si autre )``, ``Partenaires d'action:`` without ``- `` and without space).
See docs/fiche-format.md.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

HEADER = "Les actions des centres sociaux"
MARKER = "Actions"
SEPARATOR = "-"
ITEM_PREFIX = "- "
STRUCTURE_SPLIT = " - "
STATUT_TERMINEE = "Terminée"
PARTENAIRE_ARTEFACT = "Préfecture"

STRUCTURE = "- Structure organisatrice"
FICHIERS = "- Fichier(s) associé(s)"
STATUT = "- Statut de l'action"
RAISONS = "- Raisons pour lesquelles l'action est terminée"
DIMENSION = "- Dimension"
MOTS_CLES = "- Mots clés associés à l'action"
RESUME = "- Résumé"
INITIATIVE = "- Qui est à l'initiative de l'action ?"
PRECISION = "- Précision ( si autre )"
TERRITOIRE = "- Territoire concerné"
DESCRIPTION_EXPERIENCE = "- Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases."
PUBLIC = "- Public"
AVEC_QUI = "- Avec qui cette action a-t-elle été menée ?"
PARTENAIRES = "Partenaires d'action:"
DESCRIPTION_GENERALE = "- Description générale"
RESSOURCES = "- Ressources financières mobilisées pour cette action"
NOMBRE_PERSONNES = "- Nombre de personnes mobilisés pour cette action"
RESULTAT_TERRITOIRE = "- Résultat sur le territoire"
RESULTAT_CENTRE = "- Résultat pour le centre social"
RESULTAT_HABITANTS = "- Résultat pour les habitants"
LIMITES = "- Suite de l'action : Limites"
PERSPECTIVES = "- Suite de l'action : Perspectives"


class Kind(enum.Enum):
    """How the lines under a label are read."""

    STRUCTURE = "structure"  # exactly one "- NOM - Département" line
    SINGLE = "single"  # zero or one "- value" line
    LIST = "list"  # a bare "-" separator, then zero or more "- value" lines
    SEPARATOR = "separator"  # a bare "-" separator and nothing else
    ITEMS = "items"  # zero or more "- value" lines, no separator
    FREE = "free"  # free text, kept verbatim


@dataclass(frozen=True)
class Section:
    label: str
    field: str  # Fiche attribute filled by this section ("" for STRUCTURE, see Fiche.structure_nom, and separators)
    kind: Kind
    optional: bool = False
    repeat: bool = False  # repeats an earlier section of the same field: the values must be equal


# A fiche is: MARKER line, title line, then these sections in this fixed order.
SECTIONS: tuple[Section, ...] = (
    Section(STRUCTURE, "", Kind.STRUCTURE),
    Section(FICHIERS, "fichiers_associes", Kind.FREE, optional=True),
    Section(STATUT, "statut", Kind.SINGLE),
    Section(RAISONS, "raisons_fin", Kind.FREE, optional=True),
    Section(DIMENSION, "dimension", Kind.SINGLE),
    Section(MOTS_CLES, "mots_cles", Kind.LIST),
    Section(RESUME, "resume", Kind.FREE),
    Section(INITIATIVE, "initiatives", Kind.LIST),
    Section(PRECISION, "precision_initiative", Kind.FREE, optional=True),
    Section(TERRITOIRE, "territoire", Kind.SINGLE),
    Section(DESCRIPTION_EXPERIENCE, "description_experience", Kind.FREE),
    Section(PUBLIC, "public", Kind.SINGLE),
    Section(AVEC_QUI, "", Kind.SEPARATOR),
    Section(PARTENAIRES, "partenaires", Kind.ITEMS),
    Section(TERRITOIRE, "territoire", Kind.SINGLE, repeat=True),
    Section(DESCRIPTION_GENERALE, "description_generale", Kind.FREE),
    Section(RESSOURCES, "ressources_financieres", Kind.FREE),
    Section(NOMBRE_PERSONNES, "nombre_personnes", Kind.FREE),
    Section(RESULTAT_TERRITOIRE, "resultat_territoire", Kind.FREE),
    Section(RESULTAT_CENTRE, "resultat_centre", Kind.FREE),
    Section(RESULTAT_HABITANTS, "resultat_habitants", Kind.FREE),
    Section(LIMITES, "limites", Kind.FREE),
    Section(PERSPECTIVES, "perspectives", Kind.FREE),
)

LABELS: frozenset[str] = frozenset(section.label for section in SECTIONS)


def display_name(label: str) -> str:
    """Label as shown to people: without the leading "- " nor the trailing ":"."""
    return label.removeprefix(ITEM_PREFIX).removesuffix(":")


# Human names of the Fiche fields, for messages (e.g. which fields differ between two copies of a fiche).
FIELD_NAMES: dict[str, str] = {
    "titre": "Titre",
    "structure_nom": "Structure organisatrice (nom)",
    "departement_nom": "Structure organisatrice (département)",
    **{section.field: display_name(section.label) for section in SECTIONS if section.field},
}
