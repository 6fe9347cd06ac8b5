"""The daily digest: one message per person gathering what happened since the last one."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.db import transaction

from actions.models import Action
from notifications.models import Notification, NotificationPreference, OutgoingEmail
from notifications.services import notify_transition, send_digests
from tests.notifications.conftest import fiche

DIGEST = NotificationPreference.Frequency.DIGEST


def test_a_digest_reader_gets_nothing_at_once_then_one_message_for_the_day(
    world, smtp, django_capture_on_commit_callbacks, capsys
):
    NotificationPreference.objects.create(user=world.users.fed49, frequency=DIGEST)
    first = fiche(world.structures.angers, titre="Jardins partagés")
    second = fiche(world.structures.angers, titre="Repas solidaires")
    revision = fiche(world.structures.angers, titre="Café des parents", state=Action.State.PUBLIEE)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify_transition(first, "submit", world.users.centre)
        notify_transition(second, "submit", world.users.colleague)
        notify_transition(revision, "submit_revision", world.users.centre)
    assert smtp.inbox.messages == []
    assert Notification.objects.filter(in_digest=True).count() == 3

    call_command("send_digest")
    assert capsys.readouterr().out == "1 résumé préparé.\n1 courriel envoyé, 0 à retenter, 0 abandonné.\n"
    [received] = smtp.inbox.messages
    assert received.envelope_to == ["fede49@example.org"]
    assert received.subject.startswith("Résumé du ")
    assert received.subject.endswith("\u202f: 2 fiches soumises, 1 révision soumise")
    for action in (first, second, revision):
        assert f"«\u00a0{action.titre}\u00a0»" in received.text
        assert f"https://fiches.example.org/admin/actions/action/{action.pk}/change/" in received.html
    assert "vous avez choisi de recevoir un résumé par jour" in received.text
    assert not Notification.objects.filter(in_digest=True).exists()
    assert set(Notification.objects.values_list("email__recipient", flat=True)) == {"fede49@example.org"}

    # The next digest starts from there: nothing new, nothing sent.
    call_command("send_digest")
    assert capsys.readouterr().out == "0 résumé préparé.\n0 courriel envoyé, 0 à retenter, 0 abandonné.\n"
    assert len(smtp.inbox.messages) == 1


def test_the_digest_says_the_day_in_french(world):
    NotificationPreference.objects.create(user=world.users.fed49, frequency=DIGEST)
    notify_transition(fiche(world.structures.angers), "submit", world.users.centre)
    [email] = send_digests(now=datetime(2026, 3, 1, 6, 30, tzinfo=ZoneInfo("Europe/Paris")))
    assert email.subject == "Résumé du 1 mars 2026\u202f: 1 fiche soumise"


def test_one_digest_per_person_and_immediate_readers_are_not_in_it(world):
    for user in (world.users.centre, world.users.colleague):
        NotificationPreference.objects.create(user=user, frequency=DIGEST)
    NotificationPreference.objects.create(user=world.users.fed49, frequency=NotificationPreference.Frequency.IMMEDIATE)
    action = fiche(world.structures.angers)
    notify_transition(action, "submit", world.users.centre)  # fede49: now
    notify_transition(action, "send_back", world.users.fed49, comment="Précisez le public.")
    notify_transition(action, "publish", world.users.fed49)
    assert list(OutgoingEmail.objects.values_list("recipient", flat=True)) == ["fede49@example.org"]

    emails = send_digests()
    assert sorted(email.recipient for email in emails) == ["centre@example.org", "collegue@example.org"]
    for email in emails:
        assert email.subject.endswith("\u202f: 1 fiche publiée, 1 fiche à corriger")
        assert "Précisez le public." in email.body_text


def test_a_person_who_turned_notifications_off_since_gets_no_digest(world):
    preference = NotificationPreference.objects.create(user=world.users.fed49, frequency=DIGEST)
    notify_transition(fiche(world.structures.angers), "submit", world.users.centre)
    preference.frequency = NotificationPreference.Frequency.NONE
    preference.save()
    assert send_digests() == []
    assert not Notification.objects.filter(in_digest=True).exists()
