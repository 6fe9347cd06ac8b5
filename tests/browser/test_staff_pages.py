"""The staff pages are checked like the public ones: axe-core 0 violations and the Nu HTML checker 0 errors on the
back-office home (centre and federation), the fiche list, the fiche form, the moderation queue, the invitation form
and « Mon équipe », at 1280 and 375 px."""

import re

import pytest

from accounts import invitations
from actions.models import Action
from notifications.models import OutgoingEmail
from structures.models import Departement
from tests.accounts.factories import centre_user, federation_user
from tests.actions.factories import ActionFactory
from tests.browser.conftest import log_in, run_axe, run_vnu
from tests.structures.factories import StructureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 375]


@pytest.fixture
def staff(live_db):
    maine_et_loire = Departement.objects.get(code="49")
    mine = StructureFactory(nom="Centre social Les Tilleuls", departement=maine_et_loire)
    draft = ActionFactory(titre="Atelier cuisine", structure=mine, state=Action.State.BROUILLON)
    Action.objects.filter(pk=draft.pk).update(commentaire_moderation="Précisez le public.")
    ActionFactory(titre="Jardin partagé", structure=mine, state=Action.State.SOUMISE)
    ActionFactory(titre="Fête de quartier", structure=mine, state=Action.State.PUBLIEE)
    return {
        "centre": centre_user(mine, username="centre"),
        "federation": federation_user(departements=["49"], username="federation"),
        "draft": draft,
        "mine": mine,
    }


PAGES = {
    "centre": {
        "accueil-centre": "/admin/",
        "liste": "/admin/actions/action/",
        "fiche-ajout": "/admin/actions/action/add/",
        "fiche": "/admin/actions/action/{draft}/change/",
        "invitation-centre": "/admin/inviter/",
    },
    "federation": {
        "accueil-federation": "/admin/",
        "moderation": "/admin/actions/action/moderation/",
        "invitation": "/admin/inviter/",
        "equipe": "/admin/equipe/",
    },
}


def test_staff_pages_pass_axe_and_vnu(page, live_server, staff, tmp_path):
    base = live_server.url
    violations, documents = {}, {}
    for role, pages in PAGES.items():
        log_in(page, base, staff[role])
        for name, path in pages.items():
            url = base + path.format(draft=staff["draft"].pk)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(url)
                assert response.status == 200, url
                for violation in run_axe(page):
                    violations.setdefault(f"{violation['id']}: {violation['help']}", set()).update(
                        f"{name} {width}px: {node}" for node in violation["nodes"][:3]
                    )
            documents[name] = response.text()
    assert not violations, "\n".join(f"{rule}\n  " + "\n  ".join(sorted(nodes)) for rule, nodes in violations.items())
    # The public page that accepts an invitation, and the one that says a link is not valid.
    page.context.clear_cookies()
    invitations.invite(staff["federation"], email="nouvelle@example.org", role="centre", structures=[staff["mine"]])
    link = re.search(r"/compte/invitation/[^/\s]+/", OutgoingEmail.objects.latest("pk").body_text).group(0)
    for name, path, status in [
        ("invitation-accepter", link, 200),
        ("invitation-invalide", "/compte/invitation/x/", 404),
    ]:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(base + path)
            assert response.status == status
            for violation in run_axe(page):
                violations.setdefault(f"{violation['id']}: {violation['help']}", set()).add(f"{name} {width}px")
        documents[name] = response.text()
    assert not violations, violations
    errors = run_vnu(documents, tmp_path)
    assert not errors, "\n".join(f"{e['file']}:{e['line']}: {e['message']} [{e['extract']}]" for e in errors)


def test_fiche_list_fits_at_1280_and_375(page, live_server, staff):
    base = live_server.url
    log_in(page, base, staff["federation"])
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/admin/actions/action/")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{width}px: {overflow}px of sideways scrolling"
        state = page.locator("#result_list td.field-etat").first
        box = state.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, f"{width}px: the state column is off-screen"
