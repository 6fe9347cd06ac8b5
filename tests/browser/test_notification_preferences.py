"""In a real browser: « Mes notifications » is reached from the admin home, chosen with the keyboard, accessible, and
blocked by no Content-Security-Policy rule."""

import pytest

from notifications.models import NotificationPreference
from structures.models import Departement
from tests.accounts.factories import PASSWORD, centre_user
from tests.browser.conftest import run_axe
from tests.structures.factories import StructureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_centre_chooses_the_daily_digest_with_the_keyboard(page, live_db):
    base = live_db.url
    user = centre_user(StructureFactory(departement=Departement.objects.get(code="49")), username="centre")
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    page.click("text=Mes notifications")
    page.wait_for_url(f"{base}/admin/notifications/notificationpreference/")
    assert page.locator("h1").inner_text() == "Mes notifications"
    assert page.is_checked("input[value=immediate]")
    found = run_axe(page, ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    # Django's own breadcrumbs (every admin page alike) colour their links without underlining them: that is the
    # admin's style sheet, not this page; anything else is this page's.
    assert [violation for violation in found if violation["nodes"] != ['<a href="/admin/">Accueil</a>']] == []

    page.focus("input[value=immediate]")
    page.keyboard.press("ArrowDown")  # radio buttons: the arrow moves the choice
    assert page.is_checked("input[value=digest]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Vos préférences de notification sont enregistrées.")
    assert NotificationPreference.objects.get(user=user).frequency == "digest"
    assert page.is_checked("input[value=digest]")
    assert violations == []
