"""Passwords: reset by e-mail from the login page (through the outbox, a real SMTP server), rules a person can
follow, and nobody but a superuser sets another person's password (logged)."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from accounts.models import AuditEvent
from notifications.models import OutgoingEmail
from tests.accounts.factories import PASSWORD
from tests.notifications.conftest import SMTPServer

NEW_PASSWORD = "une phrase facile à retenir"


@pytest.fixture
def smtp(settings):
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.SITE_URL = "https://fiches.example.org"
    yield server
    server.stop()


def request_reset(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("admin_password_reset"), {"email": email})


@pytest.mark.django_db
class TestResetByEmail:
    def test_the_login_page_links_to_the_reset(self, client):
        content = client.get(reverse("admin:login")).content.decode()
        assert f'href="{reverse("admin_password_reset")}"' in content
        assert "Mot de passe oublié" in content

    def test_reset_from_the_email_link(self, world, client, smtp, django_capture_on_commit_callbacks):
        user = world.users.centre
        page = client.get(reverse("admin_password_reset")).content.decode()
        assert "Saisissez l’adresse électronique de votre compte" in page and "!!MISSING" not in page
        assert "Actions des centres sociaux – administration" in page
        response = request_reset(client, user.email, django_capture_on_commit_callbacks)
        assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
        assert "Vérifiez votre messagerie" in client.get(response["Location"]).content.decode()

        queued = OutgoingEmail.objects.get(recipient=user.email)
        assert queued.status == OutgoingEmail.Status.SENT and queued.user == user
        (received,) = smtp.inbox.to(user.email)
        assert received.subject == "Choisir un nouveau mot de passe – Actions des centres sociaux"
        assert "« centre »" in received.text
        link = re.search(r"https://fiches\.example\.org(/admin/reset/\S+/)", received.text).group(1)
        assert link in received.html

        form = client.get(link, follow=True)
        content = form.content.decode()
        assert "Choisissez un nouveau mot de passe" in content
        assert "au moins 12 caractères" in content and "ne pas ressembler à votre identifiant" in content
        confirm_url = form.redirect_chain[-1][0] if form.redirect_chain else link

        weak = client.post(confirm_url, {"new_password1": "centre123", "new_password2": "centre123"})
        assert weak.status_code == 200
        assert "Ce mot de passe est trop court" in weak.content.decode()
        done = client.post(confirm_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
        assert "Mot de passe enregistré" in client.get(done["Location"]).content.decode()
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)

        again = client.get(link, follow=True).content.decode()
        assert "Lien invalide" in again and "Demander un nouveau lien" in again
        kinds = list(AuditEvent.objects.filter(user=user).values_list("kind", flat=True))
        assert AuditEvent.Kind.PASSWORD_RESET_REQUESTED in kinds and AuditEvent.Kind.PASSWORD_RESET in kinds

    def test_an_unknown_address_gets_the_same_page_and_no_message(
        self, world, client, smtp, django_capture_on_commit_callbacks
    ):
        response = request_reset(client, "personne@example.org", django_capture_on_commit_callbacks)
        assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
        assert not OutgoingEmail.objects.exists() and not smtp.inbox.messages

    def test_a_message_that_cannot_be_sent_waits_in_the_outbox(
        self, world, client, settings, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens
        response = request_reset(client, world.users.centre.email, django_capture_on_commit_callbacks)
        assert response.status_code == 302
        queued = OutgoingEmail.objects.get(recipient=world.users.centre.email)
        assert queued.status == OutgoingEmail.Status.PENDING and queued.attempts == 1


@pytest.mark.django_db
class TestNobodySetsAnotherPersonsPassword:
    @pytest.mark.parametrize("role", ["fed49", "fed_region", "fed_national"])
    def test_federation_has_no_password_form_nor_link(self, world, login, role):
        client = login(getattr(world.users, role))
        target = world.users.centre
        change = client.get(reverse("admin:auth_user_change", args=[target.pk]))
        assert change.status_code == 200
        password_url = reverse("admin:auth_user_password_change", args=[target.pk])
        content = change.content.decode()
        shown = [name for _title, options in change.context["adminform"].fieldsets for name in options["fields"]]
        assert password_url not in content and "password" not in shown
        assert client.get(password_url).status_code == 403
        posted = client.post(
            password_url, {"password1": "repris-par-la-fede-2026", "password2": "repris-par-la-fede-2026"}
        )
        assert posted.status_code == 403
        target.refresh_from_db()
        assert target.check_password(PASSWORD)

    def test_federation_cannot_redirect_the_reset_link_by_changing_the_address(self, world, login):
        client = login(world.users.fed49)
        target = world.users.centre
        change = client.get(reverse("admin:auth_user_change", args=[target.pk]))
        assert "email" in change.context["adminform"].readonly_fields
        data = {
            "username": target.username,
            "email": "fede@example.org",
            "is_active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "1",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": target.memberships.get().pk,
            "memberships-0-user": target.pk,
            "memberships-0-structure": world.structures.mine.pk,
        }
        client.post(reverse("admin:auth_user_change", args=[target.pk]), data)
        target.refresh_from_db()
        assert target.email == "centre@example.org"

    def test_centre_has_no_password_form_for_others(self, world, login):
        client = login(world.users.centre)
        url = reverse("admin:auth_user_password_change", args=[world.users.fed49.pk])
        assert client.get(url).status_code == 403

    def test_superuser_may_and_it_is_logged(self, world, login):
        client = login(world.users.superuser)
        target = world.users.centre
        url = reverse("admin:auth_user_password_change", args=[target.pk])
        data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
        assert client.post(url, data).status_code == 302
        target.refresh_from_db()
        assert target.check_password(NEW_PASSWORD)
        event = AuditEvent.objects.get(kind=AuditEvent.Kind.PASSWORD_SET_BY_ADMIN)
        assert event.user == target and event.actor == world.users.superuser and event.ip_address == "127.0.0.1"

    def test_own_password_change_is_logged(self, world, login):
        user = world.users.fed49
        client = login(user)
        data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        assert client.post(reverse("admin:password_change"), data).status_code == 302
        assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_CHANGED, user=user).exists()
        assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
