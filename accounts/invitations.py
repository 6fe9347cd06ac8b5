"""Invitations: create one (or give the role at once to an existing account), read a link, accept it.

The link's secret is random (`secrets`), sent once by e-mail, stored only as its SHA-256. A link is refused if it
was forged, already used or expired; `check_token` says which, so the page can say what to do.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts import audit, perms
from accounts.mail import absolute_url, render_account_email
from accounts.models import FederationScope, Invitation, StructureMembership
from notifications.outbox import enqueue

VALID_DAYS = getattr(settings, "INVITATION_VALID_DAYS", 7)
NNBSP = "\u202f"

FORGED, USED, EXPIRED = "forged", "used", "expired"


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def find_account(email):
    return get_user_model().objects.filter(email__iexact=email.strip()).order_by("pk").first()


def display_name(user):
    if user is None:
        return "La fédération"
    return user.get_full_name() or user.get_username()


def what_is_granted(invitation):
    """« l’équipe de Centre social X » / « la fédération, pour Maine-et-Loire »: for the e-mail and the pages."""
    if invitation.role == Invitation.Role.CENTRE:
        names = ", ".join(structure.nom for structure in invitation.structures.all())
        return f"l’équipe de {names}"
    if invitation.national:
        return "la fédération, pour tout le territoire national"
    places = [region.nom for region in invitation.regions.all()] + [
        departement.nom for departement in invitation.departements.all()
    ]
    return f"la fédération, pour {', '.join(places)}"


@transaction.atomic
def invite(inviter, *, email, role, structures=(), national=False, regions=(), departements=()):
    """Record an invitation and queue its e-mail, in one transaction. The caller has checked
    `perms.invitation_error`. An address that already has an account gets the role at once (and an e-mail
    saying so): returns (invitation, existing_account_or_None)."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email.strip(),
        role=role,
        national=national,
        invited_by=inviter,
        token_hash=token_hash(token),
        expires_at=timezone.now() + timedelta(days=VALID_DAYS),
    )
    invitation.structures.set(structures)
    invitation.regions.set(regions)
    invitation.departements.set(departements)
    account = find_account(email)
    granted = what_is_granted(invitation)
    if account is not None:
        grant(invitation, account)
        invitation.user = account
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["user", "accepted_at"])
        enqueue([role_added_message(invitation, account)])
        audit.record(audit.Kind.INVITATION, actor=inviter, user=account, detail=f"rôle ajouté : {granted}")
    else:
        enqueue([invitation_message(invitation, token)])
        audit.record(
            audit.Kind.INVITATION, actor=inviter, detail=f"invitation envoyée à {invitation.email} : {granted}"
        )
    return invitation, account


def grant(invitation, user):
    """Give `user` the invitation's role: memberships, or a federation scope (extended if they had one)."""
    if invitation.role == Invitation.Role.CENTRE:
        group_name = perms.CENTRE_GROUP
        for structure in invitation.structures.all():
            StructureMembership.objects.get_or_create(user=user, structure=structure)
    else:
        group_name = perms.FEDERATION_GROUP
        scope, _ = FederationScope.objects.get_or_create(user=user)
        if invitation.national and not scope.national:
            scope.national = True
            scope.save(update_fields=["national"])
        scope.regions.add(*invitation.regions.all())
        scope.departements.add(*invitation.departements.all())
    group, _ = Group.objects.get_or_create(name=group_name)
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    perms.forget_scope(user)


def check_token(token):
    """(invitation, None) for a valid link, else (invitation_or_None, FORGED | USED | EXPIRED)."""
    invitation = (
        Invitation.objects.select_related("invited_by").filter(token_hash=token_hash(token or "")).first()
        if token and len(token) < 100
        else None
    )
    if invitation is None:
        return None, FORGED
    if invitation.accepted_at is not None:
        return invitation, USED
    if invitation.expires_at <= timezone.now():
        return invitation, EXPIRED
    return invitation, None


@transaction.atomic
def accept(token, *, username, first_name, last_name, password):
    """Create the account of a valid invitation and give it the role. Returns the user, or None if the link is no
    longer valid (used meanwhile: the row is locked, so two clicks create one account)."""
    invitation = Invitation.objects.select_for_update().filter(token_hash=token_hash(token)).first()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= timezone.now():
        return None
    user = get_user_model().objects.create_user(
        username=username, email=invitation.email, password=password, first_name=first_name, last_name=last_name
    )
    grant(invitation, user)
    invitation.user = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["user", "accepted_at"])
    audit.record(
        audit.Kind.INVITATION, actor=user, user=user, detail=f"invitation acceptée : {what_is_granted(invitation)}"
    )
    return user


# E-mails.


def _message(invitation, recipient, subject, template, context):
    context = {**context, "granted": what_is_granted(invitation)}
    context["inviter"] = display_name(invitation.invited_by)
    context["inviter_email"] = invitation.invited_by.email if invitation.invited_by else ""
    return render_account_email(
        to=invitation.email, subject=subject, template=f"accounts/email/{template}", context=context, user=recipient
    )


def invitation_message(invitation, token):
    url = absolute_url(reverse("accounts:invitation", args=[token]))
    subject = f"Invitation{NNBSP}: rejoindre {what_is_granted(invitation)} sur les fiches action des centres sociaux"
    with translation.override("fr"):
        expires = timezone.localtime(invitation.expires_at)
    return _message(invitation, None, subject, "invitation", {"url": url, "expires": expires})


def role_added_message(invitation, account):
    url = absolute_url(reverse("admin:index"))
    subject = f"Accès ajouté{NNBSP}: {what_is_granted(invitation)}"
    return _message(invitation, account, subject, "role_added", {"url": url, "account": account})
