import pytest
from django.urls import reverse

from tests.actions.factories import ActionFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    [
        "admin:index",
        "admin:actions_action_changelist",
        "admin:actions_action_add",
        "admin:structures_structure_changelist",
        "admin:structures_departement_changelist",
        "admin:actions_motcle_changelist",
    ],
)
def test_admin_pages_load_for_a_superuser(admin_client, url_name):
    ActionFactory()
    assert admin_client.get(reverse(url_name)).status_code == 200


@pytest.mark.django_db
def test_action_change_page_loads(admin_client):
    action = ActionFactory(mots_cles=["Culture"])
    response = admin_client.get(reverse("admin:actions_action_change", args=[action.pk]))
    assert response.status_code == 200
    assert action.titre in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    [
        "admin:actions_action_moderation",
        "admin:actions_action_import_fiches",
        "admin:actions_action_import",
        "admin:actions_action_export",
        "admin:structures_structure_import",
        "admin:auth_user_changelist",
        "admin:auth_user_add",
    ],
)
def test_back_office_pages_load_for_a_superuser(admin_client, url_name):
    ActionFactory(state="soumise")
    assert admin_client.get(reverse(url_name)).status_code == 200


def changelist_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["admin:actions_action_changelist", "admin:structures_structure_changelist"])
def test_changelists_do_not_query_per_row(client, url_name):
    from structures.models import Departement
    from tests.accounts.factories import federation_user

    client.force_login(federation_user(departements=["49"]))
    ActionFactory(mots_cles=["Culture"])
    one = changelist_queries(client, reverse(url_name))
    ActionFactory.create_batch(19, structure__departement=Departement.objects.get(code="49"))
    assert changelist_queries(client, reverse(url_name)) == one
