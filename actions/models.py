from django.conf import settings
from django.db import connections, models
from django.db.models import Max
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts import perms
from fcsf_actions.text import normalize_label
from structures.models import Structure, unique_slug


class VocabularyQuerySet(models.QuerySet):
    def get_by_label(self, label):
        return self.filter(cle=normalize_label(label)).first()

    def get_or_create_by_label(self, label):
        """The entry whose label is `label` whatever its case and accents; created at the end of the list if new.

        Returns (entry, created). The first spelling met is kept for display.
        """
        entry = self.get_by_label(label)
        if entry:
            return entry, False
        position = (self.aggregate(last=Max("position"))["last"] or 0) + 1
        return self.create(libelle=label.strip(), position=position), True


class Vocabulary(models.Model):
    """A list of values the federation may extend in the admin (dimensions, publics, mots-clés…)."""

    libelle = models.CharField("libellé", max_length=200)
    cle = models.CharField("clé de rapprochement", max_length=200, unique=True, editable=False)
    slug = models.SlugField("identifiant d’URL", max_length=100, unique=True, editable=False)
    position = models.PositiveIntegerField("position", default=0, help_text="Ordre d’affichage dans les listes.")

    objects = VocabularyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "libelle"]

    def __str__(self):
        return self.libelle

    def save(self, *args, **kwargs):
        self.cle = normalize_label(self.libelle)
        if not self.slug:
            self.slug = unique_slug(type(self), self.libelle)
        super().save(*args, **kwargs)


class Dimension(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "dimension"


class Statut(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "statut de l’action"
        verbose_name_plural = "statuts de l’action"


class Public(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "public"


class Territoire(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "territoire concerné"
        verbose_name_plural = "territoires concernés"


class Initiative(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "initiative"


class MotCle(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "mot-clé"
        verbose_name_plural = "mots-clés"


class Partenaire(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "partenaire"


# The fields of a fiche after its title and structure, in the order of the fiche: one list for the export
# format, the admin form and the spreadsheet exports.
FICHE_FIELDS = [
    "fichiers_associes",
    "statut",
    "raisons_fin",
    "dimension",
    "mots_cles",
    "resume",
    "initiatives",
    "precision_initiative",
    "territoire",
    "description_experience",
    "public",
    "partenaires",
    "description_generale",
    "ressources_financieres",
    "nombre_personnes",
    "resultat_territoire",
    "resultat_centre",
    "resultat_habitants",
    "limites",
    "perspectives",
]


def link_table(model, name):
    """The link model of the many-to-many field `name` of `model` and its two foreign key columns (row, entry)."""
    relation = model._meta.get_field(name)
    return (
        relation.remote_field.through,
        f"{relation.m2m_field_name()}_id",
        f"{relation.m2m_reverse_field_name()}_id",
    )


# What an action card shows besides the action itself (title, structure, département, dimension, statut).
CARD_RELATED = ("structure__departement", "dimension", "statut")


class ActionQuerySet(models.QuerySet):
    def published(self):
        """The only actions the public may ever see."""
        return self.filter(state=Action.State.PUBLIEE)

    def for_cards(self):
        """Everything an action card reads, in two queries whatever the number of cards."""
        return self.select_related(*CARD_RELATED).prefetch_related("mots_cles")

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    # Back-office rules: the single source of truth is accounts.perms.
    def visible_to(self, user):
        """The actions `user` may open in the back-office (their structures' or their territory's)."""
        return self.filter(perms.action_visible_q(user))

    def editable_by(self, user):
        """The actions `user` may change: a centre's unpublished ones, everything in a federation's territory."""
        return self.filter(perms.action_editable_q(user))

    def deletable_by(self, user):
        return self.filter(perms.action_deletable_q(user))

    def in_scope(self, user):
        """The actions `user` moderates (a federation's territory, everything for a superuser)."""
        return self.filter(perms.territory_q(user, "structure__"))

    def to_moderate(self, user):
        """The moderation queue: actions submitted in `user`'s territory, oldest submission first."""
        return self.in_scope(user).filter(state=Action.State.SOUMISE).order_by("submitted_at", "created_at", "pk")


class Action(models.Model):
    class State(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        SOUMISE = "soumise", "Soumise à validation"
        PUBLIEE = "publiee", "Publiée"
        ARCHIVEE = "archivee", "Archivée"

    titre = models.CharField("titre", max_length=300)
    slug = models.SlugField("identifiant d’URL", max_length=100, unique=True, editable=False)
    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="actions", verbose_name="structure organisatrice"
    )
    fichiers_associes = models.TextField("fichier(s) associé(s)", blank=True)
    statut = models.ForeignKey(
        Statut, on_delete=models.PROTECT, null=True, blank=True, related_name="actions", verbose_name="statut"
    )
    raisons_fin = models.TextField("raisons pour lesquelles l’action est terminée", blank=True)
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, null=True, blank=True, related_name="actions", verbose_name="dimension"
    )
    mots_cles = models.ManyToManyField(MotCle, blank=True, related_name="actions", verbose_name="mots-clés")
    resume = models.TextField("résumé", blank=True)
    initiatives = models.ManyToManyField(
        Initiative, blank=True, related_name="actions", verbose_name="qui est à l’initiative de l’action ?"
    )
    precision_initiative = models.TextField("précision (si autre)", blank=True)
    territoire = models.ForeignKey(
        Territoire,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name="territoire concerné",
    )
    description_experience = models.TextField(
        "description de l’expérience, ses objectifs, ses acteurs et ses différentes phases", blank=True
    )
    public = models.ForeignKey(
        Public, on_delete=models.PROTECT, null=True, blank=True, related_name="actions", verbose_name="public"
    )
    partenaires = models.ManyToManyField(
        Partenaire, blank=True, related_name="actions", verbose_name="partenaires d’action"
    )
    description_generale = models.TextField("description générale", blank=True)
    ressources_financieres = models.TextField("ressources financières mobilisées", blank=True)
    nombre_personnes = models.TextField("nombre de personnes mobilisées", blank=True)
    resultat_territoire = models.TextField("résultat sur le territoire", blank=True)
    resultat_centre = models.TextField("résultat pour le centre social", blank=True)
    resultat_habitants = models.TextField("résultat pour les habitants", blank=True)
    limites = models.TextField("suite de l’action : limites", blank=True)
    perspectives = models.TextField("suite de l’action : perspectives", blank=True)

    state = models.CharField(
        "état de publication", max_length=10, choices=State.choices, default=State.BROUILLON, db_index=True
    )
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    published_at = models.DateTimeField("publiée le", null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField("soumise le", null=True, blank=True, editable=False)
    commentaire_moderation = models.TextField(
        "commentaire de la fédération",
        blank=True,
        help_text="Ce que le centre doit corriger avant de soumettre à nouveau l’action. Visible du centre.",
    )
    federation_draft = models.BooleanField(
        "brouillon de la fédération",
        default=False,
        editable=False,
        help_text="Créée par la fédération (ou un import) : elle peut la publier sans soumission du centre.",
    )
    imported_fingerprint = models.CharField(
        "empreinte du dernier import",
        max_length=64,
        blank=True,
        editable=False,
        help_text="Permet de savoir si l’action a été modifiée à la main depuis son dernier import.",
    )
    version = models.PositiveIntegerField(
        "version",
        default=1,
        editable=False,
        help_text="Augmente à chaque enregistrement : un formulaire ouvert sur une version dépassée est refusé.",
    )

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["updated_at", "version"],
        verbose_name="version passée de la fiche",
        verbose_name_plural="versions passées des fiches",
    )

    class Meta:
        verbose_name = "action"
        ordering = ["-published_at", "-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "titre"],
                name="action_unique_title_per_structure",
                violation_error_message="Cette structure a déjà une action de ce titre.",
            )
        ]
        indexes = [
            # The public list's two orders, on published actions only: the first page of 100,000 actions is then
            # read from the index instead of sorting every row (see bench/README.md).
            models.Index(
                models.F("published_at").desc(),
                models.F("id").desc(),
                name="action_published_recent",
                condition=models.Q(state="publiee"),
            ),
            models.Index(Lower("titre"), "id", name="action_published_title", condition=models.Q(state="publiee")),
            # The facet index (catalogue/index.py) reads these columns of every published action: from this
            # index alone on PostgreSQL (an index-only scan), not from the wide rows of the fiches' text.
            models.Index(
                fields=["id"],
                include=["structure", "dimension", "statut", "public", "territoire"],
                name="action_published_facets",
                condition=models.Q(state="publiee"),
            ),
        ]

    def __str__(self):
        return self.titre

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Action, self.titre)
        from actions import workflow

        workflow.stamp_dates(self, timezone.now())
        updating = not self._state.adding and self.pk is not None
        if updating:
            # Optimistic locking (ActionAdmin's form): counted by the database, so a stale instance never
            # writes back an older number. Read again only when asked for (deferred).
            self.version = models.F("version") + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)
        if updating:
            del self.__dict__["version"]

    def get_absolute_url(self):
        return reverse("actions:detail", kwargs={"slug": self.slug})

    # The fiche's fields that hold vocabulary entries: one entry each, then lists (many-to-many), in fiche order.
    VOCABULARY_FIELDS = ("statut", "dimension", "territoire", "public")
    LIST_FIELDS = ("mots_cles", "initiatives", "partenaires")

    def list_entry_ids(self):
        """{list field: set of its entries' ids}: the link tables read in one query, in SQL (the ORM's union of
        three querysets costs more to build than to run)."""
        parts, params = [], []
        for position, name in enumerate(self.LIST_FIELDS):
            through, source, target = link_table(Action, name)
            parts.append(f"SELECT {position}, {target} FROM {through._meta.db_table} WHERE {source} = %s")
            params.append(self.pk)
        ids = {name: set() for name in self.LIST_FIELDS}
        with connections[self._state.db or "default"].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for position, entry_id in cursor.fetchall():
                ids[self.LIST_FIELDS[position]].add(entry_id)
        return ids


class CatalogueVersion(models.Model):
    """One row whose number goes up with every change to the catalogue (see catalogue/).

    Kept in the database, not in the cache, so every process and every instance sees the same version whatever
    the cache backend: cached counts are keyed by it and a publish is visible at once everywhere."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "version du catalogue"
        default_permissions = ()

    def __str__(self):
        return f"version {self.value}"


class CatalogueChange(models.Model):
    """What a catalogue version changed: one row per action, or one row without an action when anything may have
    changed (a vocabulary, a structure, over 1,000 actions). Written with the version by the database's triggers
    (`catalogue_version_bump`, migration 0012), in the writer's transaction, so each process can patch its facet
    index (catalogue/read_model.py) with the changed actions instead of reloading every one; rows older than
    10,000 versions are deleted as new ones come."""

    version = models.BigIntegerField(db_index=True)
    action_id = models.BigIntegerField(null=True)  # not a foreign key: a deleted action stays listed

    class Meta:
        verbose_name = "changement du catalogue"
        default_permissions = ()

    def __str__(self):
        return f"version {self.version} : {self.action_id or 'tout'}"


class VocabularyProposal(models.Model):
    """An entry proposed for a shared vocabulary by someone who may not change it (only national staff do,
    accounts.perms.manages_vocabularies); national staff accept it (the entry is created) or refuse it."""

    VOCABULARY_MODELS = {
        "dimension": Dimension,
        "statut": Statut,
        "public": Public,
        "territoire": Territoire,
        "initiative": Initiative,
        "motcle": MotCle,
        "partenaire": Partenaire,
    }

    class Vocabulary(models.TextChoices):
        DIMENSION = "dimension", "dimension"
        STATUT = "statut", "statut"
        PUBLIC = "public", "public"
        TERRITOIRE = "territoire", "territoire"
        INITIATIVE = "initiative", "qui est à l’initiative"
        MOTCLE = "motcle", "mot-clé"
        PARTENAIRE = "partenaire", "partenaire"

    class Status(models.TextChoices):
        PENDING = "en_attente", "en attente"
        ACCEPTED = "acceptee", "acceptée"
        REFUSED = "refusee", "refusée"

    vocabulary = models.CharField("liste", max_length=20, choices=Vocabulary.choices)
    libelle = models.CharField("libellé proposé", max_length=200)
    justification = models.TextField(
        "pourquoi cette entrée ?", blank=True, help_text="Facultatif : à quoi servira-t-elle, pour quelles fiches ?"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="vocabulary_proposals",
        verbose_name="proposée par",
    )
    created_at = models.DateTimeField("proposée le", auto_now_add=True)
    status = models.CharField("décision", max_length=20, choices=Status.choices, default=Status.PENDING)
    response = models.TextField("réponse", blank=True, help_text="Visible de la personne qui a proposé l’entrée.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidée par",
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)

    class Meta:
        verbose_name = "proposition d’entrée de vocabulaire"
        verbose_name_plural = "propositions d’entrées de vocabulaire"
        ordering = ["status", "-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_vocabulary_display()} : {self.libelle}"

    @property
    def target_model(self):
        return self.VOCABULARY_MODELS[self.vocabulary]


class TransitionRecord(models.Model):
    """One transition of a fiche's workflow (actions/workflow.py): who fired it, when, how, with what comment."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="transitions", verbose_name="action")
    name = models.CharField("transition", max_length=20)
    source = models.CharField("état de départ", max_length=10, choices=Action.State.choices)
    target = models.CharField("état d’arrivée", max_length=10, choices=Action.State.choices)
    user = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="par"
    )
    comment = models.TextField("commentaire", blank=True)
    via = models.CharField("par le biais de", max_length=20)
    created_at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "transition de l’action"
        verbose_name_plural = "transitions de l’action"
        ordering = ["-created_at", "-pk"]
        default_permissions = ()

    def __str__(self):
        return f"{self.action_id} : {self.source} → {self.target}"


class Revision(models.Model):
    """A centre's edit of a published fiche, moderated like a new fiche while the public keeps the published text
    (actions/workflow.py). Never read by the public pages, counts, API or exports: only its publication, which
    writes the action, reaches them."""

    class State(models.TextChoices):
        SOUMISE = "soumise", "Soumise à validation"
        RENVOYEE = "renvoyee", "Renvoyée au centre"
        PUBLIEE = "publiee", "Publiée"

    PENDING = (State.SOUMISE, State.RENVOYEE)

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="revisions", verbose_name="action")
    data = models.JSONField("contenu proposé")
    state = models.CharField("état", max_length=10, choices=State.choices, default=State.SOUMISE)
    author = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="auteur"
    )
    comment = models.TextField("commentaire de la fédération", blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "révision d’une fiche publiée"
        verbose_name_plural = "révisions de fiches publiées"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["action"],
                condition=models.Q(state__in=["soumise", "renvoyee"]),
                name="revision_one_pending_per_action",
            )
        ]

    def __str__(self):
        return f"Révision de {self.action}"


class Synonyme(models.Model):
    """A group of expressions the search treats as one (actions/thesaurus.py): searching any of them finds the
    fiches that use the others. Kept by national staff in the administration."""

    expressions = models.TextField(
        "expressions équivalentes",
        help_text="Une expression par ligne, p. ex. « aide aux devoirs », « accompagnement à la scolarité », "
        "« CLAS ». Casse et accents sont ignorés.",
    )
    actif = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "synonymes"
        verbose_name_plural = "thésaurus (synonymes)"
        ordering = ["pk"]

    def __str__(self):
        return " = ".join(self.expression_list()[:4])

    def expression_list(self):
        return [line.strip() for line in self.expressions.replace(";", "\n").splitlines() if line.strip()]
