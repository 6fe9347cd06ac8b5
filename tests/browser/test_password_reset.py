"""In a real browser, at 1280 and 375 px: « Mot de passe oublié ? » from the login page to a new password, with the
keyboard; axe-core finds nothing, the Nu HTML checker no error, the Content-Security-Policy blocks nothing."""

import re

import pytest

from notifications.models import OutgoingEmail
from structures.models import Departement
from tests.accounts.factories import centre_user
from tests.browser.conftest import run_axe, run_vnu
from tests.structures.factories import StructureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "une phrase facile à retenir"


@pytest.mark.parametrize("width", [1280, 375])
def test_a_person_chooses_a_new_password_from_the_login_page(page, live_db, tmp_path, width):
    base = live_db.url
    page.set_viewport_size({"width": width, "height": 900})
    user = centre_user(StructureFactory(departement=Departement.objects.get(code="49")), username="centre")
    problems, documents = [], {}
    # CSP messages of the pages themselves; axe-core, evaluated by the test (no source URL), sets styles of its own.
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text and message.location.get("url")
            else None
        ),
    )

    def check(name):
        found = run_axe(page, ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
        problems.extend(f"{name}: axe {violation['id']} {violation['nodes']}" for violation in found)
        documents[name] = page.content()

    page.goto(f"{base}/admin/login/")
    page.click("text=Mot de passe oublié")
    page.wait_for_url(f"{base}/admin/password_reset/")
    check("formulaire")
    page.focus("#id_email")
    page.keyboard.type(user.email)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/admin/password_reset/done/")
    check("envoye")

    link = re.search(r"https?://[^/\s]+(/admin/reset/\S+/)", OutgoingEmail.objects.get().body_text).group(1)
    page.goto(base + link)
    page.wait_for_selector("text=Choisissez un nouveau mot de passe")
    check("nouveau")
    page.fill("#id_new_password1", "court")
    page.fill("#id_new_password2", "court")
    page.keyboard.press("Enter")
    page.wait_for_selector(".errorlist")
    check("erreur")
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/admin/reset/done/")
    check("enregistre")

    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", NEW_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/admin/")
    assert problems == [], "\n".join(problems)
    assert run_vnu(documents, tmp_path) == []
