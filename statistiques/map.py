"""The map of France by département: shapes from `data/france-departements.json` (see data/SOURCE.md), coloured
by number of actions in up to five classes, plus a class for « none ».

Colours live in static/css/statistiques.css (`.map-c0` … `.map-c5`, a colour-blind-safe sequential ramp; the
« none » class is hatched, so it differs from the others by more than colour). The map is a picture with links;
its text alternative is the table on the same page.
"""

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from django.urls import reverse

MAP_FILE = Path(__file__).resolve().parent / "data" / "france-departements.json"
CLASSES = 5


@functools.cache
def shapes():
    with open(MAP_FILE, encoding="utf-8") as file:
        return json.load(file)


def class_bounds(values, classes=CLASSES):
    """Upper bounds of at most `classes` classes of the non-zero `values`, each holding about as many values
    (quantiles), so that a few big départements do not leave all the others in the first class."""
    ordered = sorted(value for value in values if value > 0)
    bounds = []
    for index in range(1, classes + 1):
        bound = ordered[math.ceil(len(ordered) * index / classes) - 1] if ordered else None
        if bound is not None and bound not in bounds:
            bounds.append(bound)
    return bounds


def colour_index(value, bounds):
    """0 for no action, else 1…CLASSES spread over the ramp: with 2 classes, the lightest and the darkest."""
    if value <= 0 or not bounds:
        return 0
    position = next(index for index, bound in enumerate(bounds) if value <= bound)
    if len(bounds) == 1:
        return CLASSES
    return 1 + round(position * (CLASSES - 1) / (len(bounds) - 1))


def plural(count, word="action"):
    return f"{count} {word}{'s' if count > 1 else ''}"


def legend(bounds):
    """[(colour index, text)] from « aucune action » to the largest class."""
    entries = [(0, "aucune action")]
    lower = 1
    for bound in bounds:
        text = plural(bound) if bound == lower else f"{lower} à {bound} actions"
        entries.append((colour_index(bound, bounds), text))
        lower = bound + 1
    return entries


@dataclass
class Shape:
    code: str
    name: str
    count: int
    d: str
    colour: int
    url: str
    zoomed: bool  # also drawn in the zoom frame, where its link is

    @property
    def label(self):
        return f"{self.name} ({self.code}) : {plural(self.count)}"


def build_map(table):
    """Shapes of every département of the table that the map knows, with counts, colours and links."""
    data = shapes()
    rows = [row for row in table.departement_rows if row.code in data["departements"]]
    bounds = class_bounds(row.total.count for row in rows)
    departements = [
        Shape(
            code=row.code,
            name=row.name,
            count=row.total.count,
            d=data["departements"][row.code],
            colour=colour_index(row.total.count, bounds),
            url=reverse("structures:departement", args=[row.code]),
            zoomed=row.code in data["zoomed"],
        )
        for row in rows
    ]
    zoomed = [
        Shape(shape.code, shape.name, shape.count, data["zoomed"][shape.code], shape.colour, shape.url, True)
        for shape in departements
        if shape.zoomed
    ]
    return {
        "view_box": data["viewBox"],
        "departements": departements,
        "zoomed": zoomed,
        "frames": [{**frame, "text_x": frame["x"] + 5, "text_y": frame["y"] + 13} for frame in data["frames"]],
        "legend": legend(bounds),
    }
