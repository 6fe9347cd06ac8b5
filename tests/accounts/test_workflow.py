"""The publication workflow (actions/workflow.py): every transition × role × scope, through the module, the admin
form, the bulk actions and the spreadsheet import; what a transition records and whom it tells."""

import io
import logging

import pytest
from django.urls import reverse

from actions import workflow
from actions.models import Action, Dimension, TransitionRecord
from notifications.models import Notification

ROLES = ["centre", "fed49", "fed_region", "fed_national", "superuser", "nobody"]
# The structure of each case and the roles that hold it (member: CENTRE, territory: FEDERATION).
MEMBERS = {"mine": {"centre"}}
MODERATORS = {
    "mine": {"fed49", "fed_region", "fed_national", "superuser"},
    "region": {"fed_region", "fed_national", "superuser"},
    "elsewhere": {"fed_national", "superuser"},
}
# transition → (source state, federation_draft)
CASES = {
    "submit": ("brouillon", False),
    "withdraw": ("soumise", False),
    "publish": ("soumise", False),
    "send_back": ("soumise", False),
    "unpublish": ("publiee", False),
    "archive": ("publiee", False),
    "restore": ("archivee", False),
}


def expected(name, role, where, federation_draft=False):
    transition = workflow.TRANSITIONS[name]
    held = set()
    if role in MEMBERS.get(where, ()):
        held.add(workflow.CENTRE)
    if role in MODERATORS[where]:
        held.add(workflow.FEDERATION)
    source = CASES[name][0]
    if source in transition.only_federation_drafts_from and workflow.CENTRE not in held and not federation_draft:
        held.discard(workflow.FEDERATION)  # a centre's brouillon is its own
    return bool(held & transition.roles)


def make(world, where, state, federation_draft=False, **fields):
    return Action.objects.create(
        titre=f"Cas {where} {state} {Action.objects.count()}",
        structure=getattr(world.structures, where),
        state=state,
        federation_draft=federation_draft,
        resume=fields.pop("resume", "Un résumé."),
        dimension=fields.pop("dimension", Dimension.objects.first()),
        **fields,
    )


@pytest.mark.parametrize("where", ["mine", "region", "elsewhere"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(CASES))
def test_matrix_through_the_module(world, name, role, where):
    source, federation_draft = CASES[name]
    action = make(world, where, source, federation_draft)
    user = getattr(world.users, role)
    allowed = expected(name, role, where, federation_draft)
    comment = "Précisez le public." if name == "send_back" else ""
    assert (workflow.transition_error(user, action, name, comment=comment) is None) == allowed
    assert (name in {t.name for t in workflow.allowed_transitions(user, action)}) == allowed
    if allowed:
        workflow.fire(action, name, user, comment)
        action.refresh_from_db()
        assert action.state == workflow.TRANSITIONS[name].target
        record = action.transitions.get()
        assert (record.name, record.source, record.user, record.comment) == (name, source, user, comment)
    else:
        with pytest.raises(workflow.WorkflowError):
            workflow.fire(action, name, user, comment)
        assert Action.objects.get(pk=action.pk).state == source
        assert not action.transitions.exists()


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("role", ["centre", "fed49", "fed_region"])
def test_matrix_through_the_form(world, login, name, role):
    source, _ = CASES[name]
    action = make(world, "mine", source)
    data = {
        "titre": action.titre,
        "structure": action.structure_id,
        "resume": action.resume,
        "dimension": action.dimension_id,
        "commentaire_moderation": "Précisez le public." if name == "send_back" else "",
        "loaded_version": action.version,
        "_transition": name,
    }
    user = getattr(world.users, role)
    editable = Action.objects.editable_by(user).filter(pk=action.pk).exists()
    response = login(user).post(reverse("admin:actions_action_change", args=[action.pk]), data)
    state = Action.objects.get(pk=action.pk).state
    if expected(name, role, "mine") and editable:
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert state == workflow.TRANSITIONS[name].target
        assert TransitionRecord.objects.get(action=action).via == workflow.FORM
    else:
        assert response.status_code in (200, 403)
        assert state == source


def test_a_centre_draft_is_not_published_by_the_federation(world, login):
    draft = world.actions.own_draft
    error = workflow.transition_error(world.users.fed49, draft, "publish")
    assert "appartient au centre" in error[None]
    assert "publish" not in {t.name for t in workflow.allowed_transitions(world.users.fed49, draft)}
    # Its own draft, it may.
    own = make(world, "mine", "brouillon", federation_draft=True)
    assert workflow.transition_error(world.users.fed49, own, "publish") is None
    assert workflow.transition_error(world.users.fed49, own, "submit") is None
    assert workflow.transition_error(world.users.fed49, draft, "submit")


def test_submit_and_publish_need_a_summary_and_a_dimension(world):
    action = make(world, "mine", "brouillon", resume=" ", dimension=None)
    errors = workflow.transition_error(world.users.centre, action, "submit")
    assert set(errors) == {"resume", "dimension"}
    assert "Écrivez un résumé" in errors["resume"]


def test_send_back_needs_a_comment_next_to_the_field(world, login):
    action = world.actions.own_submitted
    data = {
        "titre": action.titre,
        "structure": action.structure_id,
        "resume": action.resume,
        "dimension": action.dimension_id,
        "commentaire_moderation": "  ",
        "loaded_version": action.version,
        "_transition": "send_back",
    }
    response = login(world.users.fed49).post(reverse("admin:actions_action_change", args=[action.pk]), data)
    assert response.status_code == 200
    assert "expliquez-lui" in str(response.context["adminform"].form.errors["commentaire_moderation"])
    assert Action.objects.get(pk=action.pk).state == Action.State.SOUMISE


def test_fired_twice_applies_once(world):
    action = world.actions.own_submitted
    workflow.fire(action, "publish", world.users.fed49)
    with pytest.raises(workflow.WorkflowError, match="déjà publiée"):
        workflow.fire(Action.objects.get(pk=action.pk), "publish", world.users.fed_region)
    assert action.transitions.count() == 1


def test_a_double_click_on_a_button_applies_once(world, login):
    action = world.actions.own_submitted
    data = {
        "titre": action.titre,
        "structure": action.structure_id,
        "resume": action.resume,
        "dimension": action.dimension_id,
        "loaded_version": action.version,
        "_transition": "publish",
    }
    client = login(world.users.fed49)
    url = reverse("admin:actions_action_change", args=[action.pk])
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)
    assert second.status_code == 200  # stale form: refused by the optimistic lock
    assert "modifiée par" in str(second.context["adminform"].form.errors)
    assert action.transitions.count() == 1


def test_every_transition_is_undone_by_another():
    undo = {
        "submit": "withdraw",
        "withdraw": "submit",
        "publish": "unpublish",
        "send_back": "submit",
        "unpublish": "publish",
        "archive": "restore",
        "restore": "archive",
    }
    for name, reverse_name in undo.items():
        transition, back = workflow.TRANSITIONS[name], workflow.TRANSITIONS[reverse_name]
        assert transition.target in back.sources
        assert back.target in transition.sources or back.target == Action.State.SOUMISE


class TestCentreSubmission:
    def form(self, action, **overrides):
        return {
            "titre": action.titre,
            "structure": action.structure_id,
            "resume": action.resume,
            "dimension": action.dimension_id,
            "loaded_version": action.version,
            **overrides,
        }

    def test_editing_a_submitted_fiche_withdraws_it_and_the_page_says_so(self, world, login):
        action = world.actions.own_submitted
        client = login(world.users.centre)
        url = reverse("admin:actions_action_change", args=[action.pk])
        page = client.get(url).content.decode()
        assert "la soumission est retirée" in page
        assert client.post(url, self.form(action, titre="Nouveau titre")).status_code == 302
        action.refresh_from_db()
        assert action.state == Action.State.BROUILLON and action.titre == "Nouveau titre"
        assert action.transitions.get().name == "withdraw"

    def test_buttons_shown_only_when_allowed(self, world, login):
        draft = world.actions.own_draft
        page = login(world.users.centre).get(reverse("admin:actions_action_change", args=[draft.pk])).content.decode()
        assert "Enregistrer le brouillon" in page and 'value="submit"' in page
        assert 'value="publish"' not in page and 'value="archive"' not in page
        submitted = world.actions.own_submitted
        page = login(world.users.fed49).get(reverse("admin:actions_action_change", args=[submitted.pk])).content
        page = page.decode()
        for name in ("publish", "send_back", "archive"):
            assert f'value="{name}"' in page
        assert 'value="submit"' not in page and 'value="unpublish"' not in page


def test_sent_back_fiche_shows_comment_and_badge(world, login):
    action = world.actions.own_submitted
    workflow.fire(action, "send_back", world.users.fed49, "Précisez le public visé.")
    client = login(world.users.centre)
    page = client.get(reverse("admin:actions_action_change", args=[action.pk])).content.decode()
    assert "À corriger" in page and "Précisez le public visé." in page and "fede49" in page
    listing = client.get(reverse("admin:actions_action_changelist")).content.decode()
    assert "workflow-a-corriger" in listing
    assert workflow.badge(Action.objects.get(pk=action.pk)) == ("a-corriger", "À corriger")
    workflow.fire(action, "submit", world.users.centre)
    assert workflow.badge(Action.objects.get(pk=action.pk))[1] == "Soumise"


class TestBulk:
    def test_publish_refuses_each_row_that_may_not_be_published_and_publishes_the_others(self, world, login):
        ok = world.actions.own_submitted
        empty = make(world, "mine", "soumise", resume="", dimension=None)
        centre_draft = world.actions.neighbour_draft
        outside = world.actions.region_draft
        client = login(world.users.fed49)
        url = reverse("admin:actions_action_changelist")
        selected = {"action": "publish", "_selected_action": [ok.pk, empty.pk, centre_draft.pk, outside.pk]}
        page = client.post(url, selected)
        content = page.content.decode()
        assert "1 action sera publiée" in content and ok.titre in content
        assert empty.titre in content and "Écrivez un résumé" in content
        assert centre_draft.titre in content and "appartient au centre" in content
        assert outside.titre not in content  # outside the scope: not even listed
        assert not Action.objects.published().filter(pk=ok.pk).exists()
        response = client.post(url, {**selected, "post": "yes"}, follow=True)
        assert Action.objects.get(pk=ok.pk).state == Action.State.PUBLIEE
        for action in (empty, centre_draft, outside):
            assert Action.objects.get(pk=action.pk).state == action.state
        shown = [str(message) for message in response.context["messages"]]
        assert "1 action(s) publiée." in shown
        assert any(empty.titre in message and "résumé" in message for message in shown)
        assert TransitionRecord.objects.get(action=ok).via == workflow.BULK

    @pytest.mark.parametrize("role", ["fed_region", "fed_national", "superuser"])
    @pytest.mark.parametrize("name", ["publish", "unpublish", "archive"])
    def test_bulk_transitions_by_role(self, world, login, role, name):
        source = CASES[name][0]
        actions = [make(world, where, source) for where in ("mine", "region", "elsewhere")]
        client = login(getattr(world.users, role))
        selected = {"action": name, "_selected_action": [action.pk for action in actions], "post": "yes"}
        client.post(reverse("admin:actions_action_changelist"), selected)
        for action, where in zip(actions, ("mine", "region", "elsewhere"), strict=True):
            changed = Action.objects.get(pk=action.pk).state == workflow.TRANSITIONS[name].target
            assert changed == expected(name, role, where), where


class TestImport:
    def upload(self, client, content):
        file = io.BytesIO(content.encode())
        file.name = "import.csv"
        return client.post(reverse("admin:actions_action_import"), {"import_file": file, "format": "0"})

    def csv(self, action, state):
        row = [action.pk, action.titre, action.structure.slug, state, "Un résumé.", action.dimension.libelle]
        return "id,titre,structure,state,resume,dimension\n" + ",".join(map(str, row)) + "\n"

    @pytest.mark.parametrize(
        "role, where, allowed",
        [("fed49", "mine", True), ("fed49", "region", False), ("fed_region", "region", True)],
    )
    @pytest.mark.parametrize("name", ["publish", "send_back", "unpublish", "archive", "restore"])
    def test_state_column_is_a_transition(self, world, login, role, where, allowed, name):
        source = CASES[name][0]
        action = make(world, where, source)
        target = workflow.TRANSITIONS[name].target
        client = login(getattr(world.users, role))
        preview = self.upload(client, self.csv(action, target))
        result = preview.context["result"]
        if name == "send_back":
            allowed = False  # needs a comment: not through a spreadsheet
        if not allowed:
            assert result.has_validation_errors() or result.has_errors()
            assert Action.objects.get(pk=action.pk).state == source
            return
        assert not result.has_validation_errors(), preview.content.decode()[:2000]
        client.post(reverse("admin:actions_action_process_import"), preview.context["confirm_form"].initial)
        assert Action.objects.get(pk=action.pk).state == target
        assert TransitionRecord.objects.get(action=action).via == workflow.IMPORT

    def test_a_centre_draft_cannot_be_published_by_import(self, world, login):
        action = world.actions.own_draft
        preview = self.upload(login(world.users.fed49), self.csv(action, "publiee"))
        assert preview.context["result"].has_validation_errors()
        assert "appartient au centre" in preview.content.decode()


class TestNotifications:
    def test_a_submission_through_the_form_tells_the_federation(self, world, login):
        action = world.actions.own_draft
        data = {
            "titre": action.titre,
            "structure": action.structure_id,
            "resume": action.resume,
            "dimension": action.dimension_id,
            "loaded_version": action.version,
            "_transition": "submit",
        }
        login(world.users.centre).post(reverse("admin:actions_action_change", args=[action.pk]), data)
        told = Notification.objects.filter(action=action, transition="submit")
        assert {notification.user for notification in told} == {world.users.fed49}

    def test_a_bulk_publish_tells_the_team(self, world, login):
        action = world.actions.own_submitted
        selected = {"action": "publish", "_selected_action": [action.pk], "post": "yes"}
        login(world.users.fed49).post(reverse("admin:actions_action_changelist"), selected)
        assert Notification.objects.filter(action=action, transition="publish", user=world.users.centre).exists()

    def test_a_user_without_email_is_skipped_and_logged(self, world, caplog):
        world.users.centre.email = ""
        world.users.centre.save()
        with caplog.at_level(logging.WARNING, logger="notifications.services"):
            workflow.fire(world.actions.own_submitted, "publish", world.users.fed49)
        assert not Notification.objects.filter(user=world.users.centre).exists()
        assert "no e-mail address" in caplog.text


class TestPreview:
    def test_shown_to_who_may_see_it_marked_and_never_cached(self, world, login):
        draft = world.actions.own_draft
        url = reverse("admin:actions_action_preview", args=[draft.pk])
        response = login(world.users.centre).get(url)
        assert response.status_code == 200
        content = response.content.decode()
        assert "Aperçu — non publiée" in content and draft.titre in content
        assert '<meta name="robots" content="noindex, nofollow">' in content
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]

    @pytest.mark.parametrize("role", ["fed49", "nobody"])
    def test_hidden_from_others(self, world, login, role):
        url = reverse("admin:actions_action_preview", args=[world.actions.region_draft.pk])
        assert login(getattr(world.users, role)).get(url).status_code in (403, 404)

    def test_anonymous_is_sent_to_the_login(self, world, client):
        url = reverse("admin:actions_action_preview", args=[world.actions.own_draft.pk])
        assert client.get(url).status_code == 302

    def test_the_public_page_of_a_draft_is_still_404(self, world, client):
        assert client.get(world.actions.own_draft.get_absolute_url()).status_code == 404


def test_admin_home_shows_the_waiting_count_in_scope(world, login):
    make(world, "region", "soumise")
    page = login(world.users.fed49).get(reverse("admin:index")).content.decode()
    assert "1 fiche" in page and "attend votre relecture" in page
    page = login(world.users.fed_region).get(reverse("admin:index")).content.decode()
    assert "2 fiches" in page and "attendent votre relecture" in page
    page = login(world.users.centre).get(reverse("admin:index")).content.decode()
    assert "votre relecture" not in page


class TestRevision:
    def form(self, action, **overrides):
        return {
            "titre": action.titre,
            "structure": action.structure_id,
            "resume": action.resume,
            "dimension": action.dimension_id,
            "loaded_version": action.version,
            **overrides,
        }

    def test_a_centre_edit_of_a_published_fiche_is_a_revision_moderated_like_a_fiche(self, world, login, client):
        action = world.actions.own_published
        url = reverse("admin:actions_action_change", args=[action.pk])
        centre = login(world.users.centre)
        assert "seront soumises à la fédération comme une révision" in centre.get(url).content.decode()
        response = centre.post(url, self.form(action, resume="Un nouveau résumé."))
        assert response.status_code == 302
        # The public keeps the published text; the form shows the revision to its centre.
        assert Action.objects.get(pk=action.pk).resume == "Un résumé de l’action."
        assert Action.objects.get(pk=action.pk).state == Action.State.PUBLIEE
        client.logout()
        # Public page, export and API never show a pending revision.
        assert "Un nouveau résumé." not in client.get(action.get_absolute_url()).content.decode()
        response = client.get(reverse("actions:export_csv"))
        export = (b"".join(response.streaming_content) if response.streaming else response.content).decode("utf-8-sig")
        assert "Un nouveau résumé." not in export and "Un résumé de l’action." in export
        api = client.get(f"/api/actions/{action.slug}/")
        assert api.status_code == 200 and "Un nouveau résumé." not in api.content.decode()
        centre = login(world.users.centre)
        assert "Un nouveau résumé." in centre.get(url).content.decode()
        # The federation is told, sees the difference, sends it back, then publishes the corrected one.
        assert Notification.objects.filter(action=action, transition="submit_revision", user=world.users.fed49)
        federation = login(world.users.fed49)
        page = federation.get(url).content.decode()
        assert "Différences avec la version publiée" in page and "Un nouveau résumé." in page
        assert 'value="publish_revision"' in page and 'value="send_back_revision"' in page
        assert "2 fiches" in federation.get(reverse("admin:index")).content.decode()  # own_submitted + revision
        fresh = Action.objects.get(pk=action.pk)
        federation.post(url, self.form(fresh, commentaire_moderation="Plus court.", _transition="send_back_revision"))
        assert workflow.pending_revision(action).state == "renvoyee"
        centre = login(world.users.centre)
        assert "Plus court." in centre.get(url).content.decode()
        fresh = Action.objects.get(pk=action.pk)
        centre.post(url, self.form(fresh, resume="Court."))
        assert workflow.pending_revision(action).state == "soumise"
        federation = login(world.users.fed49)
        fresh = Action.objects.get(pk=action.pk)
        assert federation.post(url, self.form(fresh, _transition="publish_revision")).status_code == 302
        assert Action.objects.get(pk=action.pk).resume == "Court."
        assert workflow.pending_revision(action) is None
        assert list(action.transitions.order_by("pk").values_list("name", flat=True)) == [
            "submit_revision",
            "send_back_revision",
            "submit_revision",
            "publish_revision",
        ]

    def test_a_centre_cannot_delete_its_published_fiche(self, world, login):
        action = world.actions.own_published
        url = reverse("admin:actions_action_delete", args=[action.pk])
        assert login(world.users.centre).post(url, {"post": "yes"}).status_code == 403
        assert Action.objects.filter(pk=action.pk).exists()


def test_view_on_site_is_the_preview_until_published(world, login):
    client = login(world.users.centre)
    draft_page = client.get(reverse("admin:actions_action_change", args=[world.actions.own_draft.pk])).content
    assert reverse("admin:actions_action_preview", args=[world.actions.own_draft.pk]) in draft_page.decode()
    published = world.actions.own_published
    page = client.get(reverse("admin:actions_action_change", args=[published.pk])).content.decode()
    assert published.get_absolute_url() in page


class TestCommand:
    def test_applies_the_same_rules_and_records(self, world):
        from django.core.management import CommandError, call_command

        submitted, draft = world.actions.own_submitted, world.actions.own_draft
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(CommandError, match="1 fiche"):
            call_command("transition", "publish", submitted.pk, draft.pk, user="fede49", stdout=out, stderr=err)
        assert Action.objects.get(pk=submitted.pk).state == Action.State.PUBLIEE
        assert Action.objects.get(pk=draft.pk).state == Action.State.BROUILLON
        assert "appartient au centre" in err.getvalue()
        assert TransitionRecord.objects.get(action=submitted).via == workflow.COMMAND
        assert Notification.objects.filter(action=submitted, transition="publish").exists()

    def test_a_centre_account_cannot_publish(self, world):
        from django.core.management import CommandError, call_command

        with pytest.raises(CommandError):
            call_command("transition", "publish", world.actions.own_submitted.pk, user="centre", stderr=io.StringIO())
        assert Action.objects.get(pk=world.actions.own_submitted.pk).state == Action.State.SOUMISE
