import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from actions.filters import ActionFilterSet
from actions.models import MotCle, Partenaire, Public
from catalogue import clear as clear_catalogue
from structures.models import Departement, Region
from tests.actions.factories import ActionFactory
from tests.statistiques.helpers import expected_cells, expected_structures, matching
from tests.structures.factories import StructureFactory

PAGE = "/statistiques/"

FILTERS = [
    {},
    {"mots_cles": ["parentalite"]},
    {"statut": ["en-cours"]},
    {"mots_cles": ["parentalite", "sante"], "statut": ["en-cours"], "region": ["52"]},
    {"departement": ["49", "59"], "dimension": ["citoyennete"]},
    {"public": ["jeunesse"], "initiative": ["un-habitant"]},
    {"region": ["52", "32"], "departement": ["72", "59", "2A"]},
]


def table_of(client, params):
    response = client.get(PAGE, params)
    assert response.status_code == 200
    return response.context["table"]


def list_count(url):
    """How many actions the actions list shows for a link: its own FilterSet on the link's query string."""
    query = QueryDict(urlsplit(url).query)
    return ActionFilterSet(query).qs.count()


@pytest.mark.parametrize("params", FILTERS, ids=lambda params: "&".join(params) or "no-filter")
class TestTableMatchesTheList:
    def test_cells_subtotals_and_total_equal_independent_counts(self, client, catalogue, params):
        table = table_of(client, params)
        actions = matching(params)
        cells = expected_cells(actions)
        structures = expected_structures(actions, lambda action: action.structure.departement.code)
        by_region = expected_structures(actions, lambda action: action.structure.departement.region.code)
        slugs = [column.slug for column in table.columns]
        for group in table.groups:
            for row in group.rows:
                assert [cell.count for cell in row.cells] == [cells.get((row.code, slug), 0) for slug in slugs], row
                assert row.total.count == sum(count for (code, _), count in cells.items() if code == row.code)
                assert row.structures.count == structures.get(row.code, 0)
            in_region = [action for action in actions if action.structure.departement.region.code == group.code]
            assert group.subtotal.total.count == len(in_region)
            assert [cell.count for cell in group.subtotal.cells] == [
                sum(1 for action in in_region if (action.dimension.slug if action.dimension else None) == slug)
                for slug in slugs
            ]
            assert group.subtotal.structures.count == by_region.get(group.code, 0)
        assert table.total.total.count == len(actions)
        assert table.total.structures.count == len({action.structure_id for action in actions})

    def test_every_non_zero_count_links_to_a_list_of_exactly_that_many(self, client, catalogue, params):
        table = table_of(client, params)
        rows = [row for group in table.groups for row in group.all_rows] + [table.total]
        linked = 0
        for row in rows:
            for cell, column in zip(row.cells, table.columns, strict=True):
                if cell.count and column.slug:
                    assert cell.url and list_count(cell.url) == cell.count, (row.label, column.label)
                    linked += 1
                else:
                    assert cell.url is None
            assert (row.total.url is None) == (row.total.count == 0)
            if row.total.url:
                assert list_count(row.total.url) == row.total.count
            assert row.structures.url is None
        assert linked > 0

    def test_links_keep_the_filters(self, client, catalogue, params):
        table = table_of(client, params)
        url = table.total.total.url
        assert urlsplit(url).path == "/actions/"
        assert sorted(parse_qsl(urlsplit(url).query)) == sorted(
            (name, value) for name, values in params.items() for value in values
        )
        for group in table.groups:
            for row in group.rows:
                for cell in row.cells:
                    if cell.url:
                        query = dict(parse_qsl(urlsplit(cell.url).query))
                        assert query["departement"] == row.code and query["dimension"] == cell.headers.split("col-")[1]
                        for name in set(params) - {"departement", "dimension"}:
                            assert name in query


def test_the_list_page_shows_the_cell_count(client, catalogue):
    table = table_of(client, {"mots_cles": "parentalite"})
    maine_et_loire = next(row for row in table.departement_rows if row.code == "49")
    citoyennete = maine_et_loire.cells[0]
    assert citoyennete.count == 2
    assert citoyennete.url == "/actions/?mots_cles=parentalite&departement=49&dimension=citoyennete"
    page = client.get(citoyennete.url).content.decode()
    assert re.search(r'id="result-count"[^>]*><strong>2</strong> actions publiées', page)


def test_summary_sentence(client, catalogue):
    page = client.get(PAGE, {"departement": ["49", "72"]}).content.decode()
    assert (
        "<strong>6</strong> actions publiées correspondant aux filtres,\n  menées par <strong>3</strong> structures\n"
        "  dans <strong>2</strong> départements sur 101."
    ) in page


def test_no_match_says_what_to_do(client, catalogue):
    page = client.get(PAGE, {"q": "zzzqqq", "region": "94"}).content.decode()
    assert "Aucune action ne correspond à ces filtres." in page
    assert '<a href="/statistiques/">voyez les statistiques de toutes les actions</a>' in page
    assert page.count('class="zero"') > 101 * 5  # the table is still there, all zeros


def test_drafts_submitted_and_archived_actions_are_never_counted(client, catalogue):
    table = table_of(client, {})
    corse = next(row for row in table.departement_rows if row.code == "2A")
    assert corse.total.count == 1 and corse.cells[1].count == 0  # only its « Services » actions are unpublished
    assert table.total.total.count == 9


def test_every_departement_of_the_referentiel_grouped_by_region(client, catalogue):
    table = table_of(client, {"departement": "49"})
    rows = table.departement_rows
    assert sorted(row.code for row in rows) == sorted(Departement.objects.values_list("code", flat=True))
    assert len(rows) == 101 and sum(row.total.count == 0 for row in rows) == 100
    assert [group.name for group in table.groups][:2] == ["Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté"]
    names = [group.name for group in table.groups]
    assert names.index("Hauts-de-France") < names.index("Île-de-France") < names.index("La Réunion")
    assert len(table.groups) == Region.objects.count()
    for group in table.groups:
        assert all(row.region_id == group.id for row in group.rows)
        assert [row.code for row in group.rows] == sorted(row.code for row in group.rows)


def test_a_column_for_actions_without_dimension_only_when_there_are_some(client, catalogue):
    assert [column.label for column in table_of(client, {}).columns][-1] == "Dimension non renseignée"
    columns = table_of(client, {"dimension": "citoyennete"}).columns
    assert [column.label for column in columns] == ["Citoyenneté", "Services", "Accompagnement de projets"]


def test_table_markup(client, catalogue):
    page = client.get(PAGE, {"mots_cles": "parentalite"}).content.decode()
    assert '<caption id="tableau-legende">Actions publiées correspondant aux filtres par département' in page
    assert 'class="table-scroll" role="region" aria-labelledby="tableau-legende" tabindex="0"' in page
    assert '<th scope="rowgroup" colspan="6" id="reg-52">Pays de la Loire</th>' in page
    assert '<th scope="row" id="row-49" headers="reg-52">Maine-et-Loire (49)</th>' in page
    assert (
        '<td headers="reg-52 row-49 col-citoyennete"><a href="/actions/?mots_cles=parentalite&amp;departement=49'
        '&amp;dimension=citoyennete">2<span class="visually-hidden"> actions Citoyenneté, Maine-et-Loire (49)'
        "</span></a></td>"
    ) in page
    assert '<td headers="reg-84 row-01 col-citoyennete" class="zero">0</td>' in page  # nothing in Ain: 0, no link
    assert '<th scope="row" id="sub-52" headers="reg-52">Total Pays de la Loire</th>' in page
    assert "<tfoot>" in page and '<th scope="row" id="row-total">France entière</th>' in page
    assert page.count('headers="reg-') >= 101 * 5


def test_nav_item_and_downloads_carry_the_filters(client, catalogue):
    page = client.get(PAGE, {"mots_cles": "parentalite", "statut": ["en-cours", "zzz"], "tri": "titre"}).content
    page = page.decode()
    assert '<a href="/statistiques/" aria-current="page">Statistiques</a>' in page
    assert 'href="/statistiques/tableau.csv?statut=en-cours&amp;mots_cles=parentalite"' in page
    assert 'href="/statistiques/tableau.xlsx?statut=en-cours&amp;mots_cles=parentalite"' in page
    assert "Statut : « zzz » est inconnu, ce critère est ignoré." in page
    assert "Voir ces actions dans la liste" in page
    assert '<input type="checkbox" id="s-mots_cles-parentalite" name="mots_cles" value="parentalite" checked>' in page


@pytest.mark.parametrize(
    "query_string",
    [
        "departement=ZZ",
        "region=1&region=%00",
        "dimension=" + "x" * 10000,
        "q=" + "é" * 10000,
        "q=%00",
        "q=!%20%26%20|%20:*%20(",
        "mots_cles=culture&mots_cles=culture&mots_cles=&mots_cles=%20",
        "departement[]=49",
        "%00=%00",
        "structure=abc",
        "page=abc&tri=zzz",
    ],
)
@pytest.mark.parametrize("url", [PAGE, "/statistiques/tableau.csv", "/statistiques/tableau.xlsx"])
def test_malformed_query_strings_never_fail(client, catalogue, url, query_string):
    assert client.get(f"{url}?{query_string}").status_code == 200


def test_invalid_values_are_dropped_with_a_notice_and_the_others_apply(client, catalogue):
    response = client.get(PAGE, {"departement": ["ZZ", "72"]})
    page = response.content.decode()
    assert "Département : « ZZ » est inconnu, ce critère est ignoré." in page and 'role="alert"' in page
    assert response.context["table"].total.total.count == 2


def test_search_query_counts_like_the_list(client, catalogue):
    table = table_of(client, {"q": "jardin"})
    assert table.total.total.count == ActionFilterSet({"q": "jardin"}).qs.count() == 1
    assert table.total.total.url == "/actions/?q=jardin"


class TestQueryCount:
    def queries(self, client, params, cold=True):
        if cold:  # pages, counts and the facet index all computed again
            clear_catalogue()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PAGE, params).status_code == 200
        return len(captured)

    def test_constant_whatever_the_filters_and_the_number_of_actions(self, client, catalogue):
        none = self.queries(client, {})
        three = self.queries(client, {"mots_cles": ["parentalite", "sante"], "statut": "en-cours", "region": "52"})
        assert three == none
        structure = StructureFactory(departement=Departement.objects.get(code="13"))
        for number in range(40):
            action = ActionFactory(structure=structure, mots_cles=["Culture", "Santé"], public=Public.objects.first())
            action.partenaires.set(Partenaire.objects.all()[: number % 3])
        many = {"departement": ["13", "49"], "mots_cles": ["culture"], "partenaire": ["caf"], "dimension": "services"}
        assert self.queries(client, {"public": "tous-publics"}) == none
        assert self.queries(client, many) == none

    def test_counts_are_cached_until_the_catalogue_changes(self, client, catalogue):
        first = self.queries(client, {"mots_cles": "parentalite", "q": "jardin"})
        # The catalogue version, then the cached page.
        assert self.queries(client, {"mots_cles": "parentalite", "q": "jardin"}, cold=False) == 1
        # Another address of the same filters: neither the catalogue's snapshot (16 queries, in memory) nor the
        # text query's matching ids (cached per catalogue version and query); the counts are the snapshot's.
        again = self.queries(client, {"q": "jardin", "mots_cles": "parentalite", "utm_source": "lettre"}, cold=False)
        # Nor the thesaurus and the names of places (3 queries), loaded into the snapshot with its first text query.
        assert again == first - 16 - 1 - 3
        assert table_of(client, {"mots_cles": "parentalite", "utm_source": "autre"}).total.total.count == 5
        ActionFactory(mots_cles=["Parentalité"])
        table = table_of(client, {"mots_cles": "parentalite"})
        assert table.total.total.count == len(matching({"mots_cles": ["parentalite"]})) == 6

    def test_budget(self, client, catalogue, django_assert_max_num_queries):
        # Catalogue version (1), the catalogue's snapshot (16: 7 vocabularies, régions, départements, structures,
        # the facet index's actions, structures, 3 link tables, order of publication), the text query's matching ids;
        # the thesaurus and the names of places (3), loaded into the snapshot with its first text query.
        with django_assert_max_num_queries(21):
            client.get(PAGE, {"mots_cles": "parentalite", "departement": ["49", "72"], "q": "jardin"})


class TestBreakdowns:
    def breakdowns(self, client, params):
        response = client.get(PAGE, params)
        return {breakdown.name: breakdown for breakdown in response.context["breakdowns"]}

    def test_counts_by_vocabulary(self, client, catalogue):
        breakdowns = self.breakdowns(client, {"region": "52"})
        bars = {bar.label: bar for bar in breakdowns["mots_cles"].bars}
        assert (bars["Parentalité"].count, bars["Culture"].count, bars["Santé"].count) == (3, 2, 2)
        assert bars["Logement"].count == 0 and bars["Logement"].url is None  # every value, zero included
        assert bars["Non renseigné"].count == 1  # the action with no mot-clé
        assert bars["Parentalité"].share == 50 and bars["Parentalité"].width == 100
        statuts = {bar.label: bar.count for bar in breakdowns["statut"].bars}
        assert statuts == {"En cours": 4, "Terminée": 2}
        publics = [(bar.label, bar.count) for bar in breakdowns["public"].bars][:3]
        assert publics == [("Jeunesse", 2), ("Seniors", 2), ("Non renseigné", 2)]
        initiatives = {bar.label: bar.count for bar in breakdowns["initiative"].bars}
        assert initiatives["Le centre social"] == 3 and initiatives["Un habitant"] == 2

    def test_links_only_where_the_list_shows_the_same_number(self, client, catalogue):
        breakdowns = self.breakdowns(client, {"mots_cles": "parentalite", "statut": "en-cours"})
        for breakdown in breakdowns.values():
            for bar in breakdown.bars:
                if bar.url:
                    assert list_count(bar.url) == bar.count, (breakdown.name, bar.label)
        keywords = {bar.label: bar for bar in breakdowns["mots_cles"].bars}
        # « Culture » among the Parentalité actions: the list can only show Culture *or* Parentalité.
        assert keywords["Culture"].count == 1 and keywords["Culture"].url is None
        assert keywords["Parentalité"].url == "/actions/?statut=en-cours&mots_cles=parentalite"
        statuts = {bar.label: bar for bar in breakdowns["statut"].bars}
        assert statuts["En cours"].count == 3 and statuts["Terminée"].url is None
        assert MotCle.objects.filter(slug="parentalite").exists()

    def test_rendered_as_tables_with_svg_bars(self, client, catalogue):
        page = client.get(PAGE).content.decode()
        assert '<h3 id="rep-mots_cles">Mots-clés</h3>' in page
        bar = r'<td class="num">6</td>\s*<td class="bar-cell"><svg class="bar" [^>]*aria-hidden="true"'
        assert re.search(bar, page)
        assert '<rect width="100.0" height="10"/>' in page and "style=" not in page
        assert re.search(r'<rect width="\d+\.\d" height="10"/>', page)  # a decimal point, never a comma
