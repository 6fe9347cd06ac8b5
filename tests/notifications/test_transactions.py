"""With real commits (transactional tests): the attempt after the commit, nothing after a rollback, and two senders
at once never sending a message twice."""

import threading

import pytest
from django.db import connection, transaction

from notifications.models import OutgoingEmail
from notifications.outbox import send_pending
from notifications.services import notify_transition
from tests.browser.conftest import reload_reference_data
from tests.notifications.conftest import Gate, fiche, make_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def committed_world(transactional_db):
    reload_reference_data()  # a transactional test starts from a flushed database
    return make_world()


def test_the_message_leaves_when_the_writers_transaction_commits_and_not_before(committed_world, smtp):
    world = committed_world
    action = fiche(world.structures.angers)
    with transaction.atomic():
        notify_transition(action, "submit", world.users.centre)
        assert smtp.inbox.messages == []
    assert [received.envelope_to for received in smtp.inbox.messages] == [["fede49@example.org"]]
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT


def test_a_rolled_back_transition_sends_nothing(committed_world, smtp):
    world = committed_world
    action = fiche(world.structures.angers)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_transition(action, "submit", world.users.centre)
        raise RuntimeError("the transition failed after notifying")
    assert not OutgoingEmail.objects.exists()
    assert smtp.inbox.messages == []


def test_two_senders_at_once_send_each_message_once(committed_world, smtp):
    for number in range(5):
        OutgoingEmail.objects.create(
            recipient=f"personne{number}@example.org", subject=f"Message {number}", body_text="…", body_html="<p>…</p>"
        )
    smtp.inbox.gate = Gate()
    reports = {}

    def first_sender():
        try:
            reports["first"] = send_pending()
        finally:
            connection.close()

    first = threading.Thread(target=first_sender)
    first.start()
    try:
        # The first sender holds its batch (all five rows) while the server has not answered its first message.
        assert smtp.inbox.gate.arrived.wait(30)
        second = send_pending()
    finally:
        smtp.inbox.gate.release.set()
        first.join(60)
    assert second.sent == second.retried == second.given_up == []
    assert len(reports["first"].sent) == 5
    assert sorted(received.envelope_to[0] for received in smtp.inbox.messages) == [
        f"personne{number}@example.org" for number in range(5)
    ]
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {(OutgoingEmail.Status.SENT, 1)}
