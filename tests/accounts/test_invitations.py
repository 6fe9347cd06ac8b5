"""Invitations: who may invite whom for what (every role), the link (single use, expiring, forged), an existing
account, and « Mon équipe » (remove, deactivate)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from accounts import invitations, perms
from accounts.models import FederationScope, Invitation, StructureMembership
from notifications.models import OutgoingEmail
from structures.models import Departement, Region
from tests.accounts.factories import PASSWORD

INVITE = "/admin/inviter/"
TEAM = "/admin/equipe/"


def link_of(email):
    match = re.search(r"(/compte/invitation/[^/\s]+/)", email.body_text)
    assert match, email.body_text
    return match.group(1)


def post_invite(client, **data):
    return client.post(INVITE, data)


# Grant rules (accounts.perms), every role.


@pytest.mark.parametrize(
    ("who", "roles"),
    [
        ("centre", ["centre"]),
        ("fed49", ["centre", "federation"]),
        ("fed_region", ["centre", "federation"]),
        ("fed_national", ["centre", "federation"]),
        ("superuser", ["centre", "federation"]),
        ("nobody", []),
    ],
)
def test_invitable_roles(world, who, roles):
    assert [role.value for role in perms.invitable_roles(getattr(world.users, who))] == roles


@pytest.mark.parametrize(
    ("who", "structure", "allowed"),
    [
        ("centre", "mine", True),
        ("centre", "neighbour", False),
        ("fed49", "neighbour", True),
        ("fed49", "region", False),
        ("fed_region", "region", True),
        ("fed_region", "elsewhere", False),
        ("fed_national", "elsewhere", True),
        ("superuser", "elsewhere", True),
    ],
)
def test_centre_invitation_only_for_own_structures_or_territory(world, who, structure, allowed):
    error = perms.invitation_error(
        getattr(world.users, who), "centre", structures=[getattr(world.structures, structure)]
    )
    assert (error is None) is allowed, error


@pytest.mark.parametrize(
    ("who", "territory", "allowed"),
    [
        ("centre", {"departements": ["49"]}, False),
        ("fed49", {"departements": ["49"]}, True),
        ("fed49", {"departements": ["44"]}, False),
        ("fed49", {"regions": ["52"]}, False),
        ("fed49", {"national": True}, False),
        ("fed_region", {"departements": ["44"]}, True),
        ("fed_region", {"regions": ["52"]}, True),
        ("fed_region", {"departements": ["75"]}, False),
        ("fed_region", {"national": True}, False),
        ("fed_national", {"national": True}, True),
        ("fed_national", {"regions": ["11"]}, True),
        ("superuser", {"national": True}, True),
    ],
)
def test_federation_invitation_never_beyond_own_territory(world, who, territory, allowed):
    error = perms.invitation_error(
        getattr(world.users, who),
        "federation",
        national=territory.get("national", False),
        regions=list(Region.objects.filter(code__in=territory.get("regions", []))),
        departements=list(Departement.objects.filter(code__in=territory.get("departements", []))),
    )
    assert (error is None) is allowed, error


def test_territory_within_is_pure():
    region, other = 1, 2
    outer = perms.Scope(region_ids=frozenset({region}))
    assert perms.territory_within(perms.Scope(departement_ids=frozenset({10})), outer, {10: region})
    assert not perms.territory_within(perms.Scope(departement_ids=frozenset({11})), outer, {11: other})
    assert not perms.territory_within(perms.Scope(national=True), outer, {})
    assert perms.territory_within(perms.Scope(national=True), perms.Scope(national=True), {})


# The form and the e-mail.


def test_centre_invites_a_colleague_who_sets_a_password(world, login, client):
    login(world.users.centre)
    page = client.get(INVITE)
    assert page.status_code == 200
    # Their only structure is offered, and checked already; no federation role.
    assert world.structures.mine.nom in page.text and world.structures.neighbour.nom not in page.text
    assert "Équipe de fédération" not in page.text
    response = post_invite(client, email="Collegue@Example.org", role="centre", structures=[world.structures.mine.pk])
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.invited_by == world.users.centre and invitation.accepted_at is None
    email = OutgoingEmail.objects.get()
    assert email.recipient == "Collegue@Example.org"
    assert "l’équipe de Centre social Les Tilleuls" in email.subject
    link = link_of(email)
    # The secret is not stored, only its hash.
    assert link.split("/")[-2] not in invitation.token_hash

    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and "Accepter l’invitation" in page.text
    response = client.post(
        link,
        {
            "username": "collegue",
            "first_name": "Camille",
            "last_name": "Martin",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302 and response.url == reverse("admin:index")
    user = User.objects.get(username="collegue")
    assert user.email == "Collegue@example.org" and user.is_staff and user.check_password(PASSWORD)
    assert list(user.memberships.values_list("structure", flat=True)) == [world.structures.mine.pk]
    assert user.groups.filter(name=perms.CENTRE_GROUP).exists()
    # Logged in, the home answers.
    assert client.get(reverse("admin:index")).status_code == 200


def test_centre_cannot_invite_to_another_structure_even_by_forging_the_post(world, login, client):
    login(world.users.centre)
    response = post_invite(client, email="x@example.org", role="centre", structures=[world.structures.neighbour.pk])
    assert response.status_code == 200
    assert not Invitation.objects.exists() and not OutgoingEmail.objects.exists()
    response = post_invite(client, email="x@example.org", role="federation", departements=[world.dep["49"].pk])
    assert response.status_code == 200 and not Invitation.objects.exists()
    assert "resume-erreurs" in response.text  # the error summary at the top


def test_federation_invites_centre_staff_of_its_territory_only(world, login, client):
    login(world.users.fed49)
    ok = post_invite(client, email="a@example.org", role="centre", structures=[world.structures.neighbour.pk])
    assert ok.status_code == 302
    refused = post_invite(client, email="b@example.org", role="centre", structures=[world.structures.region.pk])
    assert refused.status_code == 200
    assert list(Invitation.objects.values_list("email", flat=True)) == ["a@example.org"]


def test_national_invites_federation_staff_for_a_territory(world, login, client):
    login(world.users.fed_national)
    response = post_invite(client, email="fd44@example.org", role="federation", departements=[world.dep["44"].pk])
    assert response.status_code == 302
    link = link_of(OutgoingEmail.objects.get())
    client.logout()
    client.post(link, {"username": "fd44", "password1": PASSWORD, "password2": PASSWORD})
    user = User.objects.get(username="fd44")
    scope = FederationScope.objects.get(user=user)
    assert not scope.national and list(scope.departements.values_list("code", flat=True)) == ["44"]
    assert perms.moderates_structure(user, world.structures.region.pk)
    assert not perms.moderates_structure(user, world.structures.mine.pk)


def test_departemental_federation_cannot_invite_a_regional_one(world, login, client):
    login(world.users.fed49)
    response = post_invite(client, email="r@example.org", role="federation", regions=[world.dep["49"].region_id])
    assert response.status_code == 200 and not Invitation.objects.exists()


def test_someone_without_role_cannot_open_the_form(world, login, client):
    login(world.users.nobody)
    assert client.get(INVITE).status_code == 403
    assert client.get(TEAM).status_code == 403


# Bad input.


def _invitation(world, **kwargs):
    invitation, _ = invitations.invite(
        world.users.fed49, email="nouvelle@example.org", role="centre", structures=[world.structures.mine]
    )
    if kwargs:
        Invitation.objects.filter(pk=invitation.pk).update(**kwargs)
    return link_of(OutgoingEmail.objects.latest("pk"))


def test_link_used_twice_says_so(world, client):
    link = _invitation(world)
    data = {"username": "nouvelle", "password1": PASSWORD, "password2": PASSWORD}
    assert client.post(link, data).status_code == 302
    client.logout()
    again = client.post(link, {**data, "username": "autre"})
    assert again.status_code == 410
    assert "déjà été acceptée" in again.text and "Mot de passe oublié" in again.text
    assert not User.objects.filter(username="autre").exists()


def test_expired_link_says_whom_to_ask(world, client):
    link = _invitation(world, expires_at=timezone.now() - timedelta(minutes=1))
    page = client.get(link)
    assert page.status_code == 410
    assert "a expiré" in page.text and world.users.fed49.email in page.text


@pytest.mark.parametrize("token", ["inventé", "x" * 300, "abc%00def", "a.b-c_d"])
def test_forged_link_is_a_french_page_not_an_error(world, client, token):
    _invitation(world)
    page = client.get(f"/compte/invitation/{token}/")
    assert page.status_code == 404
    assert "n’est pas valide" in page.text


def test_weak_or_mismatched_password_is_refused_with_a_message(world, client):
    link = _invitation(world)
    weak = client.post(link, {"username": "n", "password1": "azerty", "password2": "azerty"})
    assert weak.status_code == 200 and "resume-erreurs" in weak.text
    mismatch = client.post(link, {"username": "n", "password1": PASSWORD, "password2": PASSWORD + "x"})
    assert "ne sont pas identiques" in mismatch.text
    taken = client.post(link, {"username": world.users.centre.username, "password1": PASSWORD, "password2": PASSWORD})
    assert "déjà pris" in taken.text
    assert Invitation.objects.get().accepted_at is None


def test_invitation_to_an_existing_account_adds_the_role(world, login, client):
    login(world.users.fed49)
    existing = world.users.centre
    response = post_invite(
        client, email=existing.email.upper(), role="centre", structures=[world.structures.neighbour.pk]
    )
    assert response.status_code == 302
    assert set(existing.memberships.values_list("structure", flat=True)) == {
        world.structures.mine.pk,
        world.structures.neighbour.pk,
    }
    invitation = Invitation.objects.get()
    assert invitation.user == existing and invitation.accepted_at is not None
    email = OutgoingEmail.objects.get()
    assert email.subject.startswith("Accès ajouté") and "/compte/invitation/" not in email.body_text
    assert User.objects.filter(email__iexact=existing.email).count() == 1


# « Mon équipe ».


def test_federation_removes_and_deactivates_centre_staff_of_its_territory(world, login, client):
    login(world.users.fed49)
    page = client.get(TEAM)
    assert page.status_code == 200 and world.users.centre.username in page.text
    assert world.users.fed_national.username not in page.text
    membership = StructureMembership.objects.get(user=world.users.centre)
    assert client.post(TEAM, {"deactivate": world.users.centre.pk}).status_code == 302
    world.users.centre.refresh_from_db()
    assert not world.users.centre.is_active
    assert client.post(TEAM, {"membership": membership.pk}).status_code == 302
    assert not StructureMembership.objects.filter(pk=membership.pk).exists()


def test_outside_scope_cannot_remove_nor_deactivate(world, login, client):
    login(world.users.fed49)
    elsewhere = StructureMembership.objects.create(
        user=User.objects.create_user("parisien", "p@example.org", PASSWORD), structure=world.structures.elsewhere
    )
    assert client.post(TEAM, {"membership": elsewhere.pk}).status_code == 404
    assert client.post(TEAM, {"deactivate": elsewhere.user.pk}).status_code == 404
    assert client.post(TEAM, {"deactivate": world.users.fed_national.pk}).status_code == 404
    assert client.post(TEAM, {"deactivate": "pas-un-nombre"}).status_code == 404
    elsewhere.user.refresh_from_db()
    assert elsewhere.user.is_active and StructureMembership.objects.filter(pk=elsewhere.pk).exists()


def test_centre_removes_the_colleague_it_invited_but_not_others(world, login, client):
    link = None
    login(world.users.centre)
    post_invite(client, email="coll@example.org", role="centre", structures=[world.structures.mine.pk])
    link = link_of(OutgoingEmail.objects.get())
    client.logout()
    client.post(link, {"username": "coll", "password1": PASSWORD, "password2": PASSWORD})
    colleague = User.objects.get(username="coll")
    other = User.objects.create_user("autre", "autre@example.org", PASSWORD)
    other_membership = StructureMembership.objects.create(user=other, structure=world.structures.mine)
    login(world.users.centre)
    assert perms.can_deactivate(world.users.centre, colleague)
    assert not perms.can_deactivate(world.users.centre, other)
    assert client.post(TEAM, {"membership": other_membership.pk}).status_code == 404
    assert client.post(TEAM, {"deactivate": colleague.pk}).status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active
    # Nobody removes themselves here.
    own = StructureMembership.objects.get(user=world.users.centre)
    assert client.post(TEAM, {"membership": own.pk}).status_code == 404


def test_team_page_queries_do_not_grow_with_the_team(world, login, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(world.users.fed49)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(TEAM).status_code == 200
        return len(queries)

    before = count()
    for number in range(12):
        user = User.objects.create_user(f"membre{number}", f"membre{number}@example.org", PASSWORD)
        StructureMembership.objects.create(user=user, structure=world.structures.neighbour)
    assert count() == before


def test_account_list_offers_invitations(world, login, client):
    login(world.users.fed49)
    page = client.get(reverse("admin:auth_user_changelist"))
    assert INVITE in page.text and "Inviter une personne" in page.text
    assert "Créer un compte à la main" in page.text  # without a password: « Mot de passe oublié ? »
