"""Write fiches back in the « Les actions des centres sociaux » text export format.

Pure module. ``fiche_like`` is any object with the ``Fiche`` attribute names (a parsed ``Fiche``, a Django
model adapter…); ``None`` is read as empty. Layout and labels come from ``actions.fiches.labels``.

Rules: « - Fichier(s) associé(s) » is always written; « - Raisons pour lesquelles l'action est terminée »
only if the statut is « Terminée » or the raisons are not empty; « - Précision ( si autre ) » only if not
empty; an empty single value gives no value line; a list gives a bare « - » then one « - value » per item.

``parse(render_file(fiches))`` gives the fiches back provided the values are representable in the format:
single values and list items on one line and without surrounding spaces, no free-text line that is exactly
a label or « Actions », a département without « - ».
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from actions.fiches.labels import (
    HEADER,
    ITEM_PREFIX,
    MARKER,
    SECTIONS,
    SEPARATOR,
    STATUT_TERMINEE,
    STRUCTURE_SPLIT,
    Kind,
    Section,
)

__all__ = ["render_fiche", "render_file"]


def _text(fiche: Any, name: str) -> str:
    value = getattr(fiche, name, "")
    return "" if value is None else str(value)


def _items(fiche: Any, name: str) -> list[str]:
    value = getattr(fiche, name, None)
    return [] if value is None else [str(item) for item in value]


def _written(section: Section, fiche: Any) -> bool:
    """Is the label of this section written for this fiche?"""
    if not section.optional or section.field == "fichiers_associes":
        return True
    if section.field == "raisons_fin":
        return _text(fiche, "statut") == STATUT_TERMINEE or bool(_text(fiche, "raisons_fin"))
    return bool(_text(fiche, section.field))


def render_fiche(fiche_like: Any) -> str:
    """One fiche, from its « Actions » line to its last line, each line ending with a newline."""
    out = [MARKER, _text(fiche_like, "titre")]
    for section in SECTIONS:
        if not _written(section, fiche_like):
            continue
        out.append(section.label)
        kind = section.kind
        if kind is Kind.STRUCTURE:
            nom, departement = _text(fiche_like, "structure_nom"), _text(fiche_like, "departement_nom")
            out.append(f"{ITEM_PREFIX}{nom}{STRUCTURE_SPLIT}{departement}")
        elif kind is Kind.SINGLE:
            value = _text(fiche_like, section.field)
            if value:
                out.append(ITEM_PREFIX + value)
        elif kind is Kind.FREE:
            value = _text(fiche_like, section.field)
            if value:
                out.append(value)
        else:
            if kind in (Kind.LIST, Kind.SEPARATOR):
                out.append(SEPARATOR)
            if section.field:
                out.extend(ITEM_PREFIX + item for item in _items(fiche_like, section.field))
    return "\n".join(out) + "\n"


def render_file(fiches: Iterable[Any]) -> str:
    """A whole export: the header line, then every fiche."""
    return HEADER + "\n" + "".join(render_fiche(fiche) for fiche in fiches)
