"""« Actions similaires » on a fiche: most mots-clés shared, then same dimension, then newest; published only."""

from datetime import timedelta

from django.utils import timezone

from actions.models import Action, Dimension
from actions.views import similar_actions
from tests.actions.factories import ActionFactory


def titles(actions):
    return [action.titre for action in actions]


def similar(action, **kwargs):
    return similar_actions(action, action.list_entry_ids()["mots_cles"], **kwargs)


def test_ranked_by_shared_mots_cles_then_dimension_then_newest(db):
    citoyennete = Dimension.objects.get(libelle="Citoyenneté")
    services = Dimension.objects.get(libelle="Services")
    action = ActionFactory(titre="Origine", dimension=citoyennete, mots_cles=["Jardin", "Culture", "Jeunesse"])
    ActionFactory(titre="Trois en commun", dimension=services, mots_cles=["Jardin", "Culture", "Jeunesse"])
    ActionFactory(titre="Un, même dimension", dimension=citoyennete, mots_cles=["Culture", "Sport"])
    ActionFactory(titre="Un, autre dimension, récente", dimension=services, mots_cles=["Jeunesse"])
    ActionFactory(titre="Deux en commun", dimension=services, mots_cles=["Jardin", "Culture"])
    ActionFactory(titre="Brouillon", state=Action.State.BROUILLON, mots_cles=["Jardin", "Culture", "Jeunesse"])
    ActionFactory(titre="Rien en commun, même dimension", dimension=citoyennete, mots_cles=["Sport"])
    assert titles(similar(action)) == [
        "Trois en commun",
        "Deux en commun",
        "Un, même dimension",
        "Un, autre dimension, récente",
    ]
    assert titles(similar(action, limit=6)) == [
        "Trois en commun",
        "Deux en commun",
        "Un, même dimension",
        "Un, autre dimension, récente",
        "Rien en commun, même dimension",  # completed by the newest of its dimension
    ]


def test_without_mots_cles_the_newest_of_its_dimension(db):
    action = ActionFactory(titre="Origine")
    older, newer = ActionFactory(titre="Ancienne"), ActionFactory(titre="Récente")
    ActionFactory(titre="Autre dimension", dimension=Dimension.objects.get(libelle="Services"))
    assert titles(similar(action)) == [newer.titre, older.titre]


def test_newest_means_published_last_not_created_last(db):
    action = ActionFactory(titre="Origine", mots_cles=["Jardin"])
    first_created = ActionFactory(titre="Créée avant, publiée après", mots_cles=["Jardin"])
    ActionFactory(titre="Créée après, publiée avant", mots_cles=["Jardin"])
    Action.objects.filter(pk=first_created.pk).update(published_at=timezone.now() + timedelta(days=1))
    assert titles(similar(action)) == ["Créée avant, publiée après", "Créée après, publiée avant"]


def test_one_query_once_the_index_is_loaded(db, django_assert_num_queries):
    action = ActionFactory(mots_cles=["Jardin"])
    ActionFactory(mots_cles=["Jardin"])
    ActionFactory()
    keywords = action.list_entry_ids()["mots_cles"]
    similar_actions(action, keywords)
    with django_assert_num_queries(2):  # the catalogue version (outside a request: read each time), the links
        found = similar_actions(action, keywords)
        assert [other.departement_nom for other in found]  # what the link shows, read in the same query
    for other in found:
        action = Action.objects.select_related("structure__departement").get(titre=other.titre)
        assert other.url == action.get_absolute_url()
        assert (other.structure_nom, other.departement_nom) == (action.structure.nom, action.structure.departement.nom)
