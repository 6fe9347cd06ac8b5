"""Structures, vocabularies, référentiels and accounts in the admin, per role."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from accounts.models import StructureMembership
from accounts.perms import CENTRE_GROUP
from actions.models import MotCle
from structures.models import Structure


@pytest.fixture
def login(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def structure_data(structure, **overrides):
    data = {"nom": structure.nom, "kind": structure.kind, "departement": structure.departement_id}
    data.update(overrides)
    return data


STRUCTURES = ["mine", "neighbour", "region", "elsewhere"]
VISIBLE = {
    "centre": {"mine"},
    "fed49": {"mine", "neighbour"},
    "fed_region": {"mine", "neighbour", "region"},
    "fed_national": set(STRUCTURES),
    "superuser": set(STRUCTURES),
}
EDITABLE = {**VISIBLE, "centre": set()}


@pytest.mark.parametrize("role", VISIBLE)
def test_structure_list(world, login, role):
    content = login(getattr(world.users, role)).get(reverse("admin:structures_structure_changelist")).content.decode()
    for name in STRUCTURES:
        assert (getattr(world.structures, name).nom in content) == (name in VISIBLE[role]), name


@pytest.mark.parametrize("role", VISIBLE)
@pytest.mark.parametrize("target", STRUCTURES)
def test_structure_change_and_delete(world, login, role, target):
    structure = getattr(world.structures, target)
    client = login(getattr(world.users, role))
    url = reverse("admin:structures_structure_change", args=[structure.pk])
    response = client.post(url, structure_data(structure, nom="Nom forgé"))
    if target in EDITABLE[role]:
        assert response.status_code == 302
        assert Structure.objects.get(pk=structure.pk).nom == "Nom forgé"
    else:
        assert response.status_code == (403 if target in VISIBLE[role] else 404)
        assert Structure.objects.get(pk=structure.pk).nom == structure.nom
    delete = client.post(reverse("admin:structures_structure_delete", args=[structure.pk]), {"post": "yes"})
    if target not in EDITABLE[role]:
        assert delete.status_code == (403 if target in VISIBLE[role] else 404)
    # Structures with actions are protected: never deleted, whoever asks.
    assert Structure.objects.filter(pk=structure.pk).exists()


@pytest.mark.parametrize("departement, created", [("49", True), ("44", False), ("75", False)])
def test_departmental_federation_adds_structures_in_its_departement_only(world, login, departement, created):
    data = {"nom": "Nouveau centre", "kind": "centre_social", "departement": world.dep.get(departement).pk}
    response = login(world.users.fed49).post(reverse("admin:structures_structure_add"), data)
    assert Structure.objects.filter(nom="Nouveau centre").exists() == created
    if not created:
        assert "departement" in response.context["adminform"].form.errors


def test_centre_cannot_add_structures(world, login):
    data = {"nom": "Nouveau centre", "kind": "centre_social", "departement": world.dep["49"].pk}
    assert login(world.users.centre).post(reverse("admin:structures_structure_add"), data).status_code == 403
    assert not Structure.objects.filter(nom="Nouveau centre").exists()


def test_departement_autocomplete_is_scoped(world, login):
    response = login(world.users.fed49).get(
        reverse("admin:autocomplete"),
        {"app_label": "structures", "model_name": "structure", "field_name": "departement", "term": "Loire"},
    )
    assert [result["text"] for result in response.json()["results"]] == ["Maine-et-Loire (49)"]


def test_structure_history_records_the_federation(world, login):
    structure = world.structures.neighbour
    login(world.users.fed49).post(
        reverse("admin:structures_structure_change", args=[structure.pk]), structure_data(structure, commune="Angers")
    )
    assert structure.history.latest().history_user == world.users.fed49
    assert (
        login(world.users.fed49).get(reverse("admin:structures_structure_history", args=[structure.pk])).status_code
        == 200
    )
    url = reverse("admin:structures_structure_history", args=[world.structures.elsewhere.pk])
    assert login(world.users.fed49).get(url).status_code == 404


class TestVocabularies:
    def test_centre_reads_but_does_not_write(self, world, login):
        client = login(world.users.centre)
        assert client.get(reverse("admin:actions_motcle_changelist")).status_code == 200
        assert client.post(reverse("admin:actions_motcle_add"), {"libelle": "Forgé", "position": 1}).status_code == 403
        assert not MotCle.objects.filter(libelle="Forgé").exists()

    def test_federation_manages_them(self, world, login):
        response = login(world.users.fed49).post(
            reverse("admin:actions_motcle_add"), {"libelle": "Numérique", "position": 1}
        )
        assert response.status_code == 302
        assert MotCle.objects.filter(libelle="Numérique").exists()

    def test_referentiels_are_read_only_for_federations(self, world, login):
        client = login(world.users.fed_national)
        url = reverse("admin:structures_departement_change", args=[world.dep["49"].pk])
        assert client.get(url).status_code == 200
        assert client.post(url, {"nom": "Forgé", "code": "49", "region": world.dep["49"].region_id}).status_code == 403


class TestAccounts:
    def add_centre_account(self, client, structure, **extra):
        data = {
            "username": "nouveaucentre",
            "usable_password": "true",
            "password1": "un-mot-de-passe-solide-2026",
            "password2": "un-mot-de-passe-solide-2026",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "1",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-structure": structure.pk,
            **extra,
        }
        return client.post(reverse("admin:auth_user_add"), data)

    def test_federation_lists_only_the_centre_accounts_of_its_territory(self, world, login):
        outsider = User.objects.create_user("centredenantes", is_staff=True)
        StructureMembership.objects.create(user=outsider, structure=world.structures.region)
        content = login(world.users.fed49).get(reverse("admin:auth_user_changelist")).content.decode()
        assert ">centre<" in content
        for username in ["centredenantes", "federegion", "fedenationale", ">admin<"]:
            assert username not in content

    def test_federation_creates_a_centre_account(self, world, login):
        response = self.add_centre_account(login(world.users.fed49), world.structures.neighbour, is_superuser="on")
        assert response.status_code == 302
        user = User.objects.get(username="nouveaucentre")
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [CENTRE_GROUP]
        assert list(user.memberships.values_list("structure", flat=True)) == [world.structures.neighbour.pk]

    def test_federation_cannot_attach_an_account_outside_its_territory(self, world, login):
        response = self.add_centre_account(login(world.users.fed49), world.structures.region)
        assert response.status_code == 200
        assert not User.objects.filter(username="nouveaucentre").exists()

    def test_password_validators_apply(self, world, login):
        client = login(world.users.fed49)
        response = self.add_centre_account(client, world.structures.neighbour, password1="123", password2="123")
        assert response.status_code == 200
        assert not User.objects.filter(username="nouveaucentre").exists()

    def test_federation_cannot_promote_itself_or_others(self, world, login):
        client = login(world.users.fed49)
        url = reverse("admin:auth_user_change", args=[world.users.centre.pk])
        data = {
            "username": "centre",
            "is_active": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name="Équipe de fédération").pk],
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "1",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": world.users.centre.memberships.get().pk,
            "memberships-0-user": world.users.centre.pk,
            "memberships-0-structure": world.structures.mine.pk,
        }
        assert client.post(url, data).status_code == 302
        world.users.centre.refresh_from_db()
        assert not world.users.centre.is_superuser
        assert list(world.users.centre.groups.values_list("name", flat=True)) == [CENTRE_GROUP]
        for other in ["superuser", "fed_region", "fed49"]:
            url = reverse("admin:auth_user_change", args=[getattr(world.users, other).pk])
            assert client.post(url, {"username": "pris", "is_superuser": "on"}).status_code == 404

    def test_centre_has_no_account_admin(self, world, login):
        assert login(world.users.centre).get(reverse("admin:auth_user_changelist")).status_code == 403
