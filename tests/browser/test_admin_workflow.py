"""In a real browser: a centre writes a fiche and submits it, its federation publishes it, the public sees it; the
centre cannot open another centre's draft."""

import pytest
from django.contrib.auth.models import User

from actions.models import Action
from structures.models import Departement
from tests.accounts.factories import centre_user, federation_user
from tests.actions.factories import ActionFactory
from tests.browser.conftest import log_in
from tests.structures.factories import StructureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Atelier cuisine entre voisins"


@pytest.fixture
def accounts(live_db):
    # live_db (tests/browser/conftest.py): a live server whose flushed database has the référentiels again.
    maine_et_loire = Departement.objects.get(code="49")
    mine = StructureFactory(nom="Centre social Les Tilleuls", departement=maine_et_loire)
    other = StructureFactory(nom="Centre social Le Voisin", departement=maine_et_loire)
    other_draft = ActionFactory(titre="Brouillon du Voisin", structure=other, state=Action.State.BROUILLON)
    return {
        "centre": centre_user(mine, username="centre"),
        "federation": federation_user(departements=["49"], username="federation"),
        "other_draft": other_draft,
    }


def pick_autocomplete(page, field, text):
    page.click(f".field-{field} .select2-selection")
    page.fill(".select2-container--open .select2-search__field", text)
    page.click(f".select2-results__option:has-text('{text}')")


def test_centre_submits_federation_publishes_public_sees(page, live_server, accounts):
    base = live_server.url

    # The centre writes a fiche and submits it.
    log_in(page, base, accounts["centre"])
    page.goto(f"{base}/admin/actions/action/add/")
    page.fill("#id_titre", TITLE)
    pick_autocomplete(page, "structure", "Tilleuls")
    page.select_option("#id_dimension", label="Citoyenneté")
    page.fill("#id_resume", "Des habitants cuisinent ensemble chaque mois.")
    # The buttons are the transitions the centre may fire: no « Publier ».
    assert page.locator("button[name=_transition][value=publish]").count() == 0
    assert page.locator("input[name=_continue][value='Enregistrer le brouillon']").count() == 1
    page.click("button[name=_transition][value=submit]")
    page.wait_for_url(f"{base}/admin/actions/action/")
    assert "est soumise à la fédération" in page.content()
    assert Action.objects.get(titre=TITLE).state == Action.State.SOUMISE

    # Not yet public.
    page.goto(f"{base}/actions/")
    assert TITLE not in page.content()

    # The centre cannot open another centre's draft.
    response = page.goto(f"{base}/admin/actions/action/{accounts['other_draft'].pk}/change/")
    assert response.status == 404
    assert "Brouillon du Voisin" not in page.content()

    # The federation finds it in its moderation queue and publishes it.
    log_in(page, base, accounts["federation"])
    page.goto(f"{base}/admin/actions/action/moderation/")
    page.click(f"text={TITLE}")
    page.click("button[name=_transition][value=publish]")
    page.wait_for_url(f"{base}/admin/actions/action/")
    action = Action.objects.get(titre=TITLE)
    assert action.state == Action.State.PUBLIEE
    assert action.history.latest().history_user == User.objects.get(username="federation")

    # The public sees it.
    page.context.clear_cookies()
    page.goto(f"{base}/actions/")
    assert TITLE in page.content()


def test_send_back_needs_a_comment_and_the_centre_sees_it_at_the_top(page, live_server, accounts):
    base = live_server.url
    action = ActionFactory(titre=TITLE, structure=accounts["centre"].memberships.get().structure, state="soumise")
    log_in(page, base, accounts["federation"])
    page.goto(f"{base}/admin/actions/action/{action.pk}/change/")
    page.click("button[name=_transition][value=send_back]")
    error = page.locator(".field-commentaire_moderation .errorlist")
    assert "expliquez-lui" in error.inner_text()
    assert Action.objects.get(pk=action.pk).state == Action.State.SOUMISE
    page.fill("#id_commentaire_moderation", "Précisez le public visé.")
    page.click("button[name=_transition][value=send_back]")
    page.wait_for_url(f"{base}/admin/actions/action/")
    assert "renvoyée au centre" in page.content()

    log_in(page, base, accounts["centre"])
    page.goto(f"{base}/admin/actions/action/")
    assert page.locator(".workflow-a-corriger").count() == 1
    page.goto(f"{base}/admin/actions/action/{action.pk}/change/")
    notice = page.locator(".workflow-notice.workflow-a-corriger")
    assert "Précisez le public visé." in notice.inner_text() and "federation" in notice.inner_text()
    page.click("button[name=_transition][value=submit]")
    page.wait_for_url(f"{base}/admin/actions/action/")
    assert Action.objects.get(pk=action.pk).state == Action.State.SOUMISE
