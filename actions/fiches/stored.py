"""Stored actions seen as fiches, so the renderer can write them back in the export format."""

from actions.fiches.loader import MULTI_VALUE_FIELDS, SINGLE_VALUE_FIELDS, TEXT_FIELDS
from actions.fiches.parser import Fiche


def fiche_from_action(action):
    """The Fiche of a stored action. Prefetch structure__departement and the vocabularies to avoid N+1 queries."""
    fiche = Fiche(
        titre=action.titre,
        structure_nom=action.structure.nom,
        departement_nom=action.structure.departement.nom,
        **{name: getattr(action, name) for name in TEXT_FIELDS},
    )
    for name in SINGLE_VALUE_FIELDS:
        entry = getattr(action, name)
        setattr(fiche, name, entry.libelle if entry else "")
    for name in MULTI_VALUE_FIELDS:
        # Vocabularies are ordered by position: the order of the catalogue's own lists, as in the exports.
        entries = sorted(getattr(action, name).all(), key=lambda entry: (entry.position, entry.libelle))
        setattr(fiche, name, [entry.libelle for entry in entries])
    return fiche


def prefetched_actions(queryset):
    return queryset.select_related("structure__departement", *SINGLE_VALUE_FIELDS).prefetch_related(*MULTI_VALUE_FIELDS)
