"""The outbox: messages are written in the caller's transaction, then sent after it commits or later.

- `enqueue` writes the rows: if the caller's transaction rolls back, they vanish and nothing is sent;
- after the commit, one quick attempt (short SMTP timeout; skipped for a minute after the server could not be
  reached, so that a bulk action does not wait on a dead server once per fiche);
- `send_pending` (the `send_emails` command, from cron) sends what is due, and schedules what fails again after
  a delay that doubles each time, until EMAIL_MAX_ATTEMPTS, when the message is given up.

Rows are claimed with `SELECT … FOR UPDATE SKIP LOCKED` and stay locked while they are sent: two senders at once
(the command and a request's attempt, or two cron runs) never send the same message. A process killed between
the SMTP server's acceptance and the commit sends that message again on the next run: at least once, never lost.
"""

import logging
import smtplib
import time
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from notifications.models import OutgoingEmail

logger = logging.getLogger(__name__)

IMMEDIATE_TIMEOUT = 5  # seconds: the attempt made for a request, which a person is waiting for
PAUSE_AFTER_UNREACHABLE = 60  # seconds without immediate attempts once the server could not be reached
BATCH_SIZE = 50
_unreachable_since = None  # time.monotonic() of this process's last failed connection, None if none


@dataclass
class Message:
    recipient: str
    subject: str
    body_text: str
    body_html: str
    user: object = None


@dataclass
class SendReport:
    sent: list = field(default_factory=list)
    retried: list = field(default_factory=list)  # failed this time, tried again later
    given_up: list = field(default_factory=list)  # failed for the last time

    def add(self, email):
        if email.status == OutgoingEmail.Status.SENT:
            self.sent.append(email)
        elif email.given_up:
            self.given_up.append(email)
        else:
            self.retried.append(email)


def enqueue(messages, *, send_after_commit=True):
    """Write `messages` to the outbox in the current transaction; try to send them once it commits (unless the
    caller sends them itself, as the digest command does)."""
    emails = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(
            recipient=message.recipient,
            user=message.user,
            subject=" ".join(message.subject.splitlines()),  # one line: a header never holds a newline
            body_text=message.body_text,
            body_html=message.body_html,
        )
        for message in messages
    )
    if emails and send_after_commit:
        transaction.on_commit(partial(send_now, [email.pk for email in emails]), robust=True)
    return emails


def send_now(ids):
    """The attempt made right after the commit, unless the server was unreachable a moment ago."""
    if _unreachable_since is not None and time.monotonic() - _unreachable_since < PAUSE_AFTER_UNREACHABLE:
        return SendReport()
    return send_pending(ids=ids, timeout=min(IMMEDIATE_TIMEOUT, settings.EMAIL_TIMEOUT))


def send_pending(*, ids=None, now=None, without_waiting=False, timeout=None):
    """Send the pending messages that are due (all pending ones with `without_waiting`), or only those of `ids`.

    Each message is tried at most once per call. Returns what was sent, what will be tried again, what was given up.
    """
    now = now or timezone.now()
    report = SendReport()
    tried = set()
    while True:
        with transaction.atomic():
            pending = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)
            if not without_waiting:
                pending = pending.filter(next_attempt_at__lte=now)
            if ids is not None:
                pending = pending.filter(pk__in=ids)
            batch = list(
                pending.exclude(pk__in=tried)
                .select_for_update(skip_locked=True)
                .order_by("next_attempt_at", "pk")[:BATCH_SIZE]
            )
            if not batch:
                return report
            _deliver(batch, now, timeout)
            OutgoingEmail.objects.bulk_update(batch, ["status", "attempts", "next_attempt_at", "last_error", "sent_at"])
        for email in batch:
            tried.add(email.pk)
            report.add(email)
            _log(email)


def _deliver(batch, now, timeout):
    """Send `batch` over one SMTP connection; each message records its own success or failure."""
    global _unreachable_since
    connection = get_connection(timeout=timeout or settings.EMAIL_TIMEOUT)
    try:
        connection.open()
    except Exception as error:  # refused, timed out, TLS or login failure: all wait for a retry
        _unreachable_since = time.monotonic()
        for email in batch:
            email.mark_failed_attempt(now, error)
        return
    _unreachable_since = None
    try:
        for email in batch:
            try:
                sent = connection.send_messages([_as_message(email, connection)])
            except Exception as error:  # one bad message never stops the others
                email.mark_failed_attempt(now, error, permanent=_refused_for_good(error))
            else:
                if sent:
                    email.mark_sent(timezone.now())
                else:
                    email.mark_failed_attempt(now, RuntimeError("le serveur n’a pas accepté le message"))
    finally:
        try:
            connection.close()
        except Exception:  # the messages are sent; a failed QUIT changes nothing
            logger.warning("SMTP connection not closed cleanly", exc_info=True)


def _as_message(email, connection):
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
        connection=connection,
        # RFC 3834: automatic replies (absence notices) are not sent back to an automatic message.
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(email.body_html, "text/html")
    return message


def _refused_for_good(error):
    """The server refused the address with a permanent (5xx) code: retrying will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    return False


def _log(email):
    if email.status == OutgoingEmail.Status.SENT:
        return
    level = logging.ERROR if email.given_up else logging.WARNING
    logger.log(
        level,
        "E-mail %s to %s %s after %d attempt(s): %s",
        email.pk,
        email.recipient,
        "given up" if email.given_up else f"to be retried at {email.next_attempt_at.isoformat()}",
        email.attempts,
        email.last_error,
    )
