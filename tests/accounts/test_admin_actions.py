"""Every role × operation on the action admin, including forged requests for objects outside one's scope."""

import pytest
from django.urls import reverse

from actions.models import Action, Dimension

ROLES = ["centre", "fed49", "fed_region", "fed_national", "superuser"]
# For each role: the actions it may open (view) and those it may change and delete.
VIEW = {
    "centre": {"own_draft", "own_submitted", "own_published"},
    "fed49": {"own_draft", "own_submitted", "own_published", "neighbour_draft"},
    "fed_region": {"own_draft", "own_submitted", "own_published", "neighbour_draft", "region_draft"},
    "fed_national": {
        "own_draft",
        "own_submitted",
        "own_published",
        "neighbour_draft",
        "region_draft",
        "elsewhere_draft",
    },
    "superuser": {"own_draft", "own_submitted", "own_published", "neighbour_draft", "region_draft", "elsewhere_draft"},
}
# A centre's change of its published fiche is a pending revision (tests/accounts/test_workflow.py): not a change.
CHANGE = {**VIEW, "centre": {"own_draft", "own_submitted"}}
TARGETS = ["own_draft", "own_published", "neighbour_draft", "region_draft", "elsewhere_draft"]


def change_url(action):
    return reverse("admin:actions_action_change", args=[action.pk])


def form_data(action, **overrides):
    data = {
        "titre": action.titre,
        "structure": action.structure_id,
        "state": action.state,
        "resume": action.resume,
        "dimension": action.dimension_id or "",
        "commentaire_moderation": action.commentaire_moderation,
    }
    data.update(overrides)
    return data


def snapshot(action):
    return Action.objects.filter(pk=action.pk).values("titre", "state", "structure_id").first()


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_only_visible_actions(world, login, role):
    response = login(getattr(world.users, role)).get(reverse("admin:actions_action_changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    for name, action in vars(world.actions).items():
        assert (action.titre in content) == (name in VIEW[role]), name


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", TARGETS)
def test_view(world, login, role, target):
    action = getattr(world.actions, target)
    response = login(getattr(world.users, role)).get(change_url(action))
    assert response.status_code == (200 if target in VIEW[role] else 404)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", TARGETS)
def test_change(world, login, role, target):
    action = getattr(world.actions, target)
    before = snapshot(action)
    response = login(getattr(world.users, role)).post(change_url(action), form_data(action, titre="Titre forgé"))
    if target in CHANGE[role]:
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert Action.objects.get(pk=action.pk).titre == "Titre forgé"
    elif (role, target) == ("centre", "own_published"):
        assert response.status_code == 302  # a pending revision: the published fiche is unchanged
        assert snapshot(action) == before and action.revisions.get().data["titre"] == "Titre forgé"
    else:
        assert response.status_code == (403 if target in VIEW[role] else 404)
        assert snapshot(action) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", TARGETS)
def test_delete(world, login, role, target):
    action = getattr(world.actions, target)
    url = reverse("admin:actions_action_delete", args=[action.pk])
    response = login(getattr(world.users, role)).post(url, {"post": "yes"})
    if target in CHANGE[role]:
        assert response.status_code == 302
        assert not Action.objects.filter(pk=action.pk).exists()
    else:
        assert response.status_code == (403 if target in VIEW[role] else 404)
        assert Action.objects.filter(pk=action.pk).exists()


@pytest.mark.parametrize("target", ["own_published", "neighbour_draft", "elsewhere_draft"])
def test_centre_bulk_delete_refuses_published_and_ignores_other_structures(world, login, target):
    action = getattr(world.actions, target)
    response = login(world.users.centre).post(
        reverse("admin:actions_action_changelist"),
        {"action": "delete_selected", "_selected_action": [action.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert Action.objects.filter(pk=action.pk).exists()


def test_staff_without_role_sees_no_action(world, login):
    client = login(world.users.nobody)
    assert client.get(reverse("admin:actions_action_changelist")).status_code == 403
    assert client.get(change_url(world.actions.own_draft)).status_code in (403, 404)


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(change_url(world.actions.own_draft))
    assert response.status_code == 302 and "/login/" in response["Location"]


class TestCentreAdd:
    def add(self, login, world, **data):
        fields = {
            "titre": "Une nouvelle action",
            "structure": world.structures.mine.pk,
            "state": Action.State.BROUILLON,
            "resume": "Deux phrases.",
            "dimension": Dimension.objects.first().pk,
        }
        fields.update(data)
        return login(world.users.centre).post(reverse("admin:actions_action_add"), fields)

    def test_creates_a_draft_in_own_structure(self, world, login):
        response = self.add(login, world)
        assert response.status_code == 302
        assert Action.objects.get(titre="Une nouvelle action").structure == world.structures.mine

    def test_may_submit_directly(self, world, login):
        assert self.add(login, world, state=Action.State.SOUMISE).status_code == 302
        assert Action.objects.get(titre="Une nouvelle action").state == Action.State.SOUMISE

    @pytest.mark.parametrize("structure", ["neighbour", "region", "elsewhere"])
    def test_refuses_another_structure(self, world, login, structure):
        response = self.add(login, world, structure=getattr(world.structures, structure).pk)
        assert response.status_code == 200
        assert "structure" in response.context["adminform"].form.errors
        assert not Action.objects.filter(titre="Une nouvelle action").exists()

    @pytest.mark.parametrize("state", [Action.State.PUBLIEE, Action.State.ARCHIVEE])
    def test_refuses_to_publish(self, world, login, state):
        response = self.add(login, world, state=state)
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["__all__"]
        assert not Action.objects.filter(titre="Une nouvelle action").exists()

    def test_submitting_needs_a_summary_and_says_so(self, world, login):
        response = self.add(login, world, state=Action.State.SOUMISE, resume="")
        assert response.status_code == 200
        assert "Écrivez un résumé" in str(response.context["adminform"].form.errors["resume"])


class TestCentreChange:
    def test_submits_a_draft(self, world, login):
        action = world.actions.own_draft
        response = login(world.users.centre).post(change_url(action), form_data(action, state="soumise"))
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.state == Action.State.SOUMISE and action.submitted_at is not None

    def test_cannot_publish_its_draft(self, world, login):
        action = world.actions.own_submitted
        response = login(world.users.centre).post(change_url(action), form_data(action, state="publiee"))
        assert response.status_code == 200
        assert "Seule la fédération" in str(response.context["adminform"].form.errors["__all__"])
        assert Action.objects.get(pk=action.pk).state == Action.State.SOUMISE

    def test_cannot_move_an_action_to_another_structure(self, world, login):
        action = world.actions.own_draft
        forged = form_data(action, structure=world.structures.neighbour.pk)
        response = login(world.users.centre).post(change_url(action), forged)
        assert response.status_code == 200
        assert Action.objects.get(pk=action.pk).structure == world.structures.mine

    def test_cannot_write_the_moderation_comment(self, world, login):
        action = world.actions.own_draft
        forged = form_data(action, commentaire_moderation="Je me valide moi-même")
        assert login(world.users.centre).post(change_url(action), forged).status_code == 302
        assert Action.objects.get(pk=action.pk).commentaire_moderation == ""

    def test_published_action_is_changed_through_a_revision_never_deleted(self, world, login):
        response = login(world.users.centre).get(change_url(world.actions.own_published))
        assert response.status_code == 200
        assert response.context["has_change_permission"]  # the edit becomes a revision (test_workflow.py)
        assert not response.context["has_delete_permission"]


class TestFederationAdd:
    def add(self, client, structure):
        data = {
            "titre": "Publiée d’emblée",
            "structure": structure.pk,
            "state": Action.State.PUBLIEE,
            "resume": "Deux phrases.",
            "dimension": Dimension.objects.first().pk,
        }
        return client.post(reverse("admin:actions_action_add"), data)

    def test_publishes_directly_in_its_territory(self, world, login):
        assert self.add(login(world.users.fed49), world.structures.neighbour).status_code == 302
        assert Action.objects.get(titre="Publiée d’emblée").state == Action.State.PUBLIEE

    def test_refuses_a_structure_outside_its_territory(self, world, login):
        response = self.add(login(world.users.fed49), world.structures.region)
        assert "structure" in response.context["adminform"].form.errors
        assert not Action.objects.filter(titre="Publiée d’emblée").exists()


class TestModeration:
    def test_federation_publishes_in_the_form(self, world, login):
        action = world.actions.own_submitted
        response = login(world.users.fed49).post(change_url(action), form_data(action, state="publiee"))
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.state == Action.State.PUBLIEE and action.published_at is not None
        assert action in Action.objects.published()

    def test_sending_back_needs_a_comment(self, world, login):
        action = world.actions.own_submitted
        response = login(world.users.fed49).post(change_url(action), form_data(action, state="brouillon"))
        assert response.status_code == 200
        assert "expliquez-lui" in str(response.context["adminform"].form.errors["commentaire_moderation"])
        commented = form_data(action, state="brouillon", commentaire_moderation="Précisez le public visé.")
        assert login(world.users.fed49).post(change_url(action), commented).status_code == 302
        action.refresh_from_db()
        assert action.state == Action.State.BROUILLON
        assert action.commentaire_moderation == "Précisez le public visé."

    @pytest.mark.parametrize(
        "bulk, before, state",
        [("publish", "soumise", "publiee"), ("archive", "publiee", "archivee"), ("unpublish", "publiee", "soumise")],
    )
    def test_bulk_actions_change_only_the_scope(self, world, login, bulk, before, state):
        in_scope, outside = world.actions.neighbour_draft, world.actions.region_draft
        dimension = Dimension.objects.first()
        Action.objects.filter(pk__in=[in_scope.pk, outside.pk]).update(
            state=before, resume="Un résumé.", dimension=dimension
        )
        client = login(world.users.fed49)
        url = reverse("admin:actions_action_changelist")
        selected = {"action": bulk, "_selected_action": [in_scope.pk, outside.pk]}
        confirmation = client.post(url, selected)
        assert confirmation.status_code == 200  # the confirmation page, nothing changed yet
        assert Action.objects.get(pk=in_scope.pk).state == before
        response = client.post(url, {**selected, "post": "yes"})
        assert response.status_code == 302
        assert Action.objects.get(pk=in_scope.pk).state == state
        assert Action.objects.get(pk=outside.pk).state == before

    @pytest.mark.parametrize("bulk", ["publish", "archive", "unpublish"])
    def test_centre_has_no_bulk_moderation(self, world, login, bulk):
        client = login(world.users.centre)
        changelist = client.get(reverse("admin:actions_action_changelist"))
        assert bulk not in dict(changelist.context["action_form"].fields["action"].choices)
        action = world.actions.own_submitted
        client.post(reverse("admin:actions_action_changelist"), {"action": bulk, "_selected_action": [action.pk]})
        assert Action.objects.get(pk=action.pk).state == Action.State.SOUMISE

    def test_queue_lists_submitted_actions_in_scope_oldest_first(self, world, login):
        newer = world.actions.neighbour_draft
        newer.state = Action.State.SOUMISE
        newer.save()
        world.actions.region_draft.state = Action.State.SOUMISE
        world.actions.region_draft.save()
        response = login(world.users.fed49).get(reverse("admin:actions_action_moderation"))
        assert response.status_code == 200
        assert list(response.context["queue"]) == [world.actions.own_submitted, newer]
        content = response.content.decode()
        assert content.index("Soumise des Tilleuls") < content.index("Brouillon du Voisin")
        assert "Brouillon de Nantes" not in content

    def test_queue_is_federation_only(self, world, login):
        assert login(world.users.centre).get(reverse("admin:actions_action_moderation")).status_code == 403


class TestAutocomplete:
    def search(self, client, field, term=""):
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": "actions", "model_name": "action", "field_name": field, "term": term},
        )
        assert response.status_code == 200
        return {result["text"] for result in response.json()["results"]}

    def test_centre_only_finds_its_structures(self, world, login):
        found = self.search(login(world.users.centre), "structure", "Centre")
        assert found == {str(world.structures.mine)}

    def test_federation_finds_its_territory(self, world, login):
        found = self.search(login(world.users.fed49), "structure", "Centre")
        assert found == {str(world.structures.mine), str(world.structures.neighbour)}

    def test_centre_finds_keywords(self, world, login):
        assert "Culture" in self.search(login(world.users.centre), "mots_cles", "Cult")


class TestHistory:
    def test_records_who_changed_what(self, world, login):
        action = world.actions.own_draft
        client = login(world.users.centre)
        client.post(change_url(action), form_data(action, state="soumise"))
        record = action.history.latest()
        assert record.history_user == world.users.centre and record.state == "soumise"
        response = client.get(reverse("admin:actions_action_history", args=[action.pk]))
        assert response.status_code == 200
        assert "centre" in response.content.decode()

    @pytest.mark.parametrize("role", ["centre", "fed49"])
    def test_history_outside_scope_is_404(self, world, login, role):
        url = reverse("admin:actions_action_history", args=[world.actions.region_draft.pk])
        assert login(getattr(world.users, role)).get(url).status_code == 404

    def test_history_version_cannot_be_reverted(self, world, login):
        action = world.actions.own_draft
        record = action.history.earliest()
        url = reverse("admin:actions_action_simple_history", args=[action.pk, record.history_id])
        response = login(world.users.fed49).post(url, form_data(action, state="publiee"))
        assert response.status_code == 403
        assert Action.objects.get(pk=action.pk).state == Action.State.BROUILLON

    def test_history_version_of_another_structure_is_refused(self, world, login):
        action = world.actions.region_draft
        record = action.history.earliest()
        url = reverse("admin:actions_action_simple_history", args=[action.pk, record.history_id])
        assert login(world.users.centre).get(url).status_code in (403, 404)
