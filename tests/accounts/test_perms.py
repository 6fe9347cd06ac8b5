"""The rules themselves, on the QuerySets that every view uses."""

import pytest

from accounts import perms
from actions.models import Action
from structures.models import Structure

ALL_ACTIONS = {"own_draft", "own_submitted", "own_published", "neighbour_draft", "region_draft", "elsewhere_draft"}
IN_49 = {"own_draft", "own_submitted", "own_published", "neighbour_draft"}
VISIBLE = {
    "centre": {"own_draft", "own_submitted", "own_published"},
    "fed49": IN_49,
    "fed_region": IN_49 | {"region_draft"},
    "fed_national": ALL_ACTIONS,
    "superuser": ALL_ACTIONS,
    "nobody": set(),
}
# A centre edits its published fiche through a revision (actions/workflow.py), and never deletes it.
EDITABLE = {**VISIBLE, "centre": {"own_draft", "own_submitted", "own_published"}}
DELETABLE = {**VISIBLE, "centre": {"own_draft", "own_submitted"}}
MODERATED = {**VISIBLE, "centre": set()}


def names(world, queryset):
    by_pk = {action.pk: name for name, action in vars(world.actions).items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize("role", VISIBLE)
def test_action_visible_to(world, role):
    assert names(world, Action.objects.visible_to(getattr(world.users, role))) == VISIBLE[role]


@pytest.mark.parametrize("role", EDITABLE)
def test_action_editable_and_deletable_by(world, role):
    user = getattr(world.users, role)
    assert names(world, Action.objects.editable_by(user)) == EDITABLE[role]
    assert names(world, Action.objects.deletable_by(user)) == DELETABLE[role]


@pytest.mark.parametrize("role", MODERATED)
def test_action_in_scope(world, role):
    assert names(world, Action.objects.in_scope(getattr(world.users, role))) == MODERATED[role]


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Action.objects.visible_to(AnonymousUser()).exists()
    world.users.fed_national.is_active = False
    perms.forget_scope(world.users.fed_national)
    assert not Action.objects.visible_to(world.users.fed_national).exists()


def test_moderation_queue_is_submitted_actions_in_scope_oldest_first(world):
    later = world.actions.neighbour_draft
    later.state = Action.State.SOUMISE
    later.save()
    world.actions.region_draft.state = Action.State.SOUMISE
    world.actions.region_draft.save()
    queue = list(Action.objects.to_moderate(world.users.fed49))
    assert queue == [world.actions.own_submitted, later]
    assert list(Action.objects.to_moderate(world.users.centre)) == []


def test_submitted_at_is_set_on_submission_and_cleared_when_sent_back(world):
    action = world.actions.own_draft
    assert action.submitted_at is None
    action.state = Action.State.SOUMISE
    action.save()
    assert action.submitted_at is not None
    action.state = Action.State.BROUILLON
    action.save()
    assert action.submitted_at is None


@pytest.mark.parametrize(
    "role, visible, editable, in_scope",
    [
        # A centre edits its own structure's identity (accounts.perms.structure_readonly_fields), never deletes it.
        ("centre", {"mine"}, {"mine"}, set()),
        ("fed49", {"mine", "neighbour"}, {"mine", "neighbour"}, {"mine", "neighbour"}),
        (
            "fed_region",
            {"mine", "neighbour", "region"},
            {"mine", "neighbour", "region"},
            {"mine", "neighbour", "region"},
        ),
        (
            "fed_national",
            {"mine", "neighbour", "region", "elsewhere"},
            {"mine", "neighbour", "region", "elsewhere"},
            {"mine", "neighbour", "region", "elsewhere"},
        ),
        ("nobody", set(), set(), set()),
    ],
)
def test_structure_rules(world, role, visible, editable, in_scope):
    user = getattr(world.users, role)
    by_pk = {structure.pk: name for name, structure in vars(world.structures).items()}

    def structure_names(queryset):
        return {by_pk[pk] for pk in queryset.values_list("pk", flat=True) if pk in by_pk}

    assert structure_names(Structure.objects.visible_to(user)) == visible
    assert structure_names(Structure.objects.editable_by(user)) == editable
    assert structure_names(Structure.objects.in_scope(user)) == in_scope
    assert structure_names(Structure.objects.deletable_by(user)) == in_scope
