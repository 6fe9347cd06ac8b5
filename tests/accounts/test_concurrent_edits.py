"""Two people editing the same action: the second save does not silently erase the first (optimistic locking)."""

import re

from django.test import Client
from django.urls import reverse

from actions.fiches.loader import load_bytes
from actions.fiches.renderer import render_file
from actions.fiches.stored import fiche_from_action
from actions.models import Action


def change_url(action):
    return reverse("admin:actions_action_change", args=[action.pk])


def open_form(user, action):
    """A logged-in client that has opened the action's change form, and the form's values as it would post them."""
    client = Client()
    client.force_login(user)
    response = client.get(change_url(action))
    assert response.status_code == 200
    return client, form_values(response)


def form_values(response):
    form = response.context["adminform"].form
    values = {}
    for name in form.fields:
        value = form[name].value()
        values[name] = "" if value is None else value
    return values


def stored(action):
    return Action.objects.values("titre", "resume", "version").get(pk=action.pk)


def test_the_second_save_is_refused_with_who_and_when_then_kept_on_demand(world):
    action = world.actions.own_draft
    first, first_form = open_form(world.users.fed49, action)
    second, second_form = open_form(world.users.superuser, action)
    assert first_form["loaded_version"] == second_form["loaded_version"] == stored(action)["version"]

    saved = first.post(change_url(action), {**first_form, "titre": "Titre choisi par la fédération"})
    assert saved.status_code == 302
    assert stored(action)["titre"] == "Titre choisi par la fédération"

    refused = second.post(change_url(action), {**second_form, "resume": "Résumé réécrit par l’administrateur."})
    assert refused.status_code == 200
    html = refused.content.decode()
    message = re.search(r"Cette fiche a été modifiée par (\S+) à (\d\d:\d\d) depuis que vous l’avez ouverte", html)
    assert message and message.group(1) == "fede49"
    # Nothing of the second edit is written, and what was typed is still in the form.
    assert stored(action)["titre"] == "Titre choisi par la fédération"
    assert stored(action)["resume"] == "Un résumé de l’action."
    assert "Résumé réécrit par l’administrateur." in html

    # Saving again is now a deliberate choice: the form carries the current version.
    again = form_values(refused)
    assert int(again["loaded_version"]) == stored(action)["version"]
    replaced = second.post(change_url(action), again)
    assert replaced.status_code == 302
    assert stored(action)["resume"] == "Résumé réécrit par l’administrateur."


def test_a_save_without_a_concurrent_change_goes_through_and_bumps_the_version(world):
    action = world.actions.own_draft
    before = stored(action)["version"]
    client, form = open_form(world.users.fed49, action)
    assert client.post(change_url(action), {**form, "titre": "Premier titre"}).status_code == 302
    client, form = open_form(world.users.fed49, action)
    assert client.post(change_url(action), {**form, "titre": "Deuxième titre"}).status_code == 302
    assert stored(action) == {"titre": "Deuxième titre", "resume": "Un résumé de l’action.", "version": before + 2}


def test_an_import_since_the_form_was_opened_is_a_conflict_too(world):
    action = world.actions.own_published
    client, form = open_form(world.users.fed49, action)
    fiche = fiche_from_action(Action.objects.get(pk=action.pk))
    fiche.resume = "Résumé venu du dernier export."
    data = render_file([fiche]).encode()
    report = load_bytes(data, "export.txt", force=True)
    assert not report.refused and report.updated == 1, report.errors
    refused = client.post(change_url(action), {**form, "resume": "Mon résumé."})
    assert refused.status_code == 200
    assert "Cette fiche a été modifiée par un import de fiches" in refused.content.decode()
    assert stored(action)["resume"] == "Résumé venu du dernier export."


def test_other_write_paths_bump_the_version(world, db):
    action = world.actions.own_submitted
    version = stored(action)["version"]
    action.state = Action.State.PUBLIEE
    action.save(update_fields=["state", "published_at"])
    assert stored(action)["version"] == version + 1
    assert action.version == version + 1  # read again on demand
    action.save()
    assert stored(action)["version"] == version + 2


def test_a_view_only_user_gets_no_version_field(world):
    client = Client()
    client.force_login(world.users.centre)
    archived = world.actions.own_published
    Action.objects.filter(pk=archived.pk).update(state=Action.State.ARCHIVEE)
    response = client.get(change_url(archived))  # archived: read-only for the centre
    assert response.status_code == 200
    assert 'name="loaded_version"' not in response.content.decode()
