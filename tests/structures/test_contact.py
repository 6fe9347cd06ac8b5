"""« Contacter la structure » (structures/contact.py): the public contact on the fiche and structure pages, or a form
relayed by e-mail to the structure's team through the outbox (a real SMTP server, tests/notifications)."""

import pytest

from notifications.models import OutgoingEmail
from structures.models import Commune
from tests.accounts.factories import centre_user, federation_user
from tests.actions.factories import ActionFactory
from tests.notifications.conftest import _reachable_until_proven_otherwise, smtp  # noqa: F401 - fixtures
from tests.structures.factories import StructureFactory

MESSAGE = {"nom": "Alex Dupont", "email": "alex@example.net", "message": "Bonjour,\nl’atelier a-t-il lieu en été ?"}


@pytest.fixture
def silent(db):
    """A structure that makes no contact public, with a team of two (one without an e-mail address)."""
    structure = StructureFactory(nom="Centre social Discret")
    centre_user(structure, username="equipe")
    centre_user(structure, username="sansadresse", email="")
    return structure


def contact_url(structure):
    return f"/structures/{structure.slug}/contact/"


def test_public_contact_on_the_structure_and_fiche_pages(client, db):
    structure = StructureFactory(
        nom="Centre social Ouvert",
        adresse="3 rue des Lilas",
        commune=Commune.objects.get(code="49007"),
        code_postal="49100",
        telephone="02 41 00 00 00",
        email="accueil@example.org",
        site_web="https://ouvert.example.org",
        horaires="Du lundi au vendredi, 9 h – 18 h",
    )
    action = ActionFactory(structure=structure)
    for url in (structure.get_absolute_url(), action.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "Contacter la structure" in page
        assert 'href="tel:0241000000"' in page and 'href="mailto:accueil@example.org"' in page
        assert "Du lundi au vendredi, 9 h – 18 h" in page and "49100 Angers" in page
        assert "contact-form" not in page


def test_without_public_contact_a_form(client, silent):
    action = ActionFactory(structure=silent)
    page = client.get(action.get_absolute_url()).content.decode()
    assert f'action="{contact_url(silent)}"' in page and "equipe@example.org" not in page


def test_the_message_is_relayed_to_the_team_through_the_outbox(
    client,
    silent,
    smtp,  # noqa: F811 - the fixture
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(contact_url(silent), MESSAGE)
    assert response.status_code == 200
    assert "Votre message a été transmis" in response.content.decode()
    assert list(OutgoingEmail.objects.values_list("recipient", flat=True)) == ["equipe@example.org"]
    (received,) = smtp.inbox.to("equipe@example.org")
    assert "Centre social Discret" in received.subject
    assert "alex@example.net" in received.text and "l’atelier a-t-il lieu en été ?" in received.text


def test_no_team_relays_to_the_federation(client, db):
    structure = StructureFactory(nom="Centre social Seul")
    federation_user(departements=["49"], username="fede49")
    client.post(contact_url(structure), MESSAGE)
    assert list(OutgoingEmail.objects.values_list("recipient", flat=True)) == ["fede49@example.org"]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"email": "pas-une-adresse", "message": "Bonjour"},
        {"email": "alex@example.net", "message": "x" * 5000},
        {"email": "alex@example.net\x00", "message": "Bonjour\x00"},
        {"email": ["a@example.net", "b@example.net"], "message": ["un", "deux"], "nom": "é" * 500},
    ],
)
def test_bad_input_is_a_french_message_never_a_500(client, silent, data):
    response = client.post(contact_url(silent), data)
    assert response.status_code == 400
    assert "Le message n’est pas parti" in response.content.decode()
    assert not OutgoingEmail.objects.exists()


def test_honeypot_sends_nothing(client, silent):
    response = client.post(contact_url(silent), {**MESSAGE, "site_internet": "https://spam.example"})
    assert response.status_code == 200 and not OutgoingEmail.objects.exists()


def test_rate_limited_per_address(client, silent, settings):
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_CONTACT_RATE = "2/3600"
    statuses = [client.post(contact_url(silent), MESSAGE).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert OutgoingEmail.objects.count() == 2


def test_no_form_when_the_contact_is_public(client, db):
    structure = StructureFactory(telephone="02 41 00 00 00")
    centre_user(structure, username="equipe2")
    response = client.post(contact_url(structure), MESSAGE)
    assert response.status_code == 200 and not OutgoingEmail.objects.exists()
    assert client.get("/structures/inconnue/contact/").status_code == 404
