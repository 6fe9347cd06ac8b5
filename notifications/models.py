"""E-mail notifications: what each person asked for, what happened to whom, and the outbox of messages to send.

A transition writes its notifications and their messages in the writer's transaction (`services.notify_transition`),
so a rolled-back transition sends nothing; messages leave after the commit or later (`outbox.send_pending`).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationPreference(models.Model):
    """How often a person wants to hear about fiches; someone without a row gets a message each time."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "Un message à chaque fois"
        DIGEST = "digest", "Un résumé par jour"
        NONE = "none", "Aucun message"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name="utilisateur",
    )
    frequency = models.CharField(
        "messages sur les fiches", max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "mes notifications"
        verbose_name_plural = "mes notifications"

    def __str__(self):
        return f"Notifications de {self.user} : {self.get_frequency_display()}"

    @classmethod
    def frequencies(cls, users):
        """{user id: frequency} for `users`, the default for those who never chose."""
        chosen = dict(cls.objects.filter(user__in=users).values_list("user_id", "frequency"))
        return {user.pk: chosen.get(user.pk, cls.Frequency.IMMEDIATE) for user in users}


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, now):
        """Pending messages whose next attempt is due at `now`."""
        return self.filter(status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now)


class OutgoingEmail(models.Model):
    """One message to one address, kept until it is sent or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "Abandonné"

    recipient = models.EmailField("destinataire")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="utilisateur",
    )
    subject = models.TextField("objet")
    body_text = models.TextField("texte")
    body_html = models.TextField("HTML")
    created_at = models.DateTimeField("créé le", default=timezone.now)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=timezone.now)
    last_error = models.TextField("dernière erreur", blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = "courriel sortant"
        verbose_name_plural = "courriels sortants"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sender's query: due pending messages, oldest first; sent ones (nearly all rows) stay out of it.
            models.Index(
                fields=["next_attempt_at", "id"], name="outgoing_email_due", condition=models.Q(status="pending")
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"

    def mark_sent(self, when):
        self.status = self.Status.SENT
        self.sent_at = when
        self.attempts += 1
        self.last_error = ""

    def mark_failed_attempt(self, now, error, *, permanent=False):
        """Count a failed attempt: try again after a delay that doubles each time, or give up after the last."""
        self.attempts += 1
        self.last_error = f"{type(error).__name__}: {error}"[:2000]
        if permanent or self.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            self.status = self.Status.FAILED
        else:
            self.next_attempt_at = now + retry_delay(self.attempts)

    @property
    def given_up(self):
        return self.status == self.Status.FAILED


def retry_delay(attempts):
    """The wait after the `attempts`-th failure: EMAIL_RETRY_DELAY, then twice as long each time, at most a day."""
    return timedelta(seconds=min(settings.EMAIL_RETRY_DELAY * 2 ** (attempts - 1), 86_400))


class Notification(models.Model):
    """Something that happened to a fiche, told to one person: now (one message) or in tomorrow's digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="destinataire"
    )
    action = models.ForeignKey(
        "actions.Action", on_delete=models.CASCADE, related_name="notifications", verbose_name="fiche"
    )
    transition = models.CharField("événement", max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    comment = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField("le", default=timezone.now)
    in_digest = models.BooleanField("attend le résumé du jour", default=False)
    email = models.ForeignKey(
        OutgoingEmail,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="courriel",
    )

    class Meta:
        verbose_name = "notification"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["user", "created_at"], name="notification_digest", condition=models.Q(in_digest=True))
        ]

    def __str__(self):
        return f"{self.transition} : {self.action} → {self.user}"
