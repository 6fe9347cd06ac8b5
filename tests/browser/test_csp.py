"""In a real browser, the strict Content-Security-Policy blocks nothing the site itself needs: no violation on the
public pages nor on the admin pages people use (login, lists, forms, imports and exports, moderation, history).

Violations are caught from the page (`securitypolicyviolation` events, recorded by an init script, which CSP does
not apply to) and from the console."""

import pytest
from django.contrib.auth.models import User

from actions.models import Action
from tests.accounts.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, and the list of CSP violations and console errors it meets."""
    problems = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            or "Content Security Policy" in message.text
            or "Permissions-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "response",
        lambda response: problems.append(f"{response.status} {response.url}") if response.status >= 400 else None,
    )
    return page, problems


def visit(page, problems, url):
    response = page.goto(url)
    assert response.status < 400, url
    assert "Content-Security-Policy" in {name.title() for name in response.headers} or response.headers.get(
        "content-security-policy"
    )
    page.wait_for_load_state("networkidle")
    problems.extend(f"{url}: {violation}" for violation in page.evaluate("window.__cspViolations"))


def test_public_pages_raise_no_violation(watched, sample_fiches):
    page, problems = watched
    base = sample_fiches.url
    action = Action.objects.published().select_related("structure__departement").first()
    for path in [
        "/",
        "/actions/",
        "/actions/?q=jeunes",
        "/actions/?q=jeunes&dimension=citoyennete&page=1",
        action.get_absolute_url(),
        f"/structures/{action.structure.slug}/",
        f"/departements/{action.structure.departement.code}/",
        "/donnees-ouvertes/",
    ]:
        visit(page, problems, base + path)
    assert not problems, "\n".join(problems)
    # The error page too (its own 404 aside).
    page.goto(base + "/une-page-absente/")
    problems.extend(page.evaluate("window.__cspViolations"))
    assert not [problem for problem in problems if "404" not in problem], problems


def test_admin_pages_raise_no_violation(watched, sample_fiches):
    page, problems = watched
    base = sample_fiches.url
    User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    page.goto(f"{base}/admin/login/?next=/admin/")
    problems.extend(page.evaluate("window.__cspViolations"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    action = Action.objects.first()
    for path in [
        "/admin/",
        "/admin/actions/action/",
        "/admin/actions/action/?state__exact=publiee&q=jeunes",
        f"/admin/actions/action/{action.pk}/change/",
        f"/admin/actions/action/{action.pk}/history/",
        "/admin/actions/action/add/",
        "/admin/actions/action/import/",
        "/admin/actions/action/export/",
        "/admin/actions/action/import-fiches/",
        "/admin/actions/action/moderation/",
        "/admin/actions/motcle/",
        "/admin/structures/structure/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
    ]:
        visit(page, problems, base + path)
    # The widgets that script the change form: autocomplete, the selector of initiatives, the date-less form.
    page.goto(f"{base}/admin/actions/action/{action.pk}/change/")
    page.click(".field-structure .select2-selection")
    page.wait_for_selector(".select2-container--open .select2-search__field")
    problems.extend(page.evaluate("window.__cspViolations"))
    assert not problems, "\n".join(problems)
