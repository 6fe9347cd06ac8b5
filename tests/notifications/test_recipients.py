"""Who is told of each transition: the closest federation of a submission, the structure's team of the rest; never
the person who acted, nor someone without an e-mail address (logged), nor someone who asked for nothing."""

import logging

import pytest

from actions.models import Action
from notifications.models import Notification, NotificationPreference, OutgoingEmail
from notifications.services import EVENTS, notify_transition
from structures.models import Departement
from tests.accounts.factories import UserFactory, federation_user
from tests.notifications.conftest import fiche
from tests.structures.factories import StructureFactory


def told(action, transition, actor, **kwargs):
    notify_transition(action, transition, actor, **kwargs)
    return sorted(OutgoingEmail.objects.values_list("recipient", flat=True))


@pytest.mark.parametrize("transition", ["submit", "submit_revision"])
def test_a_submission_goes_to_the_departements_federation_only(world, transition):
    assert told(fiche(world.structures.angers), transition, world.users.centre) == ["fede49@example.org"]


def test_without_a_departemental_federation_the_regional_one_is_told(world):
    assert told(fiche(world.structures.nantes), "submit", world.users.nantes) == ["federegion@example.org"]


def test_without_a_departemental_nor_regional_federation_the_national_one_is_told(world):
    assert told(fiche(world.structures.paris), "submit", None) == ["fedenationale@example.org"]


def test_every_federation_account_of_the_closest_level_is_told_and_inactive_ones_are_not(world):
    federation_user(departements=["49", "72"], username="fede49bis")
    federation_user(departements=["49"], username="ancienne", is_active=False)
    assert told(fiche(world.structures.angers), "submit", world.users.centre) == [
        "fede49@example.org",
        "fede49bis@example.org",
    ]


@pytest.mark.parametrize(
    "transition",
    ["publish", "send_back", "unpublish", "archive", "publish_revision", "send_back_revision", "to_draft"],
)
def test_a_moderation_goes_to_the_structures_team(world, transition):
    action = fiche(world.structures.angers, state=Action.State.PUBLIEE)
    assert told(action, transition, world.users.fed49, comment="Merci.") == [
        "centre@example.org",
        "collegue@example.org",
    ]
    assert set(Notification.objects.values_list("transition", "comment")) == {(transition, "Merci.")}


def test_the_actor_is_never_told_of_their_own_transition(world):
    """A federation that publishes its own fiche for a structure where it is also a member."""
    world.users.fed49.memberships.create(structure=world.structures.angers)
    assert told(fiche(world.structures.angers), "publish", world.users.fed49) == [
        "centre@example.org",
        "collegue@example.org",
    ]


def test_a_centre_withdrawing_its_own_submission_tells_nobody(world):
    assert told(fiche(world.structures.angers), "to_draft", world.users.centre) == []


def test_a_structure_without_a_team_tells_nobody(world):
    lonely = StructureFactory(departement=Departement.objects.get(code="49"))
    assert told(fiche(lonely), "publish", world.users.fed49) == []


def test_an_account_without_an_e_mail_address_is_skipped_and_logged(world, caplog):
    UserFactory(username="sansadresse", email="").memberships.create(structure=world.structures.angers)
    with caplog.at_level(logging.WARNING, logger="notifications.services"):
        recipients = told(fiche(world.structures.angers), "publish", world.users.fed49)
    assert recipients == ["centre@example.org", "collegue@example.org"]
    [record] = caplog.records
    assert "sansadresse" in record.getMessage()
    assert "no e-mail address" in record.getMessage()
    assert not Notification.objects.filter(user__username="sansadresse").exists()


def test_a_person_who_chose_no_messages_gets_none_and_the_default_is_a_message_each_time(world):
    NotificationPreference.objects.create(user=world.users.colleague, frequency=NotificationPreference.Frequency.NONE)
    assert told(fiche(world.structures.angers), "publish", world.users.fed49) == ["centre@example.org"]
    assert not Notification.objects.filter(user=world.users.colleague).exists()


def test_an_unknown_transition_is_a_programming_error(world):
    with pytest.raises(ValueError, match="Unknown transition 'publier'"):
        notify_transition(fiche(world.structures.angers), "publier", world.users.fed49)


def test_every_transition_of_the_workflow_has_a_subject_and_a_sentence():
    assert set(EVENTS) == {
        "submit",
        "publish",
        "send_back",
        "unpublish",
        "archive",
        "to_draft",
        "submit_revision",
        "publish_revision",
        "send_back_revision",
    }


def test_notifying_costs_a_fixed_number_of_queries_whatever_the_team_size(world, django_assert_max_num_queries):
    action = fiche(world.structures.angers)
    for number in range(10):
        UserFactory(username=f"membre{number}").memberships.create(structure=world.structures.angers)
    with django_assert_max_num_queries(12):
        notify_transition(action, "publish", world.users.fed49)
    assert OutgoingEmail.objects.count() == 12
