"""Who may do what: a centre's staff are members of structures, a federation's staff have a territorial scope.

The rules that use these rows live in `accounts.perms`, and nowhere else.
"""

from django.conf import settings
from django.db import models


class StructureMembership(models.Model):
    """A user working for a structure (centre social, EVS): they write and submit its actions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name="utilisateur"
    )
    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.CASCADE, related_name="memberships", verbose_name="structure"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "rattachement à une structure"
        verbose_name_plural = "rattachements à une structure"
        ordering = ["structure__nom", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure"],
                name="membership_unique_user_structure",
                violation_error_message="Cette personne est déjà rattachée à cette structure.",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.structure}"


class FederationScope(models.Model):
    """The territory a federation's staff member moderates: the whole country, or régions and départements."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="federation_scope", verbose_name="utilisateur"
    )
    national = models.BooleanField(
        "national",
        default=False,
        help_text="Cochez pour la fédération nationale : elle modère les actions de tous les départements.",
    )
    regions = models.ManyToManyField(
        "structures.Region",
        blank=True,
        related_name="federation_scopes",
        verbose_name="régions",
        help_text="Fédération régionale : tous les départements de ces régions.",
    )
    departements = models.ManyToManyField(
        "structures.Departement",
        blank=True,
        related_name="federation_scopes",
        verbose_name="départements",
        help_text="Fédération départementale : ces départements seulement.",
    )

    class Meta:
        verbose_name = "périmètre de fédération"
        verbose_name_plural = "périmètres de fédération"

    def __str__(self):
        return f"Périmètre de {self.user}"


class Invitation(models.Model):
    """An invitation to join the back-office with a role: the e-mail carries a one-time link to set a password.

    Only the SHA-256 of the link's secret is stored: a leaked database gives no usable link. Single use
    (`accepted_at`), expiring (`expires_at`); the grant rules are in `accounts.perms` (`invitation_error`)."""

    class Role(models.TextChoices):
        CENTRE = "centre", "Équipe de centre"
        FEDERATION = "federation", "Équipe de fédération"

    email = models.EmailField("adresse e-mail")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    structures = models.ManyToManyField(
        "structures.Structure", blank=True, related_name="invitations", verbose_name="structures"
    )
    national = models.BooleanField("national", default=False)
    regions = models.ManyToManyField(
        "structures.Region", blank=True, related_name="invitations", verbose_name="régions"
    )
    departements = models.ManyToManyField(
        "structures.Departement", blank=True, related_name="invitations", verbose_name="départements"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
        verbose_name="invitée par",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations_received",
        verbose_name="compte",
        help_text="Le compte créé ou complété par cette invitation.",
    )
    token_hash = models.CharField("empreinte du lien", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Invitation de {self.email} ({self.get_role_display()})"


class AuditEvent(models.Model):
    """A security-relevant event: who (the account concerned and the person acting), when, from which address.

    Written by `accounts.audit.record` only; never changed nor deleted from the back-office.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", "connexion"
        LOGIN_FAILED = "login_failed", "échec de connexion"
        LOCKOUT = "lockout", "connexion bloquée"
        LOGOUT = "logout", "déconnexion"
        ROLE_CHANGED = "role_changed", "rôle modifié"
        SCOPE_CHANGED = "scope_changed", "rattachement ou périmètre modifié"
        PASSWORD_RESET_REQUESTED = "password_reset_requested", "réinitialisation du mot de passe demandée"
        PASSWORD_RESET = "password_reset", "mot de passe réinitialisé"
        PASSWORD_CHANGED = "password_changed", "mot de passe changé par la personne"
        PASSWORD_SET_BY_ADMIN = "password_set_by_admin", "mot de passe défini par un superutilisateur"
        EXPORT = "export", "export depuis l’administration"
        INVITATION = "invitation", "invitation"
        ACCOUNT_CHANGED = "account_changed", "compte modifié"

    kind = models.CharField("événement", max_length=40, choices=Kind.choices)
    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name="compte concerné",
    )
    username = models.CharField(
        "identifiant", max_length=150, blank=True, help_text="L’identifiant saisi ou celui du compte concerné."
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    ip_address = models.CharField("adresse IP", max_length=64, blank=True)
    detail = models.TextField("détail", blank=True)

    class Meta:
        verbose_name = "événement de sécurité"
        verbose_name_plural = "journal de sécurité"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "-created_at"], name="audit_kind_date"),
            # The login throttle (accounts/throttle.py): recent failures of one identifier, of one address.
            models.Index(fields=["username", "kind", "-created_at"], name="audit_username_kind_date"),
            models.Index(fields=["ip_address", "kind", "-created_at"], name="audit_ip_kind_date"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.username or '—'}"
