"""The import confirmation (`process_import`) never answers 500: a replayed, forged or incomplete confirmation gets
a French message on the import page, and nothing is written."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from actions.models import Action
from structures.models import Structure
from tests.accounts.test_import_export import CSV_FORMAT, action_csv, upload

CONFIRM = "/admin/actions/action/process_import/"
IMPORT_PAGE = "/admin/actions/action/import/"


@pytest.fixture
def previewed(world, login):
    """A federation previewed a valid file: (client, the confirmation form's data)."""
    client = login(world.users.fed49)
    row = f",Action importée une fois,{world.structures.neighbour.slug},publiee,Un résumé.,Citoyenneté,"
    preview = upload(client, "actions_action", action_csv(world, row))
    assert preview.status_code == 200
    return client, dict(preview.context["confirm_form"].initial)


def refused(response, *words):
    assert response.status_code == 302 and response["Location"] == IMPORT_PAGE
    text = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert all(word in text for word in words), text
    return text


def imported_count():
    return Action.objects.filter(titre="Action importée une fois").count()


@pytest.mark.django_db
def test_a_confirmation_sent_twice_imports_once(previewed):
    client, data = previewed
    first = client.post(CONFIRM, data)
    assert first.status_code == 302 and first["Location"] == reverse("admin:actions_action_changelist")
    assert imported_count() == 1
    refused(client.post(CONFIRM, data), "déjà été importé", "relancez l’import")
    assert imported_count() == 1


@pytest.mark.django_db
def test_a_confirmation_replayed_from_another_session_is_refused(previewed, world):
    _client, data = previewed
    other = Client()
    other.force_login(world.users.fed49)
    refused(other.post(CONFIRM, data), "déjà été importé")
    assert imported_count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value, words",
    [
        ("format", "99", ["Format de fichier inconnu"]),
        ("format", "-1", ["Format de fichier inconnu"]),
        ("format", "abc", ["Format de fichier inconnu"]),
        ("format", "", ["incomplète"]),
        ("resource", "7", ["Type d’import inconnu"]),
        ("resource", "x", ["Format de fichier inconnu"]),
        ("import_file_name", "", ["incomplète"]),
        ("import_file_name", "fichier-qui-n-existe-pas.csv", ["déjà été importé"]),
        ("import_file_name", "../../etc/passwd", ["déjà été importé"]),
        ("original_file_name", "", ["incomplète"]),
    ],
)
def test_a_forged_or_missing_field_is_refused_with_a_message(previewed, field, value, words):
    client, data = previewed
    refused(client.post(CONFIRM, {**data, field: value}), *words, "relancez l’import")
    assert imported_count() == 0
    # The file previewed is still there: the real confirmation still works.
    assert client.post(CONFIRM, data).status_code == 302
    assert imported_count() == 1


@pytest.mark.django_db
def test_a_confirmation_without_any_field_is_refused(previewed):
    client, _data = previewed
    refused(client.post(CONFIRM, {}), "incomplète")
    assert imported_count() == 0


@pytest.mark.django_db
def test_a_file_removed_since_the_preview_is_refused(previewed):
    from import_export.tmp_storages import TempFolderStorage

    client, data = previewed
    TempFolderStorage(name=data["import_file_name"]).remove()  # expired, cleaned by the system
    refused(client.post(CONFIRM, data), "aperçu a expiré")
    assert imported_count() == 0


@pytest.mark.django_db
def test_a_file_announced_in_another_format_is_refused(previewed):
    client, data = previewed
    refused(client.post(CONFIRM, {**data, "format": "1"}), "ne peut pas être lu")  # CSV read as XLSX
    assert imported_count() == 0


@pytest.mark.django_db
def test_a_get_of_the_confirmation_is_not_a_500(previewed):
    client, _data = previewed
    assert client.get(CONFIRM).status_code == 405


@pytest.mark.django_db
def test_structure_import_confirmation_sent_twice_imports_once(world, login):
    client = login(world.users.fed49)
    content = "id,nom,kind,departement,commune\n,Centre social Neuf,centre_social,49,Angers\n"
    preview = upload(client, "structures_structure", content)
    data = dict(preview.context["confirm_form"].initial)
    assert data["format"] == CSV_FORMAT
    url = reverse("admin:structures_structure_process_import")
    client.post(url, data)
    second = client.post(url, data)
    assert second.status_code == 302 and second["Location"] == reverse("admin:structures_structure_import")
    assert Structure.objects.filter(nom="Centre social Neuf").count() == 1
