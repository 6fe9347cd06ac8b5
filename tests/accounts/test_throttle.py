"""The login throttle beyond django-axes: per account across addresses (a delay that grows), per address across
accounts; the same French message whether the account exists or not."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import throttle
from accounts.models import AuditEvent
from tests.accounts.factories import PASSWORD, centre_user
from tests.structures.factories import StructureFactory

NOW = timezone.now()


def login_post(client, username, password, address):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )


def age_events(**filters):
    """Move the matching log entries `throttle.MAX_DELAY` into the past, as if time had passed."""
    for event in AuditEvent.objects.filter(**filters):
        AuditEvent.objects.filter(pk=event.pk).update(created_at=event.created_at - throttle.MAX_DELAY)


class TestDelays:
    @pytest.mark.parametrize("failures, minutes", [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (8, 8), (11, 60), (40, 60)])
    def test_the_account_delay_doubles_up_to_an_hour(self, failures, minutes):
        assert throttle.account_delay(failures) == timedelta(minutes=minutes)

    def test_wait_is_counted_from_the_last_failure(self):
        wait = throttle.required_wait(
            account_failures=6, last_account_failure=NOW - timedelta(seconds=30), address_failures=[], now=NOW
        )
        assert wait == timedelta(seconds=90)

    def test_an_address_with_too_many_failures_waits_for_the_oldest_to_age(self):
        failures = [NOW - timedelta(minutes=minute) for minute in range(throttle.ADDRESS_LIMIT)]
        wait = throttle.required_wait(account_failures=0, last_account_failure=None, address_failures=failures, now=NOW)
        assert wait == throttle.ADDRESS_WINDOW - timedelta(minutes=throttle.ADDRESS_LIMIT - 1)
        assert not throttle.required_wait(
            account_failures=0, last_account_failure=None, address_failures=failures[:-1], now=NOW
        )


@pytest.mark.django_db
class TestLogin:
    def test_failures_from_many_addresses_slow_the_account_down(self, client):
        user = centre_user(StructureFactory())
        for n in range(throttle.ACCOUNT_FREE_FAILURES):
            response = login_post(client, user.username, "mauvais", f"198.51.100.{n}")
            assert response.status_code == 200
            assert "Identifiant ou mot de passe incorrect" in response.content.decode()
        # From yet another address, even with the right password: wait.
        blocked = login_post(client, user.username, PASSWORD, "203.0.113.50")
        assert blocked.status_code == 200
        content = blocked.content.decode()
        assert "Trop de tentatives de connexion ont échoué" in content and "attendez 1 minute" in content
        assert "_auth_user_id" not in client.session
        assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT, username=user.username).exists()
        # Once the delay is over, the right password works again, and the count starts afresh.
        age_events(username=user.username)
        assert login_post(client, user.username, PASSWORD, "203.0.113.50").status_code == 302

    def test_the_delay_grows_with_each_further_failure(self, client):
        user = centre_user(StructureFactory())
        for n in range(throttle.ACCOUNT_FREE_FAILURES):
            login_post(client, user.username, "mauvais", f"198.51.100.{n}")
        age_events(username=user.username)  # the delay passed…
        login_post(client, user.username, "encore mauvais", "198.51.100.99")  # …and one more failure
        assert "attendez 2 minutes" in login_post(client, user.username, PASSWORD, "198.51.100.98").content.decode()

    def test_the_message_does_not_tell_whether_the_account_exists(self, client):
        user = centre_user(StructureFactory())
        answers = {}
        for username in (user.username, "compte-qui-n-existe-pas"):
            for n in range(throttle.ACCOUNT_FREE_FAILURES):
                login_post(client, username, "mauvais", f"198.51.100.{n}")
            response = login_post(client, username, "mauvais", "203.0.113.7")
            answers[username] = (response.status_code, response.context["form"].non_field_errors())
        assert answers[user.username] == answers["compte-qui-n-existe-pas"]

    def test_one_address_trying_many_accounts_is_stopped(self, client):
        user = centre_user(StructureFactory())
        for n in range(throttle.ADDRESS_LIMIT):
            login_post(client, f"inconnu{n}", "mauvais", "192.0.2.1")
        blocked = login_post(client, user.username, PASSWORD, "192.0.2.1")
        assert "Trop de tentatives" in blocked.content.decode() and "_auth_user_id" not in client.session
        # Another address is not concerned.
        assert login_post(client, user.username, PASSWORD, "192.0.2.2").status_code == 302

    def test_a_success_resets_the_account_count(self, client):
        user = centre_user(StructureFactory())
        for n in range(throttle.ACCOUNT_FREE_FAILURES - 1):
            login_post(client, user.username, "mauvais", f"198.51.100.{n}")
        assert login_post(client, user.username, PASSWORD, "198.51.100.200").status_code == 302
        client.logout()
        login_post(client, user.username, "mauvais", "198.51.100.201")
        assert login_post(client, user.username, PASSWORD, "198.51.100.202").status_code == 302
