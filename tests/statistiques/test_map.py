import json
import re
from pathlib import Path

import pytest

from statistiques.map import CLASSES, class_bounds, colour_index, legend, shapes
from tests.statistiques.helpers import Elements

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "static" / "css" / "statistiques.css").read_text(encoding="utf-8")
PAPER, WHITE = "#f6f4ef", "#ffffff"


def referentiel_codes():
    departements = json.loads((ROOT / "fixtures" / "referentiels" / "departements.json").read_text(encoding="utf-8"))
    return {departement["code"] for departement in departements}


class TestClasses:
    def test_quantile_bounds_of_the_non_zero_values(self):
        assert class_bounds([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == [2, 4, 6, 8, 10]
        assert class_bounds([0, 1, 1, 1, 1, 50]) == [1, 50]  # equal bounds merged
        assert class_bounds([0, 0]) == [] and class_bounds([]) == []
        assert class_bounds([3, 3, 3]) == [3]

    def test_colours_spread_over_the_ramp(self):
        assert colour_index(0, [2, 4, 6, 8, 10]) == 0
        assert [colour_index(value, [2, 4, 6, 8, 10]) for value in (1, 2, 3, 5, 10)] == [1, 1, 2, 3, 5]
        assert [colour_index(value, [1, 50]) for value in (1, 2, 50)] == [1, CLASSES, CLASSES]
        assert colour_index(3, [3]) == CLASSES and colour_index(5, []) == 0

    def test_legend_states_the_ranges_in_words(self):
        expected = [(0, "aucune action"), (1, "1 action"), (3, "2 à 3 actions"), (5, "4 à 10 actions")]
        assert legend([1, 3, 10]) == expected
        assert legend([]) == [(0, "aucune action")]


def test_the_map_draws_every_departement_of_the_referentiel():
    data = shapes()
    assert set(data["departements"]) == referentiel_codes()
    assert set(data["zoomed"]) == {"75", "92", "93", "94"}
    assert [frame["label"] for frame in data["frames"]] == [
        "Paris et environs",
        "Guadeloupe",
        "Martinique",
        "Guyane",
        "La Réunion",
        "Mayotte",
    ]
    width, height = (float(value) for value in data["viewBox"].split()[2:])
    for code, path in data["departements"].items():
        x, y = (float(value) for value in re.match(r"M(-?[\d.]+),(-?[\d.]+)", path).groups())
        assert 0 <= x <= width and 0 <= y <= height, code


def test_one_link_per_departement_with_its_count_colour_and_page(client, catalogue):
    response = client.get("/statistiques/", {"statut": "en-cours"})
    elements = Elements(response.content.decode())
    rows = {row.code: row for row in response.context["table"].departement_rows}
    bounds = class_bounds(row.total.count for row in rows.values())
    links = [attrs for attrs in elements.all("a") if attrs.get("id", "").startswith("dep-")]
    assert sorted(attrs["id"] for attrs in links) == sorted(f"dep-{code}" for code in referentiel_codes())
    for attrs in links:
        code = attrs["id"].removeprefix("dep-")
        count = rows[code].total.count
        assert attrs["href"] == f"/departements/{code}/"
        assert attrs["class"] == f"map-c{colour_index(count, bounds)}"
        assert attrs["aria-label"] == f"{rows[code].name} ({code}) : {count} action{'s' if count > 1 else ''}"
    by_id = {attrs["id"]: attrs for attrs in links}
    # Totals 3, 2, 1 make three classes: the lightest, the middle and the darkest colour.
    assert (by_id["dep-49"]["aria-label"], by_id["dep-49"]["class"]) == ("Maine-et-Loire (49) : 3 actions", "map-c5")
    assert (by_id["dep-59"]["aria-label"], by_id["dep-59"]["class"]) == ("Nord (59) : 2 actions", "map-c3")
    assert (by_id["dep-72"]["aria-label"], by_id["dep-72"]["class"]) == ("Sarthe (72) : 1 action", "map-c1")
    assert (by_id["dep-01"]["aria-label"], by_id["dep-01"]["class"]) == ("Ain (01) : 0 action", "map-c0")
    # Paris and the petite couronne: the links are in the zoom; the tiny shapes of the main map are not focusable.
    copies = elements.all("a", tabindex="-1", aria_hidden="true")
    assert sorted(attrs["href"] for attrs in copies) == [f"/departements/{code}/" for code in ("75", "92", "93", "94")]
    assert all("id" not in attrs for attrs in copies)


def test_the_map_is_described_by_the_table(client, catalogue):
    page = client.get("/statistiques/").content.decode()
    assert (
        '<svg class="map" viewBox="0 0 735 585" role="group" aria-labelledby="carte-svg-titre" '
        'aria-describedby="carte-aide">'
    ) in page
    assert 'id="carte-aide"' in page and '<a href="#tableau">tableau par département</a>' in page
    assert "<title>Maine-et-Loire (49) : 4 actions</title>" in page
    assert '<span class="map-swatch map-c0" aria-hidden="true"></span>aucune action' in page
    assert "CC BY 4.0" in page


@pytest.mark.parametrize("code", ["2A", "971", "976"])
def test_a_departement_link_leads_to_its_page(client, catalogue, code):
    assert client.get(f"/departements/{code}/").status_code == 200


# ── colours, measured ─────────────────────────────────────────────────────────────────────────────────────


def variable(name):
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS).group(1)


def luminance(hex_colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(hex_colour[index : index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first, second):
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_outlines_stand_out_from_the_backgrounds_at_3_to_1():
    line = variable("map-line")
    assert contrast(line, variable("map-background")) >= 3 and contrast(line, PAPER) >= 3
    assert contrast(variable("map-hatch-line"), variable("map-hatch-ground")) >= 3  # « none » is visible as such


def test_the_ramp_goes_from_light_to_dark_in_even_steps():
    ramp = [luminance(variable(f"map-c{index}")) for index in range(1, CLASSES + 1)]
    assert ramp == sorted(ramp, reverse=True)
    steps = [contrast(variable(f"map-c{index}"), variable(f"map-c{index + 1}")) for index in range(1, CLASSES)]
    assert min(steps) >= 1.3, steps  # neighbouring classes stay apart, in grey too
    assert contrast(variable("focus"), variable("map-c5")) >= 3  # the focus ring shows on the darkest class
