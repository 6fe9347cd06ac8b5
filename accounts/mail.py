"""Account e-mails (password reset, invitations…), rendered from templates and queued in the notifications outbox.

Never `send_mail`: the message is written in the caller's transaction and sent after it commits (see
notifications/outbox.py), so a rolled-back invitation sends nothing and a failed send is retried.

API:

    from accounts.mail import queue_account_email
    queue_account_email(
        to=user.email,                      # the address
        subject="Votre invitation",         # one line; the site name is not added
        template="accounts/email/invitation",  # renders …/invitation.txt and …/invitation.html
        context={"link": absolute_url(path), "user": user},
        user=user,                          # optional: the account the message is about
    )

`absolute_url(path)` turns a path into a link for an e-mail (settings.SITE_URL). The templates get the context
plus `subject`, `site_url` and `nnbsp` (narrow no-break space before « : »); HTML ones usually extend
"email/layout.html" (blocks `content`, `footer`), text ones "email/layout.txt".
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from notifications.outbox import Message, enqueue
from notifications.services import absolute_url  # noqa: F401  (part of this module's API, see above)

NNBSP = "\u202f"


def render_account_email(*, to, subject, template, context=None, user=None):
    """The `Message` (not queued): `template`.txt and `template`.html rendered with `context`."""
    context = {**(context or {}), "subject": subject, "site_url": settings.SITE_URL, "nnbsp": NNBSP}
    with translation.override(settings.LANGUAGE_CODE):
        return Message(
            recipient=to,
            subject=subject,
            body_text=render_to_string(f"{template}.txt", context),
            body_html=render_to_string(f"{template}.html", context),
            user=user,
        )


def queue_account_email(*, to, subject, template, context=None, user=None):
    """Render and queue one account e-mail in the current transaction; returns the OutgoingEmail row."""
    (email,) = enqueue([render_account_email(to=to, subject=subject, template=template, context=context, user=user)])
    return email
