"""The invitation e-mails go through the outbox to a real SMTP server (aiosmtpd): the link they carry works once."""

import re

from django.contrib.auth.models import User

from accounts import invitations
from notifications import outbox
from structures.models import Departement
from tests.accounts.factories import PASSWORD, centre_user, federation_user
from tests.structures.factories import StructureFactory


def test_invitation_delivered_with_a_working_link(db, smtp, client):
    structure = StructureFactory(nom="Centre social Les Tilleuls", departement=Departement.objects.get(code="49"))
    federation = federation_user(departements=["49"], username="fede49", first_name="Alice", last_name="Fédé")
    invitations.invite(federation, email="nouvelle@example.org", role="centre", structures=[structure])
    report = outbox.send_pending()
    assert len(report.sent) == 1
    (received,) = smtp.inbox.to("nouvelle@example.org")
    assert received.subject.startswith("Invitation\u202f: rejoindre l’équipe de Centre social Les Tilleuls")
    assert "Alice Fédé vous invite" in received.text and "Alice Fédé vous invite" in received.html
    link = re.search(r"https://fiches\.example\.org(/compte/invitation/[^/\s]+/)", received.text).group(1)
    assert link in received.html
    response = client.post(link, {"username": "nouvelle", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(username="nouvelle").memberships.get().structure == structure
    assert client.get(link).status_code == 410


def test_existing_account_is_told_its_new_role(db, smtp):
    structure = StructureFactory(nom="Centre social Le Voisin", departement=Departement.objects.get(code="49"))
    other = StructureFactory(nom="Centre social Les Tilleuls", departement=Departement.objects.get(code="49"))
    existing = centre_user(other, username="camille", email="camille@example.org")
    federation = federation_user(departements=["49"], username="fede49")
    invitations.invite(federation, email="Camille@Example.org", role="centre", structures=[structure])
    outbox.send_pending()
    (received,) = smtp.inbox.to("Camille@Example.org")
    assert received.subject.startswith("Accès ajouté")
    assert "Vous gardez votre compte (camille)" in received.text
    assert "/compte/invitation/" not in received.text
    assert set(existing.memberships.values_list("structure__nom", flat=True)) == {structure.nom, other.nom}
