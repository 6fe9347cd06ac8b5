"""Who is told what when a fiche changes state, and the messages that tell them.

The workflow calls `notify_transition` in the writer's transaction, right after applying a transition:

- a fiche (or a revision) submitted: the federation staff whose territory covers the structure, the closest level
  only: the départemental federation's staff; if the département has none, the régional one's; if the région has
  none either, the national federation's (national staff are not told of every submission in the country);
- published, sent back (with the comment), unpublished, archived, and their revision variants: the structure's team;
- put back into draft: the structure's team when someone outside it (the federation) did it, nobody when the
  centre withdrew its own submission.

The person who fired the transition is never told. Inactive accounts are not told; superusers only through a
federation scope or a membership of their own. Someone without an e-mail address is skipped, and that is logged.
Each person's `NotificationPreference` says: a message now, a line in the daily digest (`send_digests`), or nothing.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from notifications.models import Notification, NotificationPreference
from notifications.outbox import Message, enqueue

logger = logging.getLogger(__name__)

FEDERATION, TEAM = "federation", "team"
NNBSP = "\u202f"  # narrow no-break space, before « : ; ? ! » in French


def quoted(text):
    return f"«\u00a0{text}\u00a0»"


@dataclass(frozen=True)
class Event:
    audience: str  # FEDERATION or TEAM
    singular: str  # « fiche soumise »: the subject starts with it, the digest counts with both forms
    plural: str
    sentence: str  # what happened, with {actor} and {titre}
    told_when_centre_acts: bool = True


EVENTS = {
    "submit": Event(
        FEDERATION,
        "fiche soumise",
        "fiches soumises",
        "{actor} a soumis la fiche {titre} à la fédération. Elle attend votre relecture.",
    ),
    "submit_revision": Event(
        FEDERATION,
        "révision soumise",
        "révisions soumises",
        "{actor} a soumis une révision de la fiche publiée {titre}. Elle attend votre relecture ; "
        "le public voit la version publiée jusqu’à votre décision.",
    ),
    "publish": Event(
        TEAM,
        "fiche publiée",
        "fiches publiées",
        "{actor} a publié la fiche {titre}. Elle est maintenant visible de tous sur le catalogue.",
    ),
    "send_back": Event(
        TEAM,
        "fiche à corriger",
        "fiches à corriger",
        "{actor} a renvoyé la fiche {titre} au centre. Corrigez-la, puis soumettez-la de nouveau à la fédération.",
    ),
    "unpublish": Event(
        TEAM,
        "fiche dépubliée",
        "fiches dépubliées",
        "{actor} a dépublié la fiche {titre}. Elle n’est plus visible du public.",
    ),
    "archive": Event(
        TEAM,
        "fiche archivée",
        "fiches archivées",
        "{actor} a archivé la fiche {titre}. Elle n’est plus visible du public.",
    ),
    "to_draft": Event(
        TEAM,
        "fiche remise en brouillon",
        "fiches remises en brouillon",
        "{actor} a remis la fiche {titre} en brouillon. Vous pouvez la modifier, puis la soumettre de nouveau.",
        told_when_centre_acts=False,
    ),
    "publish_revision": Event(
        TEAM,
        "révision publiée",
        "révisions publiées",
        "{actor} a publié la révision de la fiche {titre}. La nouvelle version est en ligne.",
    ),
    "send_back_revision": Event(
        TEAM,
        "révision à corriger",
        "révisions à corriger",
        "{actor} a renvoyé la révision de la fiche {titre} au centre. Corrigez-la, puis soumettez-la de nouveau ; "
        "le public voit toujours la version publiée.",
    ),
}


def event_of(transition):
    try:
        return EVENTS[transition]
    except KeyError:
        raise ValueError(f"Unknown transition {transition!r}: expected one of {', '.join(EVENTS)}.") from None


# Recipients.


def federation_staff(structure):
    """The active federation staff of the closest level whose territory covers `structure` (see the docstring)."""
    active = get_user_model().objects.filter(is_active=True)
    departement = structure.departement
    for level in (
        Q(federation_scope__departements=departement.pk),
        Q(federation_scope__regions=departement.region_id),
        Q(federation_scope__national=True),
    ):
        users = list(active.filter(level).distinct().order_by("pk"))
        if users:
            return users
    return []


def team(structure):
    """The structure's active members."""
    return list(
        get_user_model().objects.filter(is_active=True, memberships__structure=structure).distinct().order_by("pk")
    )


def recipients(action, transition, actor):
    event = event_of(transition)
    if event.audience == FEDERATION:
        users = federation_staff(action.structure)
    else:
        users = team(action.structure)
        if not event.told_when_centre_acts and actor is not None and any(user.pk == actor.pk for user in users):
            return []
    return [user for user in users if actor is None or user.pk != actor.pk]


def notify_transition(action, transition, actor, comment=""):
    """Tell the people concerned that `actor` fired `transition` on `action`, in the caller's transaction.

    Returns the notifications written (those to be sent now are in the outbox already)."""
    users = recipients(action, transition, actor)
    frequencies = NotificationPreference.frequencies(users)
    now = timezone.now()
    notifications = []
    for user in users:
        frequency = frequencies[user.pk]
        if frequency == NotificationPreference.Frequency.NONE:
            continue
        if not user.email:
            logger.warning(
                "Notification %r of action %s not sent to user %s (%s): the account has no e-mail address",
                transition,
                action.pk,
                user.pk,
                user.get_username(),
            )
            continue
        notifications.append(
            Notification(
                user=user,
                action=action,
                transition=transition,
                actor=actor,
                comment=comment or "",
                created_at=now,
                in_digest=frequency == NotificationPreference.Frequency.DIGEST,
            )
        )
    with transaction.atomic():
        now_ones = [notification for notification in notifications if not notification.in_digest]
        emails = enqueue(immediate_message(notification) for notification in now_ones)
        for notification, email in zip(now_ones, emails, strict=True):
            notification.email = email
        Notification.objects.bulk_create(notifications)
    return notifications


def send_digests(now=None):
    """Gather the notifications waiting for a digest into one message per person, in the outbox.

    Those of someone who has since chosen « Aucun message » or has no e-mail address any more are dropped.
    Safe to run twice at once: each notification is claimed once. Returns the messages written, which the caller
    sends (`send_pending`)."""
    now = now or timezone.now()
    with transaction.atomic():
        waiting = list(
            Notification.objects.filter(in_digest=True)
            .select_related("user", "actor", "action__structure")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("user_id", "created_at", "pk")
        )
        users = {notification.user_id: notification.user for notification in waiting}
        frequencies = NotificationPreference.frequencies(list(users.values()))
        batches = []
        for user_id, group in groupby(waiting, key=lambda notification: notification.user_id):
            group = list(group)
            user = users[user_id]
            if frequencies[user_id] == NotificationPreference.Frequency.NONE:
                continue
            if not user.email:
                logger.warning(
                    "Digest of %d notification(s) not sent to user %s (%s): the account has no e-mail address",
                    len(group),
                    user.pk,
                    user.get_username(),
                )
                continue
            batches.append((user, group))
        emails = enqueue((digest_message(user, group, now) for user, group in batches), send_after_commit=False)
        for (_user, group), email in zip(batches, emails, strict=True):
            for notification in group:
                notification.email = email
        for notification in waiting:
            notification.in_digest = False
        Notification.objects.bulk_update(waiting, ["in_digest", "email"])
    return emails


# Messages.


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def preferences_url():
    return absolute_url(reverse("admin:notifications_notificationpreference_changelist"))


def display_name(user):
    return user.get_full_name() or user.get_username()


def event_context(notification):
    """What one notification says: the sentence, the comment, the link, whom to ask."""
    event = event_of(notification.transition)
    action, actor = notification.action, notification.actor
    structure = action.structure
    if actor is not None:
        who = f"{display_name(actor)} ({structure.nom if event.audience == FEDERATION else 'fédération'})"
    else:
        who = f"L’équipe de {structure.nom}" if event.audience == FEDERATION else "La fédération"
    if actor is not None and actor.email:
        contact = {"name": display_name(actor), "email": actor.email}
    elif event.audience == FEDERATION:
        contact = {"name": f"l’équipe de {structure.nom}", "email": structure.email}
    else:
        contact = {"name": "votre fédération", "email": ""}
    return {
        "sentence": event.sentence.format(actor=who, titre=quoted(action.titre)),
        "comment": notification.comment,
        "comment_author": display_name(actor) if actor is not None else who,
        "titre": action.titre,
        "url": absolute_url(reverse("admin:actions_action_change", args=[action.pk])),
        "contact": contact,
    }


def _render(subject, intro, events, reason, user):
    context = {
        "subject": subject,
        "intro": intro,
        "events": events,
        "reason": reason,
        "preferences_url": preferences_url(),
        "nnbsp": NNBSP,
    }
    with translation.override("fr"):
        return Message(
            recipient=user.email,
            user=user,
            subject=subject,
            body_text=render_to_string("notifications/email.txt", context),
            body_html=render_to_string("notifications/email.html", context),
        )


def immediate_message(notification):
    event = event_of(notification.transition)
    structure = notification.action.structure
    subject = f"{event.singular.capitalize()}{NNBSP}: {notification.action.titre} — {structure.nom}"
    if event.audience == FEDERATION:
        reason = f"Vous recevez ce message parce que {structure.nom} est dans le territoire que vous modérez."
    else:
        reason = f"Vous recevez ce message parce que vous faites partie de l’équipe de {structure.nom}."
    return _render(subject, "", [event_context(notification)], reason, notification.user)


def digest_message(user, notifications, now):
    counts = Counter(notification.transition for notification in notifications)
    summary = ", ".join(
        f"{count} {event.singular if count == 1 else event.plural}"
        for transition, event in EVENTS.items()
        if (count := counts[transition])
    )
    with translation.override("fr"):
        day = date_format(timezone.localdate(now), "j F Y")
    subject = f"Résumé du {day}{NNBSP}: {summary}"
    intro = "Voici ce qui s’est passé sur les fiches action depuis votre dernier résumé."
    reason = "Vous recevez ce résumé parce que vous avez choisi de recevoir un résumé par jour des notifications."
    return _render(subject, intro, [event_context(notification) for notification in notifications], reason, user)
