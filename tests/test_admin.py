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
