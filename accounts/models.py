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
