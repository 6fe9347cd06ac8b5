import difflib

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from accounts import perms
from fcsf_actions.text import normalize_label
from structures.fields import NormalizedCharField
from structures.validators import (
    normalize_code_postal,
    normalize_phone,
    normalize_siret,
    validate_code_postal,
    validate_phone,
    validate_siret,
)

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


class CommuneQuerySet(models.QuerySet):
    def search(self, text):
        """Communes named like `text` (case, accents and hyphens ignored), or whose postcode or INSEE code starts
        with it when it is made of digits."""
        text = text.strip()
        if text.isdigit():
            return self.filter(
                Exists(CodePostal.objects.filter(commune=OuterRef("pk"), code__startswith=text))
                | Q(code__startswith=text)
            )
        return self.filter(nom_cle__contains=normalize_label(text))


class Commune(models.Model):
    """A commune of the Code officiel géographique (communes actuelles; see fixtures/referentiels/SOURCE.md)."""

    code = models.CharField("code INSEE", max_length=5, unique=True)
    nom = models.CharField("nom", max_length=100)
    nom_cle = models.CharField("clé de rapprochement", max_length=100, db_index=True, editable=False)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="communes", verbose_name="département"
    )

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["nom", "code"]

    def __str__(self):
        return f"{self.nom} ({self.departement_code})"

    def save(self, *args, **kwargs):
        self.nom_cle = normalize_label(self.nom)  # the loader, which bypasses save(), computes it the same way
        super().save(*args, **kwargs)

    @property
    def departement_code(self):
        """From the INSEE code, without a query: « 97411 » is in 974, « 2A004 » in 2A, « 69266 » in 69."""
        return self.code[:3] if self.code.startswith("97") else self.code[:2]


class CodePostal(models.Model):
    """One postcode of a commune (La Poste): a commune may have several, several communes may share one."""

    code = models.CharField("code postal", max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="codes_postaux")

    class Meta:
        verbose_name = "code postal"
        verbose_name_plural = "codes postaux"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["commune", "code"], name="code_postal_unique_per_commune")]

    def __str__(self):
        return self.code


class StructureQuerySet(models.QuerySet):
    def get_by_natural_key_or_none(self, nom, departement):
        return self.filter(departement=departement, nom_cle=normalize_label(nom)).first()

    def present_in(self, departements):
        """Structures based in one of `departements` or itinerant and serving one of their communes."""
        return self.filter(pk__in=Presence.objects.filter(departement__in=departements).values("structure_id"))

    def with_published_actions(self):
        """Annotates `has_published_actions`."""
        from actions.models import Action

        published = Action.objects.published().filter(structure=OuterRef("pk"))
        return self.annotate(has_published_actions=Exists(published))

    def with_published_count(self):
        """Annotates `published_count`, the number of published actions: counted per structure (a correlated
        subquery on the actions' structure index), not by joining every published action (0.16 s at 100,000)."""
        from actions.models import Action

        published = Action.objects.published().filter(structure=OuterRef("pk")).order_by()
        counted = published.values("structure").annotate(n=Count("pk")).values("n")
        return self.annotate(published_count=Coalesce(Subquery(counted), 0))

    # Back-office rules: the single source of truth is accounts.perms.
    def visible_to(self, user):
        """The structures `user` works for or whose territory they moderate."""
        return self.filter(perms.structure_visible_q(user))

    def editable_by(self, user):
        """The structures `user` may change: their own (its identity), a federation's territory, all for a superuser."""
        return self.filter(perms.structure_editable_q(user))

    def deletable_by(self, user):
        return self.filter(perms.structure_deletable_q(user))

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

    class ModeGestion(models.TextChoices):
        ASSOCIATIF = "associatif", "Associatif"
        COLLECTIVITE = "collectivite", "Collectivité locale"
        CAF = "caf", "CAF en gestion directe"
        AUTRE = "autre", "Autre"

    class TypeTerritoire(models.TextChoices):
        URBAIN = "urbain", "Urbain"
        RURAL = "rural", "Rural"

    nom = models.CharField("nom", max_length=255)
    nom_cle = models.CharField(
        "clé de rapprochement", max_length=255, editable=False, help_text="Nom sans casse, accents ni ponctuation."
    )
    slug = models.SlugField("identifiant d’URL", max_length=100, unique=True, editable=False)
    kind = models.CharField("type de structure", max_length=20, choices=Kind.choices, blank=True)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="structures", verbose_name="département"
    )
    membre_federation = models.BooleanField(
        "adhérente à la fédération", null=True, blank=True, help_text="Laisser « Inconnu » si vous ne savez pas."
    )

    adresse = models.CharField(
        "adresse", max_length=255, blank=True, help_text="Numéro et voie, lieu-dit ; sans la commune."
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="structures",
        verbose_name="commune",
        help_text="Une commune du département de la structure (liste officielle de l’INSEE).",
    )
    code_postal = NormalizedCharField(
        "code postal",
        max_length=5,
        blank=True,
        normalize=normalize_code_postal,
        validators=[validate_code_postal],
        help_text="Un des codes postaux de la commune ; rempli d’office si la commune n’en a qu’un.",
    )
    telephone = NormalizedCharField(
        "téléphone",
        max_length=14,
        blank=True,
        normalize=normalize_phone,
        validators=[validate_phone],
        help_text="Le numéro de l’accueil, p. ex. 02 41 00 00 00 (pas celui d’une personne).",
    )
    email = models.EmailField(
        "adresse électronique", blank=True, help_text="L’adresse de l’accueil (pas celle d’une personne)."
    )
    site_web = models.URLField("site web", blank=True)
    horaires = models.TextField(
        "horaires d’ouverture",
        blank=True,
        max_length=1000,
        help_text="Ceux de l’accueil, publiés sur la page de la structure, p. ex. « du lundi au vendredi, 9 h – 12 h "
        "et 14 h – 18 h ».",
    )

    siret = NormalizedCharField(
        "SIRET",
        max_length=14,
        blank=True,
        normalize=normalize_siret,
        validators=[validate_siret],
        help_text="14 chiffres, espaces permis (p. ex. 123 456 789 00012).",
    )
    date_premier_agrement = models.DateField(
        "date du premier agrément CAF", null=True, blank=True, help_text="Pour un centre social ou un EVS."
    )
    mode_gestion = models.CharField("mode de gestion", max_length=20, choices=ModeGestion.choices, blank=True)
    type_territoire = models.CharField("type de territoire", max_length=10, choices=TypeTerritoire.choices, blank=True)
    population = models.PositiveIntegerField(
        "population du territoire",
        null=True,
        blank=True,
        validators=[MaxValueValidator(20_000_000)],
        help_text="Nombre d’habitants de la zone d’influence de la structure.",
    )
    qpv = models.BooleanField(
        "située en quartier prioritaire (QPV)",
        null=True,
        blank=True,
        help_text="Quartier prioritaire de la politique de la ville.",
    )
    itinerante = models.BooleanField(
        "itinérante",
        default=False,
        help_text="Elle va à la rencontre des habitants (bus, camping-car, triporteur…) : "
        "indiquez les communes desservies.",
    )
    communes_desservies = models.ManyToManyField(
        Commune,
        blank=True,
        related_name="structures_itinerantes",
        verbose_name="communes desservies",
        help_text="Pour une structure itinérante : elle figure aussi sur la page du département de ces communes.",
    )
    multi_sites = models.BooleanField("multi-sites", default=False, help_text="Elle accueille en plusieurs lieux.")

    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = StructureQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["updated_at", "nom_cle"],
        m2m_fields=["communes_desservies"],
        verbose_name="version passée de la structure",
        verbose_name_plural="versions passées des structures",
    )

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

    def get_absolute_url(self):
        return reverse("structures:structure", kwargs={"slug": self.slug})

    @property
    def siret_display(self):
        """« 123 456 789 00012 »: SIREN in groups of three, then the establishment's number."""
        siret = self.siret
        return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}" if len(siret) == 14 else siret

    @property
    def telephone_uri(self):
        """For a tel: link, the national number without spaces (overseas numbers too, unlike a +33 form)."""
        return self.telephone.replace(" ", "")

    def clean(self):
        errors = {}
        # nom_cle is not a form field, so Django skips the unique constraint on it: check it here.
        self.nom_cle = normalize_label(self.nom)
        if self.departement_id and (
            Structure.objects.filter(departement_id=self.departement_id, nom_cle=self.nom_cle)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["nom"] = "Une structure de ce nom existe déjà dans ce département."
        errors.update(self.address_errors())
        if errors:
            raise ValidationError(errors)

    def address_errors(self):
        """{field: French message} for a commune outside the département or a postcode not of the commune.

        Fills in the postcode when the commune has only one."""
        if self.commune_id is None:
            if self.code_postal:
                return {"commune": f"Indiquez la commune du code postal {self.code_postal}."}
            return {}
        commune = self.commune
        if self.departement_id and commune.departement_id != self.departement_id:
            return {
                "commune": f"La commune {commune.nom} est dans le département {commune.departement_code}, "
                f"pas dans celui de la structure ({self.departement.code}) : choisissez une commune de ce "
                "département, ou demandez à votre fédération de changer le département."
            }
        codes = list(commune.codes_postaux.values_list("code", flat=True))
        if not self.code_postal and len(codes) == 1:
            self.code_postal = codes[0]
        if self.code_postal and self.code_postal not in codes:
            return {
                "code_postal": f"Le code postal {self.code_postal} n’appartient pas à {commune.nom} "
                f"({', '.join(codes)}) : corrigez le code postal ou la commune."
            }
        return {}

    def missing_identity_fields(self):
        """The labels of the identity fields still empty, for the staff to complete (never shown to the public)."""
        wanted = ["kind", "adresse", "commune", "code_postal", "telephone", "email", "siret", "mode_gestion"]
        wanted += ["type_territoire", "population"]
        if self.kind != self.Kind.FEDERATION:
            wanted.append("membre_federation")
        if self.kind in (self.Kind.CENTRE_SOCIAL, self.Kind.EVS, ""):
            wanted += ["date_premier_agrement", "qpv"]
        fields = [self._meta.get_field(name) for name in wanted]
        missing = [field.verbose_name for field in fields if getattr(self, field.attname) in (None, "")]
        if self.itinerante and self.pk and not self.communes_desservies.exists():
            missing.append(self._meta.get_field("communes_desservies").verbose_name)
        return missing


class Presence(models.Model):
    """Where a structure is present: its own département, and, if itinerant, those of the communes it serves.

    A database view (migration 0006), read-only: one definition for the département pages, the directory's filters
    and their counts. Its columns come from structure.id, structure.departement_id, structure.itinerante, the
    communes_desservies table and commune.departement_id: a migration changing those must recreate the view.
    """

    id = models.CharField(primary_key=True, max_length=40)
    structure = models.ForeignKey(Structure, on_delete=models.DO_NOTHING, related_name="presences")
    departement = models.ForeignKey(Departement, on_delete=models.DO_NOTHING, related_name="presences")

    class Meta:
        managed = False
        db_table = "structures_presence"
        verbose_name = "présence"

    def __str__(self):
        return self.id
