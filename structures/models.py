import difflib

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from accounts import perms
from fcsf_actions.text import normalize_label

SLUG_MAX_LENGTH = 80


def slug_base(text):
    """The slug `text` gets before any -2, -3… suffix."""
    return slugify(text)[:SLUG_MAX_LENGTH].strip("-") or "sans-titre"


def unique_slug(model, text, *, exclude_pk=None):
    """A slug from `text` not yet used by another row of `model` (suffixes -2, -3… when taken)."""
    base = slug_base(text)
    taken = model.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    taken = set(taken.values_list("slug", flat=True))
    slug, suffix = base, 2
    while slug in taken:
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    nom = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


def match_departement(departements, text):
    """The département of `departements` named or coded by `text`, or None.

    A code matches only exactly ("73" is never "973"); a name matches whatever its case, accents,
    hyphens and apostrophes ("VAL-D’OISE" is "Val-d'Oise").
    """
    text = text.strip()
    key = normalize_label(text)
    if not key:
        return None
    by_code = next((departement for departement in departements if departement.code == text.upper()), None)
    return by_code or next(
        (departement for departement in departements if normalize_label(departement.nom) == key), None
    )


def closest_departement_names(departements, text, limit=3):
    names = {normalize_label(departement.nom): departement.nom for departement in departements}
    keys = difflib.get_close_matches(normalize_label(text), names, n=limit, cutoff=0.6)
    return [names[key] for key in keys]


class DepartementQuerySet(models.QuerySet):
    def match(self, text):
        return match_departement(self, text)

    def closest_names(self, text, limit=3):
        return closest_departement_names(self, text, limit)


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    nom = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements", verbose_name="région")

    objects = DepartementQuerySet.as_manager()

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.nom} ({self.code})"


class StructureQuerySet(models.QuerySet):
    def get_by_natural_key_or_none(self, nom, departement):
        return self.filter(departement=departement, nom_cle=normalize_label(nom)).first()

    # Back-office rules: the single source of truth is accounts.perms.
    def visible_to(self, user):
        """The structures `user` works for or whose territory they moderate."""
        return self.filter(perms.structure_visible_q(user))

    def editable_by(self, user):
        """The structures `user` may change: a federation's territory, everything for a superuser."""
        return self.filter(perms.structure_editable_q(user))

    def deletable_by(self, user):
        return self.editable_by(user)

    def in_scope(self, user):
        return self.filter(perms.territory_q(user))

    def for_actions_of(self, user):
        """The structures `user` may give an action to: their own, and their territory's."""
        return self.visible_to(user)


class Structure(models.Model):
    class Kind(models.TextChoices):
        CENTRE_SOCIAL = "centre_social", "Centre social"
        EVS = "evs", "Espace de vie sociale"
        FEDERATION = "federation", "Fédération"
        AUTRE = "autre", "Autre"

    nom = models.CharField("nom", max_length=255)
    nom_cle = models.CharField(
        "clé de rapprochement", max_length=255, editable=False, help_text="Nom sans casse, accents ni ponctuation."
    )
    slug = models.SlugField("identifiant d’URL", max_length=100, unique=True, editable=False)
    kind = models.CharField("type de structure", max_length=20, choices=Kind.choices, blank=True)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="structures", verbose_name="département"
    )
    commune = models.CharField("commune", max_length=150, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    site_web = models.URLField("site web", blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = StructureQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "nom_cle"])

    class Meta:
        verbose_name = "structure"
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "nom_cle"],
                name="structure_unique_name_per_departement",
                violation_error_message="Une structure de ce nom existe déjà dans ce département.",
            )
        ]

    def __str__(self):
        return f"{self.nom} – {self.departement.nom}"

    def save(self, *args, **kwargs):
        self.nom_cle = normalize_label(self.nom)
        if not self.slug:
            self.slug = unique_slug(Structure, f"{self.nom} {self.departement.code}")
        super().save(*args, **kwargs)

    def clean(self):
        # nom_cle is not a form field, so Django skips the unique constraint on it: check it here.
        self.nom_cle = normalize_label(self.nom)
        if self.departement_id and (
            Structure.objects.filter(departement_id=self.departement_id, nom_cle=self.nom_cle)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError({"nom": "Une structure de ce nom existe déjà dans ce département."})
