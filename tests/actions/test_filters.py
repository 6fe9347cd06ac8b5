import pytest
from django.http import QueryDict

from actions.facets import build_facets, facet_counts
from actions.filters import ActionFilterSet
from actions.models import Action, Dimension, Partenaire, Public
from catalogue import snapshot as catalogue_snapshot
from structures.models import Departement, Structure
from tests.actions.factories import ActionFactory, varied_catalogue
from tests.structures.factories import StructureFactory


def filterset(query_string):
    return ActionFilterSet(QueryDict(query_string))


def titles(query_string):
    return sorted(action.titre for action in filterset(query_string).qs)


@pytest.fixture
def catalogue(db):
    angers = StructureFactory(nom="Centre Angers", departement=Departement.objects.get(code="49"))
    le_mans = StructureFactory(nom="Centre Le Mans", departement=Departement.objects.get(code="72"))
    lille = StructureFactory(nom="Centre Lille", departement=Departement.objects.get(code="59"))
    services = Dimension.objects.get(libelle="Services")
    jeunesse = Public.objects.get(libelle="Jeunesse")
    ActionFactory(titre="A1", structure=angers, mots_cles=["Culture", "Santé"], public=jeunesse)
    ActionFactory(titre="A2", structure=angers, dimension=services, mots_cles=["Culture"])
    ActionFactory(titre="M1", structure=le_mans, mots_cles=["Santé"], public=jeunesse)
    ActionFactory(titre="L1", structure=lille, dimension=services)
    ActionFactory(titre="Brouillon", structure=angers, state=Action.State.BROUILLON, mots_cles=["Culture"])


def test_only_published_actions(catalogue):
    assert titles("") == ["A1", "A2", "L1", "M1"]


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("departement=49", ["A1", "A2"]),
        ("departement=49&departement=72", ["A1", "A2", "M1"]),  # values of one facet are alternatives
        ("region=52", ["A1", "A2", "M1"]),  # Pays de la Loire
        ("dimension=services", ["A2", "L1"]),
        ("mots_cles=culture", ["A1", "A2"]),
        ("mots_cles=culture&mots_cles=sante", ["A1", "A2", "M1"]),
        ("mots_cles=culture&dimension=services", ["A2"]),  # facets combine
        ("public=jeunesse&departement=72", ["M1"]),
        ("structure=centre-lille-59", ["L1"]),
        ("q=A1", ["A1"]),
    ],
)
def test_filters(catalogue, query_string, expected):
    assert titles(query_string) == expected


def test_many_to_many_filters_give_no_duplicates(catalogue):
    assert filterset("mots_cles=culture&mots_cles=sante").qs.count() == 3


@pytest.mark.parametrize(
    ("query_string", "expected", "notice"),
    [
        ("departement=49&departement=ZZ", ["A1", "A2"], "« ZZ » est inconnu"),
        ("departement=ZZ&dimension=services", ["A2", "L1"], "Département"),
        ("structure=abc", ["A1", "A2", "L1", "M1"], "Structure : « abc » est inconnu"),
        ("dimension=" + "x" * 5000, ["A1", "A2", "L1", "M1"], "Dimension"),
        ("dimension=services%00", ["A1", "A2", "L1", "M1"], "Dimension"),
        ("q=" + "x" * 5000 + "&dimension=services", ["A2", "L1"], "Rechercher"),
        ("q=jeu%00nes&dimension=services", ["A2", "L1"], "Rechercher"),
        ("tri=n%27importe&dimension=services", ["A2", "L1"], "Trier par"),
    ],
)
def test_invalid_values_are_reported_and_the_other_filters_apply(catalogue, query_string, expected, notice):
    current = filterset(query_string)
    assert sorted(action.titre for action in current.qs) == expected
    assert any(notice in message for message in current.notices), current.notices


def test_unknown_parameters_are_ignored_silently(catalogue):
    current = filterset("utm_source=x&fbclid=y&departement=49")
    assert sorted(action.titre for action in current.qs) == ["A1", "A2"]
    assert current.notices == []


@pytest.mark.parametrize(
    ("tri", "expected"),
    [("titre", ["A1", "A2", "L1", "M1"]), ("recent", ["L1", "M1", "A2", "A1"]), ("", ["L1", "M1", "A2", "A1"])],
)
def test_sorting_with_a_stable_tie_breaker(catalogue, tri, expected):
    Action.objects.update(published_at="2025-01-01T00:00:00Z")  # all equal: the tie-breaker decides
    assert [action.titre for action in filterset(f"tri={tri}").qs] == expected


def test_relevance_is_offered_only_with_a_query(catalogue):
    assert filterset("tri=pertinence").sort == "recent"
    assert filterset("q=A1").sort == "pertinence"
    assert "pertinence" not in dict(filterset("").sort_choices())


def counted_from_index(filterset):
    return catalogue_snapshot().select(filterset).facet_counts()


@pytest.fixture(params=[facet_counts, counted_from_index], ids=["sql", "index"])
def facet_counts_by(request):
    """Both ways of counting facets (the generic SQL one and the actions list's index) answer every test."""
    return request.param


class TestFacetCounts:
    def test_each_facet_is_counted_with_the_other_filters_only(self, catalogue, facet_counts_by):
        counts = facet_counts_by(filterset("departement=49&mots_cles=sante"))
        departements = {Departement.objects.get(pk=pk).code: n for pk, n in counts["departement"].items()}
        assert departements == {"49": 1, "72": 1}  # Santé in each; the ticked 49 does not hide 72
        culture_and_sante = {
            keyword.libelle: counts["mots_cles"][keyword.pk]
            for keyword in filterset("").options["mots_cles"]
            if keyword.pk in counts["mots_cles"]
        }  # noqa: E501
        assert culture_and_sante == {"Culture": 2, "Santé": 1}  # in 49, whatever the ticked mot-clé

    def test_counts_agree_with_the_list(self, catalogue, facet_counts_by):
        """For every option shown, ticking it (alone in its facet) gives exactly that many actions."""
        base = "dimension=citoyennete"
        current = filterset(base)
        for facet in build_facets(current, facet_counts_by(current)):
            for option in facet.options:
                if facet.name == "dimension":
                    continue
                assert filterset(f"{base}&{facet.name}={option.value}").qs.count() == option.count, option

    def test_zero_options_are_hidden_but_ticked_ones_stay(self, catalogue, facet_counts_by):
        current = filterset("departement=59&public=jeunesse")
        facets = {facet.name: facet for facet in build_facets(current, facet_counts_by(current))}
        departements = {option.value: (option.count, option.selected) for option in facets["departement"].options}
        assert departements == {"49": (1, False), "59": (0, True), "72": (1, False)}
        assert "dimension" not in facets  # nothing in 59 for Jeunesse: no dead end offered
        assert all(option.count or option.selected for facet in facets.values() for option in facet.options)

    def test_all_counts_in_one_query(self, catalogue, django_assert_num_queries):
        current = filterset("departement=49&departement=72&mots_cles=culture&q=centre")
        current.options  # noqa: B018 - the vocabularies, loaded once per request
        current.qs  # noqa: B018
        with django_assert_num_queries(1):
            facet_counts(current)

    def test_partenaire_and_initiative_facets(self, catalogue, facet_counts_by):
        caf = Partenaire.objects.get(libelle="Caf")
        Action.objects.get(titre="L1").partenaires.add(caf)
        counts = facet_counts_by(filterset(""))
        assert counts["partenaire"] == {caf.pk: 1}
        assert titles(f"partenaire={caf.slug}") == ["L1"]


def test_chips_remove_one_value_and_keep_the_rest(catalogue):
    chips = filterset("q=centre&departement=49&departement=72&page=3").active_filters()
    labels = [chip["label"] for chip in chips]
    assert labels == ["Recherche : « centre »", "Département : Maine-et-Loire (49)", "Département : Sarthe (72)"]
    assert chips[1]["remove_url"] == "?q=centre&departement=72"
    assert chips[0]["remove_url"] == "?departement=49&departement=72"


class TestIndexedCountsEqualSql:
    """The read model's index (catalogue/) against the SQL reference on a random catalogue and random filters."""

    @pytest.fixture
    def varied_catalogue(self, db):
        return varied_catalogue(seed=20261130)

    def random_query_string(self, rng, options):
        params = []
        for name, values in options.items():
            if rng.random() < 0.3:
                params += [(name, str(value)) for value in rng.sample(values, rng.randint(1, min(3, len(values))))]
        if rng.random() < 0.3:
            params.append(("q", rng.choice(["jardin", "repas culture", "atelier", "rien"])))
        return "&".join(f"{name}={value}" for name, value in params)

    def test_same_total_and_counts_as_sql(self, varied_catalogue):
        rng = varied_catalogue
        reference = filterset("")
        options = {
            name: [getattr(option, reference.filters[name].key) for option in reference.options[name]]
            for name in reference.FACETS
        }
        options["structure"] = list(Structure.objects.values_list("slug", flat=True))
        for _ in range(40):
            query_string = self.random_query_string(rng, options)
            current = filterset(query_string)
            counted = catalogue_snapshot().select(current)
            assert (counted.total, counted.facet_counts()) == (current.filtered().count(), facet_counts(current)), (
                query_string
            )
            assert counted.ids() == sorted(current.filtered().values_list("pk", flat=True)), query_string
