"""« Mes notifications »: each person chooses for themselves, from the back-office home; the messages' HTML is valid."""

from django.urls import reverse

from notifications.models import NotificationPreference, OutgoingEmail
from notifications.services import notify_transition, send_digests
from tests.accounts.factories import UserFactory
from tests.browser.conftest import run_vnu
from tests.notifications.conftest import fiche

PAGE = reverse("admin:notifications_notificationpreference_changelist")


def test_the_admin_home_links_to_my_notifications_for_a_centre(world, client):
    client.force_login(world.users.centre)
    html = client.get(reverse("admin:index")).content.decode()
    assert f'href="{PAGE}"' in html
    assert "Mes notifications" in html
    assert "Courriels sortants" not in html


def test_the_page_shows_the_default_and_saves_a_choice_for_the_user_only(world, client):
    client.force_login(world.users.centre)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["form"]["frequency"].value() == NotificationPreference.Frequency.IMMEDIATE
    assert "Les messages sont envoyés à <strong>centre@example.org</strong>" in html
    assert "La fédération publie, renvoie au centre" in html
    assert "Une fiche ou une révision d’une structure de votre territoire" not in html

    response = client.post(PAGE, {"frequency": "digest"})
    assert response.status_code == 302 and response.url == PAGE
    assert NotificationPreference.objects.get().user == world.users.centre
    assert NotificationPreference.objects.get().frequency == "digest"
    assert "Vos préférences de notification sont enregistrées." in client.get(PAGE).content.decode()
    assert not NotificationPreference.objects.filter(user=world.users.colleague).exists()


def test_a_bad_choice_is_refused_with_a_message_and_nothing_saved(world, client):
    client.force_login(world.users.fed49)
    response = client.post(PAGE, {"frequency": "toutes-les-heures"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_a_federation_reads_what_it_is_told_of_and_an_account_without_address_is_warned(world, client):
    client.force_login(world.users.fed49)
    assert "Une fiche ou une révision d’une structure de votre territoire" in client.get(PAGE).content.decode()
    client.force_login(UserFactory(email=""))
    assert "Votre compte n’a pas d’adresse e-mail" in client.get(PAGE).content.decode()


def test_the_page_needs_a_back_office_account(world, client):
    assert client.get(PAGE).status_code == 302
    client.force_login(UserFactory(is_staff=False))
    assert client.get(PAGE).status_code == 302


def test_the_outbox_is_for_superusers_and_read_only(world, admin_client, client):
    notify_transition(fiche(world.structures.angers), "submit", world.users.centre)
    changelist = reverse("admin:notifications_outgoingemail_changelist")
    assert "fede49@example.org" in admin_client.get(changelist).content.decode()
    assert admin_client.post(reverse("admin:notifications_outgoingemail_add")).status_code == 403
    client.force_login(world.users.fed49)
    assert client.get(changelist).status_code == 403


def test_the_messages_html_is_valid(world, tmp_path):
    action = fiche(world.structures.angers, titre="Repas <solidaires> & co")
    notify_transition(action, "send_back", world.users.fed49, comment="Précisez le public.\nMerci.")
    NotificationPreference.objects.create(user=world.users.fed49, frequency="digest")
    notify_transition(action, "submit", world.users.centre)
    notify_transition(fiche(world.structures.angers), "submit", None)
    send_digests()
    documents = {f"email-{email.pk}": email.body_html for email in OutgoingEmail.objects.all()}
    assert len(documents) == 3
    assert run_vnu(documents, tmp_path) == []


def test_deleting_an_account_takes_its_choice_along(world, admin_client):
    NotificationPreference.objects.create(user=world.users.colleague, frequency="digest")
    url = reverse("admin:auth_user_delete", args=[world.users.colleague.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not NotificationPreference.objects.exists()
