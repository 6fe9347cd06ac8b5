"""The fiche form and the back-office's words: preselected structure, fields required to submit, error summary,
checkboxes for short lists, French titles, history and export pages."""

import re

from django.urls import reverse

from actions.models import Action, Initiative

ADD = reverse("admin:actions_action_add")


def test_structure_preselected_for_a_centre_with_one_structure(world, login):
    page = login(world.users.centre).get(ADD)
    assert page.status_code == 200
    assert re.search(rf'<option value="{world.structures.mine.pk}" selected>', page.text)
    assert "<title>Ajouter une fiche" in page.text and "Ajout de action" not in page.text


def test_no_structure_preselected_for_a_federation(world, login):
    page = login(world.users.fed49).get(ADD)
    assert " selected>" + world.structures.mine.nom not in page.text
    assert not re.search(r'<select name="structure"[^>]*>\s*<option value="\d+" selected', page.text)


def test_fields_required_to_submit_are_marked(world, login):
    page = login(world.users.centre).get(ADD)
    assert "résumé (requis pour soumettre)" in page.text.lower()
    assert "dimension (requis pour soumettre)" in page.text.lower()


def test_initiatives_are_checkboxes(world, login):
    page = login(world.users.centre).get(ADD)
    initiative = Initiative.objects.first()
    assert re.search(rf'<input type="checkbox" name="initiatives" value="{initiative.pk}"', page.text)
    assert "selectfilter" not in page.text.split('name="initiatives"')[0][-300:]


def test_error_summary_links_to_each_field(world, login):
    client = login(world.users.centre)
    response = client.post(ADD, {"titre": "", "structure": world.structures.mine.pk, "state": "soumise"})
    assert response.status_code == 200
    summary = response.text.split('id="resume-erreurs"')[1].split("</div>")[0]
    assert 'href="#id_titre"' in summary
    assert 'href="#id_resume"' in summary and 'href="#id_dimension"' in summary
    assert "Écrivez un résumé" in summary
    assert not Action.objects.filter(titre="").exists()


def test_change_form_titles_and_duplicate_button(world, login):
    client = login(world.users.centre)
    page = client.get(reverse("admin:actions_action_change", args=[world.actions.own_draft.pk]))
    assert "| Modifier la fiche |" in page.text and "Modification de action" not in page.text
    assert reverse("admin_action_duplicate", args=[world.actions.own_draft.pk]) in page.text
    # A published fiche is changed through a revision (actions.workflow): still « Modifier la fiche ».
    published = client.get(reverse("admin:actions_action_change", args=[world.actions.own_published.pk]))
    assert "| Modifier la fiche |" in published.text


def test_list_words_and_columns(world, login):
    page = login(world.users.fed49).get(reverse("admin:actions_action_changelist"))
    assert "Supprimer les fiches sélectionnées" in page.text
    assert "sélectionnés" not in page.text
    table = page.text.split('<table id="result_list">')[1].split("</thead>")[0]
    headers = re.findall(r'<th scope="col"', table)
    assert len(headers) == 5  # the checkbox, titre, structure, état, modifiée le


def test_saved_message_in_french(world, login):
    client = login(world.users.centre)
    action = world.actions.own_draft
    data = {
        "titre": action.titre,
        "structure": action.structure_id,
        "state": action.state,
        "resume": "",
        "dimension": "",
        "loaded_version": action.version,
    }
    response = client.post(reverse("admin:actions_action_change", args=[action.pk]), data, follow=True)
    text = response.text
    assert "L’objet action" not in text and "L'objet action" not in text
    # The message keeps its link to the fiche (not escaped).
    link = reverse("admin:actions_action_change", args=[action.pk])
    assert f'La fiche «\u00a0<a href="{link}">Brouillon des Tilleuls</a>\u00a0» a été enregistrée.' in text


def test_history_page_in_french(world, login):
    client = login(world.users.fed49)
    action = world.actions.own_draft
    action.state = Action.State.SOUMISE
    action._history_user = None
    action.save()
    page = client.get(reverse("admin:actions_action_history", args=[action.pk]))
    assert page.status_code == 200
    assert "État de publication" in page.text and "Modifications" in page.text
    assert "None" not in page.text and ">state<" not in page.text.lower()
    assert "Historique de la fiche" in page.text


def test_export_page_in_french(world, login):
    page = login(world.users.fed49).get(reverse("admin:actions_action_export"))
    assert page.status_code == 200
    assert "Select all" not in page.text and "Tout sélectionner" in page.text
    assert 'id="select-all-toggle"' in page.text


def test_add_button_and_delete_pages_in_french(world, login):
    client = login(world.users.fed49)
    listing = client.get(reverse("admin:actions_action_changelist"))
    assert "Ajouter une fiche" in listing.text and "Ajouter action" not in listing.text
    action = world.actions.own_draft
    page = client.get(reverse("admin:actions_action_delete", args=[action.pk]))
    assert page.status_code == 200
    assert "Voulez-vous vraiment supprimer la fiche «\u00a0Brouillon des Tilleuls\u00a0»" in page.text.replace(
        "&nbsp;", "\u00a0"
    )
    assert "objet action" not in page.text
    selected = client.post(
        reverse("admin:actions_action_changelist"),
        {"action": "delete_selected", "_selected_action": [action.pk, world.actions.neighbour_draft.pk]},
    )
    assert "les 2 fiches sélectionnées" in selected.text and "sélectionnés" not in selected.text
    assert Action.objects.filter(pk=action.pk).exists()
