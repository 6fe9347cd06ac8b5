"""The security log: logins, failures, lockouts, role and scope changes, exports; who, when, from where; read-only,
for national federation staff and superusers only."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import audit
from accounts.models import AuditEvent, StructureMembership
from accounts.perms import FEDERATION_GROUP
from tests.accounts.factories import PASSWORD
from tests.accounts.test_import_export import export

Kind = AuditEvent.Kind


def login_post(client, username, password, address="198.51.100.7"):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )


@pytest.mark.django_db
class TestWhatIsRecorded:
    def test_login_failure_and_logout(self, world, client):
        user = world.users.centre
        AuditEvent.objects.all().delete()  # the world's creation (groups, scopes)
        login_post(client, user.username, "mauvais")
        login_post(client, "inconnu", "mauvais")
        login_post(client, user.username, PASSWORD)
        client.post(reverse("admin:logout"), REMOTE_ADDR="198.51.100.7")
        events = list(AuditEvent.objects.order_by("pk").values_list("kind", "username", "ip_address", "user"))
        assert events == [
            (Kind.LOGIN_FAILED, "centre", "198.51.100.7", user.pk),
            (Kind.LOGIN_FAILED, "inconnu", "198.51.100.7", None),
            (Kind.LOGIN, "centre", "198.51.100.7", user.pk),
            (Kind.LOGOUT, "centre", "198.51.100.7", user.pk),
        ]

    def test_axes_lockout(self, world, client):
        for _ in range(5):
            login_post(client, world.users.centre.username, "mauvais")
        assert AuditEvent.objects.filter(kind=Kind.LOCKOUT, username="centre").exists()

    def test_role_and_scope_changes_name_who_did_them(self, world, login):
        client = login(world.users.fed49)
        target = world.users.centre
        url = reverse("admin:auth_user_change", args=[target.pk])
        AuditEvent.objects.all().delete()  # the world's creation
        data = {
            "username": target.username,
            "is_active": "",
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "1",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": target.memberships.get().pk,
            "memberships-0-user": target.pk,
            "memberships-0-structure": world.structures.mine.pk,
            "memberships-1-user": target.pk,
            "memberships-1-structure": world.structures.neighbour.pk,
        }
        assert client.post(url, data, REMOTE_ADDR="192.0.2.44").status_code == 302
        role = AuditEvent.objects.get(kind=Kind.ROLE_CHANGED, user=target)
        assert role.actor == world.users.fed49 and role.ip_address == "192.0.2.44"
        assert "is_active : oui → non" in role.detail
        scope = AuditEvent.objects.get(kind=Kind.SCOPE_CHANGED, user=target)
        assert scope.actor == world.users.fed49 and "Centre social Le Voisin" in scope.detail

    def test_groups_and_federation_scope_changes(self, world):
        user = world.users.nobody
        user.groups.add(Group.objects.get(name=FEDERATION_GROUP))
        assert AuditEvent.objects.filter(kind=Kind.ROLE_CHANGED, user=user, detail__contains=FEDERATION_GROUP).exists()
        StructureMembership.objects.filter(user=world.users.centre).delete()
        assert AuditEvent.objects.filter(kind=Kind.SCOPE_CHANGED, user=world.users.centre).exists()
        world.users.fed49.federation_scope.departements.clear()
        assert AuditEvent.objects.filter(
            kind=Kind.SCOPE_CHANGED, user=world.users.fed49, detail__startswith="départements"
        ).exists()

    def test_back_office_exports(self, world, login):
        export(login(world.users.fed49), "actions_action")
        event = AuditEvent.objects.get(kind=Kind.EXPORT)
        assert event.actor == world.users.fed49 and "4 ligne(s)" in event.detail

    def test_record_api_for_other_features(self, world, rf):
        request = rf.post("/", REMOTE_ADDR="2001:db8::1")
        request.user = world.users.fed49
        event = audit.record(Kind.INVITATION, request=request, user=world.users.centre, detail="invitée")
        assert (event.actor, event.user, event.username) == (world.users.fed49, world.users.centre, "centre")
        assert event.ip_address == "2001:db8::/64"


@pytest.mark.django_db
class TestWhoReadsIt:
    @pytest.mark.parametrize("role", ["fed_national", "superuser"])
    def test_national_staff_read_it_but_change_nothing(self, world, login, role):
        event = audit.record(Kind.LOGIN, user=world.users.centre)
        client = login(getattr(world.users, role))
        listed = client.get(reverse("admin:accounts_auditevent_changelist"))
        assert listed.status_code == 200 and event in listed.context["cl"].result_list
        assert "Journal de sécurité" in client.get(reverse("admin:index")).content.decode()
        url = reverse("admin:accounts_auditevent_change", args=[event.pk])
        assert client.get(url).status_code == 200
        assert client.post(url, {"detail": "effacé"}).status_code == 403
        assert (
            client.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
            == 403
        )
        assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
        event.refresh_from_db()
        assert event.detail == ""

    @pytest.mark.parametrize("role", ["centre", "fed49", "fed_region", "nobody"])
    def test_nobody_else_sees_it(self, world, login, role):
        event = audit.record(Kind.LOGIN, user=world.users.centre)
        client = login(getattr(world.users, role))
        assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 403
        assert client.get(reverse("admin:accounts_auditevent_change", args=[event.pk])).status_code in (403, 404)
        assert "Journal de sécurité" not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_deleting_an_account_is_logged_once(world, login):
    target = world.users.centre
    assert login(world.users.superuser).post(reverse("admin:auth_user_delete", args=[target.pk]), {"post": "yes"})
    event = AuditEvent.objects.get(kind=Kind.ACCOUNT_CHANGED, username="centre")
    assert event.detail == "compte supprimé" and event.user is None and event.actor == world.users.superuser
    assert not AuditEvent.objects.filter(user_id=target.pk).exists()


@pytest.mark.django_db
def test_deleting_accounts_in_bulk_is_logged(world, login):
    targets = [world.users.centre, world.users.fed49]
    data = {"action": "delete_selected", "post": "yes", "_selected_action": [user.pk for user in targets]}
    assert login(world.users.superuser).post(reverse("admin:auth_user_changelist"), data).status_code == 302
    deleted = set(AuditEvent.objects.filter(detail="compte supprimé").values_list("username", flat=True))
    assert deleted == {"centre", "fede49"}
