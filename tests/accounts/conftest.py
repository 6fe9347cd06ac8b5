"""A small world: two centres in Maine-et-Loire (49), one in Loire-Atlantique (44, same région: Pays de la Loire),
one in Paris (75); a centre account, federations at every level, and one action per case."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User

from actions.models import Action
from structures.models import Departement
from tests.accounts.factories import UserFactory, centre_user, federation_user
from tests.actions.factories import ActionFactory
from tests.structures.factories import StructureFactory


@pytest.fixture
def world(db):
    dep = {code: Departement.objects.get(code=code) for code in ("49", "44", "75")}
    structures = SimpleNamespace(
        mine=StructureFactory(nom="Centre social Les Tilleuls", departement=dep["49"]),
        neighbour=StructureFactory(nom="Centre social Le Voisin", departement=dep["49"]),
        region=StructureFactory(nom="Centre social de Nantes", departement=dep["44"]),
        elsewhere=StructureFactory(nom="Centre social de Paris", departement=dep["75"]),
    )
    draft, submitted, published = Action.State.BROUILLON, Action.State.SOUMISE, Action.State.PUBLIEE
    actions = SimpleNamespace(
        own_draft=ActionFactory(titre="Brouillon des Tilleuls", structure=structures.mine, state=draft),
        own_submitted=ActionFactory(titre="Soumise des Tilleuls", structure=structures.mine, state=submitted),
        own_published=ActionFactory(titre="Publiée des Tilleuls", structure=structures.mine, state=published),
        neighbour_draft=ActionFactory(titre="Brouillon du Voisin", structure=structures.neighbour, state=draft),
        region_draft=ActionFactory(titre="Brouillon de Nantes", structure=structures.region, state=draft),
        elsewhere_draft=ActionFactory(titre="Brouillon de Paris", structure=structures.elsewhere, state=draft),
    )
    users = SimpleNamespace(
        centre=centre_user(structures.mine, username="centre"),
        fed49=federation_user(departements=["49"], username="fede49"),
        fed_region=federation_user(regions=["52"], username="federegion"),
        fed_national=federation_user(national=True, username="fedenationale"),
        superuser=User.objects.create_superuser("admin", "admin@example.org", "un-mot-de-passe-solide-2026"),
        nobody=UserFactory(username="sansrole"),
    )
    return SimpleNamespace(structures=structures, actions=actions, users=users, dep=dep)


@pytest.fixture
def login(client):
    """`login(user)`: the test client, logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login
