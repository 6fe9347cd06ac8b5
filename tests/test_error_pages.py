"""Error pages are the site's own, in French, and never leak anything (Django's defaults are in English)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views import defaults

from actions.models import Action
from tests.actions.factories import ActionFactory


def assert_french_page(response, status, heading):
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert f"<h1>{heading}</h1>" in html
    assert '<meta name="robots" content="noindex">' in html
    assert 'href="/"' in html  # a way back


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/nulle-part/", "/actions/action-inconnue/", "/structures/%0Aligne/"])
def test_unknown_address(client, url):
    assert_french_page(client.get(url), 404, "Page introuvable")


@pytest.mark.django_db
def test_unpublished_action_is_the_same_404_as_a_missing_one(client):
    draft = ActionFactory(state=Action.State.BROUILLON)
    response = client.get(f"/actions/{draft.slug}/")
    assert_french_page(response, 404, "Page introuvable")
    assert draft.titre not in response.content.decode()


@pytest.mark.django_db
def test_bad_host_is_a_french_400(client):
    assert_french_page(client.get("/", headers={"host": "pirate.example"}), 400, "Requête incorrecte")


def test_server_error_page_needs_neither_request_context_nor_database():
    # Django renders 500.html with an empty context: the page must still be whole (and no query: no db mark).
    response = defaults.server_error(RequestFactory().get("/"))
    assert_french_page(response, 500, "Une erreur est survenue")


def test_permission_denied_page():
    response = defaults.permission_denied(RequestFactory().get("/"), PermissionDenied())
    assert_french_page(response, 403, "Accès refusé")
