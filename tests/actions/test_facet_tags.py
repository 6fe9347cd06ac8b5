"""`{% facet_fieldsets %}` gives the HTML of the included template it replaced, character for character."""

from django.template import Context, Engine

from actions.facets import Facet, FacetOption
from actions.templatetags.facet_tags import facet_fieldsets

# templates/includes/facet_fieldsets.html as it was (commit 9807ab1), the reference.
REFERENCE = """{% comment %}A faceted list's checkboxes.{% endcomment %}
{% for facet in facets %}
        <fieldset>
          <legend>{{ facet.label }}{% if facet.selected_count %} <span class="visually-hidden">({{ facet.selected_count }} choisi{{ facet.selected_count|pluralize }})</span>{% endif %}</legend>
          <ul class="options{% if facet.is_long %} long{% endif %}">
            {% for option in facet.options %}
            <li>
              <input type="checkbox" id="{{ option.id }}" name="{{ facet.name }}" value="{{ option.value }}"{% if option.selected %} checked{% endif %}>
              <label for="{{ option.id }}"><span>{{ option.label }}</span> <span class="count">{{ option.count }}<span class="visually-hidden"> {{ noun }}{{ option.count|pluralize }}</span></span></label>
            </li>
            {% endfor %}
          </ul>
        </fieldset>
{% endfor %}
"""  # noqa: E501


def reference(facets, noun):
    return Engine(libraries={}).from_string(REFERENCE).render(Context({"facets": facets, "noun": noun}))


def option(value, label, count, selected=False):
    return FacetOption(value=value, label=label, count=count, selected=selected, id=f"f-x-{value}")


def test_the_same_html_as_the_template_it_replaced():
    short = Facet(name="public", label="Public « visé » & <autres>", options=[option("a", "Enfance", 1)])
    long = Facet(
        name="departement",
        label="Département",
        options=[option(str(n), f"Dép. {n} <b>", n * 617, selected=n in (2, 5)) for n in range(12)],
    )
    one = Facet(name="dimension", label="Dimension", options=[option("c", "Citoyenneté", 0, selected=True)])
    for facets in ([], [short], [short, long, one]):
        for noun in ("action", "structure"):
            assert str(facet_fieldsets(facets, noun)) == reference(facets, noun)


def test_the_lists_show_their_facets(client, db):
    from tests.actions.factories import ActionFactory

    action = ActionFactory()
    html = client.get("/actions/").content.decode()
    assert f'value="{action.structure.departement.code}"' in html
    assert '<span class="visually-hidden"> action</span>' in html
    assert "<fieldset>" in client.get("/structures/").content.decode()
