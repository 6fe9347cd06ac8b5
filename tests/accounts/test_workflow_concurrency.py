"""Two moderators fire the same transition at once (real commits, two connections): it applies once."""

import threading

import pytest
from django.db import connection, transaction

from actions import workflow
from actions.models import Action, Dimension, TransitionRecord
from structures.models import Departement
from tests.accounts.factories import federation_user
from tests.browser.conftest import reload_reference_data
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_for_a_lock():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


def test_a_transition_fired_twice_at_once_applies_once(transactional_db):
    reload_reference_data()
    structure = StructureFactory(departement=Departement.objects.get(code="49"))
    first, second = federation_user(departements=["49"]), federation_user(regions=["52"])
    action = Action.objects.create(
        titre="Soumise", structure=structure, state="soumise", resume="Un résumé.", dimension=Dimension.objects.first()
    )
    outcome = {}

    def other_moderator():
        try:
            workflow.fire(Action.objects.get(pk=action.pk), "publish", second)
            outcome["second"] = "published"
        except workflow.WorkflowError as error:
            outcome["second"] = str(error)
        finally:
            connection.close()

    thread = threading.Thread(target=other_moderator)
    with transaction.atomic():
        workflow.fire(action, "publish", first)  # holds the row until commit
        thread.start()
        for _ in range(10_000):  # until the other moderator waits for the row (no time limit asserted)
            if waiting_for_a_lock():
                break
            thread.join(0.01)
    thread.join(60)
    assert "déjà publiée" in outcome["second"]
    assert Action.objects.get(pk=action.pk).state == Action.State.PUBLIEE
    assert TransitionRecord.objects.filter(action_id=action.pk).count() == 1
