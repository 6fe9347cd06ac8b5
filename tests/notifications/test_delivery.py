"""Messages go through the outbox to a real SMTP server: after the commit, never for a rolled-back transition, and
later when the server was down."""

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from actions.models import Action
from notifications.models import Notification, OutgoingEmail
from notifications.outbox import send_pending
from notifications.services import notify_transition
from tests.notifications.conftest import fiche


def notify(capture, *args, **kwargs):
    """notify_transition in a transaction that commits (pytest-django's test transaction never does)."""
    with capture(execute=True):
        with transaction.atomic():
            return notify_transition(*args, **kwargs)


def test_a_submission_reaches_the_departements_federation_with_both_parts_and_a_link(
    world, smtp, django_capture_on_commit_callbacks
):
    action = fiche(world.structures.angers, titre="Jardins partagés")
    notify(django_capture_on_commit_callbacks, action, "submit", world.users.centre)

    [received] = smtp.inbox.messages
    assert received.envelope_to == ["fede49@example.org"]
    assert received.message["To"] == "fede49@example.org"
    assert received.message["From"] == "Fiches action <ne-pas-repondre@example.org>"
    assert received.message["Auto-Submitted"] == "auto-generated"
    assert received.subject == "Fiche soumise\u202f: Jardins partagés — Centre social Les Tilleuls"
    link = f"https://fiches.example.org/admin/actions/action/{action.pk}/change/"
    text = received.text
    assert (
        "Camille Martin (Centre social Les Tilleuls) a soumis la fiche «\u00a0Jardins partagés\u00a0» à la fédération"
        in text
    )
    assert f"Ouvrir la fiche\u202f: {link}" in text
    assert "adressez-vous à Camille Martin\u202f: centre@example.org." in text
    assert "parce que Centre social Les Tilleuls est dans le territoire que vous modérez" in text
    assert "https://fiches.example.org/admin/notifications/notificationpreference/" in text
    html = received.html
    assert f'<a href="{link}"' in html
    assert '<html lang="fr">' in html
    assert "<img" not in html
    assert "https://fiches.example.org/admin/notifications/notificationpreference/" in html
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.last_error) == (OutgoingEmail.Status.SENT, 1, "")
    assert email.sent_at is not None


def test_a_send_back_tells_the_team_with_the_comment_but_not_the_actor(world, smtp, django_capture_on_commit_callbacks):
    action = fiche(world.structures.angers, state=Action.State.BROUILLON, titre="Repas <solidaires> & co")
    comment = "Ajoutez le nombre de personnes.\nEt une dimension."
    notify(django_capture_on_commit_callbacks, action, "send_back", world.users.fed49, comment=comment)

    assert sorted(received.envelope_to[0] for received in smtp.inbox.messages) == [
        "centre@example.org",
        "collegue@example.org",
    ]
    received = smtp.inbox.to("centre@example.org")[0]
    assert received.subject == "Fiche à corriger\u202f: Repas <solidaires> & co — Centre social Les Tilleuls"
    assert (
        "Dominique Leroy (fédération) a renvoyé la fiche «\u00a0Repas <solidaires> & co\u00a0» au centre"
        in received.text
    )
    assert f"Commentaire de Dominique Leroy\u202f:\n{comment}" in received.text
    assert "Repas &lt;solidaires&gt; &amp; co" in received.html
    assert "Ajoutez le nombre de personnes.<br>Et une dimension." in received.html
    assert "adressez-vous à Dominique Leroy\u202f: fede49@example.org." in received.text
    assert "vous faites partie de l’équipe de Centre social Les Tilleuls" in received.text


def test_a_rolled_back_transition_writes_and_sends_nothing(world, smtp, django_capture_on_commit_callbacks):
    action = fiche(world.structures.angers)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify_transition(action, "submit", world.users.centre)
            assert OutgoingEmail.objects.count() == 1
            raise RuntimeError("the transition failed after notifying")
    assert callbacks == []
    assert not OutgoingEmail.objects.exists()
    assert not Notification.objects.exists()
    assert smtp.inbox.messages == []


def test_an_smtp_outage_loses_nothing_and_the_command_delivers_once_the_server_is_back(
    world, smtp, django_capture_on_commit_callbacks, caplog
):
    smtp.stop()
    action = fiche(world.structures.angers, titre="Atelier vélo")
    with caplog.at_level(logging.WARNING, logger="notifications.outbox"):
        notify(django_capture_on_commit_callbacks, action, "submit", world.users.centre)
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.PENDING, 1)
    assert "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at - email.created_at >= timedelta(seconds=60)  # EMAIL_RETRY_DELAY after the attempt
    assert "to be retried" in caplog.text

    # Not due yet: the command leaves it alone, even with the server back.
    smtp.start()
    call_command("send_emails")
    assert smtp.inbox.messages == []

    later = email.next_attempt_at + timedelta(seconds=1)
    report = send_pending(now=later)
    assert [sent.pk for sent in report.sent] == [email.pk]
    [received] = smtp.inbox.messages
    assert received.subject.startswith("Fiche soumise\u202f: Atelier vélo")
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (OutgoingEmail.Status.SENT, 2, "")

    send_pending(now=later + timedelta(days=1))
    assert len(smtp.inbox.messages) == 1


def test_the_delay_doubles_after_each_failure_then_the_message_is_given_up(world, smtp, settings):
    settings.EMAIL_MAX_ATTEMPTS = 4
    settings.EMAIL_RETRY_DELAY = 60
    smtp.stop()
    notify_transition(fiche(world.structures.angers), "submit", world.users.centre)  # queued, not tried yet
    email = OutgoingEmail.objects.get()
    now, delays = email.next_attempt_at, []
    while email.status == OutgoingEmail.Status.PENDING:
        send_pending(now=now)
        email.refresh_from_db()
        if email.status == OutgoingEmail.Status.PENDING:
            delays.append((email.next_attempt_at - now).total_seconds())
            now = email.next_attempt_at
    assert delays == [60, 120, 240]
    assert (email.status, email.attempts) == (OutgoingEmail.Status.FAILED, 4)

    # Given up: no further attempt, even with the server back.
    smtp.start()
    send_pending(now=now + timedelta(days=2))
    assert smtp.inbox.messages == []


def test_the_command_says_in_french_what_failed_and_fails_when_it_gives_up(
    world, smtp, settings, django_capture_on_commit_callbacks, capsys
):
    settings.EMAIL_MAX_ATTEMPTS = 3
    smtp.stop()
    action = fiche(world.structures.angers, titre="Ludothèque")
    notify(django_capture_on_commit_callbacks, action, "submit", world.users.centre)  # first attempt

    call_command("send_emails", "--sans-attendre")
    out, err = capsys.readouterr()
    assert out == "0 courriel envoyé, 1 à retenter, 0 abandonné.\n"
    subject = "« Fiche soumise\u202f: Ludothèque — Centre social Les Tilleuls »"
    assert f"Échec pour fede49@example.org ({subject}) : ConnectionRefusedError" in err
    assert "(2 sur 3)" in err

    with pytest.raises(CommandError, match="1 courriel abandonné : vérifiez les adresses"):
        call_command("send_emails", "--sans-attendre")
    out, err = capsys.readouterr()
    assert out == "0 courriel envoyé, 0 à retenter, 1 abandonné.\n"
    assert f"Abandon pour fede49@example.org ({subject}) après 3 tentatives : ConnectionRefusedError" in err


def test_the_command_sends_what_is_due(world, smtp, django_capture_on_commit_callbacks, capsys):
    smtp.stop()
    notify(django_capture_on_commit_callbacks, fiche(world.structures.angers), "submit", world.users.centre)
    smtp.start()
    OutgoingEmail.objects.update(next_attempt_at=timezone.now())
    call_command("send_emails")
    assert capsys.readouterr().out == "1 courriel envoyé, 0 à retenter, 0 abandonné.\n"
    assert len(smtp.inbox.messages) == 1


def test_an_address_the_server_refuses_for_good_is_given_up_at_once_and_the_others_leave(
    world, smtp, django_capture_on_commit_callbacks
):
    smtp.inbox.refused.add("collegue@example.org")
    notify(django_capture_on_commit_callbacks, fiche(world.structures.angers), "publish", world.users.fed49)
    assert [received.envelope_to for received in smtp.inbox.messages] == [["centre@example.org"]]
    refused = OutgoingEmail.objects.get(recipient="collegue@example.org")
    assert (refused.status, refused.attempts) == (OutgoingEmail.Status.FAILED, 1)
    assert "550" in refused.last_error


def test_after_an_unreachable_server_the_next_transitions_do_not_wait_on_it_and_cron_sends_them(
    world, smtp, django_capture_on_commit_callbacks
):
    smtp.stop()
    first, second = fiche(world.structures.angers), fiche(world.structures.angers)
    notify(django_capture_on_commit_callbacks, first, "submit", world.users.centre)
    smtp.start()
    notify(django_capture_on_commit_callbacks, second, "submit", world.users.centre)
    # The second transition did not even try: it waits for the command, in full.
    assert smtp.inbox.messages == []
    assert sorted(OutgoingEmail.objects.values_list("attempts", flat=True)) == [0, 1]
    send_pending(now=timezone.now() + timedelta(minutes=5))
    assert len(smtp.inbox.messages) == 2


def test_the_console_backend_of_make_run_writes_the_message(
    world, settings, django_capture_on_commit_callbacks, capsys
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    notify(
        django_capture_on_commit_callbacks, fiche(world.structures.angers, titre="Vélo"), "submit", world.users.centre
    )
    out = capsys.readouterr().out
    assert "To: fede49@example.org" in out
    assert "Subject: " in out and "text/html" in out
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT
