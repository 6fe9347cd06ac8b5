import base64
import hashlib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import TextField
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import JSON, XLSX
from import_export.widgets import CharWidget, ForeignKeyWidget, ManyToManyWidget, Widget
from simple_history.admin import SimpleHistoryAdmin

from accounts import perms
from accounts.admin_mixins import ScopedAdminMixin, ScopedImportExportMixin
from actions import (
    admin_vocabularies,  # noqa: F401  (registers the vocabularies' admin)
    workflow,
)
from actions.fiches.loader import load_bytes
from actions.fiches.parser import Diagnostic, FicheParseError, parse_bytes
from actions.models import (
    FICHE_FIELDS,
    Action,
    Dimension,
    Initiative,
    MotCle,
    Partenaire,
    Public,
    Statut,
    Territoire,
)
from fcsf_actions import uploads
from opendata.cells import SafeCSV, SafeCSVImport
from structures.models import Departement, Structure, match_departement

# The shared lists' admin (vocabularies, thesaurus, proposals) is in actions/admin_vocabularies.py.


# Import and export (django-import-export): what a user exports is what the admin list shows them; only
# federation staff import, only inside their territory, and a file with one bad row is refused whole.


def _vocabulary_field(name, model):
    return fields.Field(attribute=name, column_name=name, widget=ForeignKeyWidget(model, field="libelle"))


def _vocabularies_field(name, model):
    return fields.Field(
        attribute=name, column_name=name, widget=ManyToManyWidget(model, field="libelle", separator=";")
    )


class ScopedResource(resources.ModelResource):
    """Knows who imports (the admin passes `user` to `import_data`) and refuses rows outside their territory."""

    user = None

    def before_import(self, dataset, **kwargs):
        self.user = kwargs.get("user")
        if not perms.is_federation(self.user):
            raise PermissionDenied("Seule la fédération peut importer.")
        super().before_import(dataset, **kwargs)

    def check_existing(self, instance):
        model = type(instance)
        if instance.pk is not None and not model.objects.in_scope(self.user).filter(pk=instance.pk).exists():
            raise ValidationError(
                {
                    "id": f"{model._meta.verbose_name.capitalize()} n° {instance.pk} introuvable dans votre "
                    "périmètre : videz la colonne « id » pour créer, ou retirez la ligne."
                }
            )


class ActionResource(ScopedResource):
    structure = fields.Field(
        attribute="structure", column_name="structure", widget=ForeignKeyWidget(Structure, field="slug")
    )
    structure_nom = fields.Field(attribute="structure__nom", column_name="structure_nom", readonly=True)
    departement = fields.Field(attribute="structure__departement__code", column_name="departement", readonly=True)
    statut = _vocabulary_field("statut", Statut)
    dimension = _vocabulary_field("dimension", Dimension)
    territoire = _vocabulary_field("territoire", Territoire)
    public = _vocabulary_field("public", Public)
    mots_cles = _vocabularies_field("mots_cles", MotCle)
    initiatives = _vocabularies_field("initiatives", Initiative)
    partenaires = _vocabularies_field("partenaires", Partenaire)

    class Meta:
        model = Action
        fields = ["id", "titre", "structure", "structure_nom", "departement", "state", *FICHE_FIELDS]
        export_order = fields
        import_id_fields = ["id"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    @classmethod
    def widget_from_django_field(cls, f, default=Widget):
        # A spreadsheet's empty cell is read as None, but text fields are NOT NULL: read it as "", as for CharField.
        return CharWidget if isinstance(f, TextField) else super().widget_from_django_field(f, default)

    def import_instance(self, instance, row, **kwargs):
        self.check_existing(instance)
        source = instance.state if instance.pk else Action.State.BROUILLON
        super().import_instance(instance, row, **kwargs)
        if instance.structure_id is not None and not perms.moderates_structure(self.user, instance.structure_id):
            raise ValidationError(
                {
                    "structure": f"La structure « {row.get('structure')} » n’est pas dans votre périmètre : "
                    "vous ne pouvez importer que des actions des structures de votre territoire."
                }
            )
        self.check_transition(instance, source)

    def check_transition(self, instance, source):
        """A changed « state » column is a workflow transition, checked by the workflow (actions/workflow.py)."""
        instance._workflow = None
        new = instance._state.adding
        if new:
            instance.federation_draft = True  # imported by the federation: its own draft
        target = instance.state
        before = Action(
            pk=None if new else instance.pk,
            structure_id=instance.structure_id,
            state=source,
            federation_draft=instance.federation_draft,
            resume=instance.resume,
            dimension_id=instance.dimension_id,
        )
        name = workflow.transition_between(self.user, before, target)
        if name is None:
            return
        errors = (
            workflow.transition_error(self.user, before, name, content=instance)
            if name
            else {
                None: f"Une action {workflow.STATE_LABELS[source]} ne peut pas passer directement à l’état "
                f"« {target} »."
            }
        )
        if errors:
            raise ValidationError({"state": " ".join(errors.values())})
        instance._workflow = (name, source)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if getattr(instance, "_workflow", None):
            # Saved in the new state (row and history, dates by Action.save): the workflow records it and tells.
            name, source = instance._workflow
            workflow.record(instance, name, self.user, source, via=workflow.IMPORT)


class PublicationForm(forms.ModelForm):
    """The action form. Its state changes are the workflow's transitions (actions/workflow.py), fired by the
    form's buttons (`_transition`); the workflow checks who may fire them and what they need."""

    user = None  # set by ActionAdmin.get_form
    # The action's version when the form was opened: a save over a newer one is refused (check_version).
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = ["titre", "structure", *FICHE_FIELDS, "commentaire_moderation"]
        help_texts = {
            "titre": "Un titre court qui dit ce que fait l’action, sans le nom de la structure.",
            "structure": "La structure qui organise l’action. Tapez quelques lettres de son nom.",
            "fichiers_associes": "Liens ou noms des documents liés à l’action, un par ligne.",
            "raisons_fin": "Seulement si l’action est terminée.",
            "mots_cles": "Tapez quelques lettres pour trouver un mot-clé ; plusieurs choix possibles.",
            "resume": "Deux ou trois phrases : c’est ce que les visiteurs lisent en premier.",
            "partenaires": "Les partenaires avec qui l’action a été menée.",
            "commentaire_moderation": "Obligatoire pour renvoyer l’action au centre : ce qu’il doit corriger avant "
            "de la soumettre de nouveau.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
        self.transition = self.requested_transition()
        self.revision = None
        if self.centre_only() and self.instance.pk and self.instance.state == Action.State.PUBLIEE:
            # A centre edits a published fiche through its revision: the form shows the revision's text.
            self.revision = workflow.pending_revision(self.instance)
            if self.revision is not None and not self.is_bound:
                self.initial.update(self.revision.data)

    def centre_only(self):
        held = workflow.roles(self.user, self.instance.structure_id)
        return workflow.CENTRE in held and workflow.FEDERATION not in held

    def requested_transition(self):
        """The transition asked for: a button's name; for a client posting a target « state », the transition to
        it; a centre saving its soumise fiche withdraws the submission (said on the page). None: a plain save."""
        if not self.is_bound:
            return None
        name = self.data.get("_transition")
        target = self.data.get("state")
        if not name and target in Action.State.values:
            name = workflow.transition_between(self.user, self.instance, target)
        if name is None and self.instance.pk and self.centre_only():
            if self.instance.state == Action.State.SOUMISE:
                return "withdraw"
            if self.instance.state == Action.State.PUBLIEE:
                return "submit_revision"
        return name or (None if name is None else "")

    def check_version(self):
        """Refuses to overwrite a change saved since the form was opened (optimistic locking).

        The admin saves inside a transaction: on PostgreSQL the row stays locked from this read to the commit, so
        two simultaneous saves of the same version cannot both pass. The user's input is kept; the form now
        carries the current version, so saving again is a deliberate choice to replace the other change."""
        loaded = self.cleaned_data.get("loaded_version")
        if not self.instance.pk or loaded is None:
            return
        current = Action.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True)
        current = current.first()
        if current is None or current == loaded:
            return
        last = self.instance.history.select_related("history_user").order_by("-history_date", "-history_id").first()
        who, when = "un import de fiches", ""
        if last is not None:
            if last.history_user is not None:
                who = last.history_user.get_full_name() or last.history_user.get_username()
            moment = timezone.localtime(last.history_date)
            day = "" if moment.date() == timezone.localdate() else f" le {moment:%d/%m/%Y}"
            when = f"{day} à {moment:%H:%M}"
        self.data = self.data.copy()
        self.data[self.add_prefix("loaded_version")] = current
        raise ValidationError(
            f"Cette fiche a été modifiée par {who}{when} depuis que vous l’avez ouverte : vos modifications ne "
            "sont pas enregistrées, elles sont conservées ci-dessous. Ouvrez la fiche dans un autre onglet pour "
            "voir l’autre version ; enregistrez de nouveau pour la remplacer par la vôtre.",
            code="conflict",
        )

    def clean(self):
        cleaned = super().clean()
        self.check_version()
        structure = cleaned.get("structure")
        if self.transition is None or structure is None:
            return cleaned
        if self.transition == "":
            self.add_error(
                None,
                "Ce changement d’état n’existe pas : utilisez l’un des boutons en bas de la fiche.",
            )
            return cleaned
        comment = cleaned.get("commentaire_moderation", self.instance.commentaire_moderation)
        errors = workflow.transition_error(
            self.user, self.instance, self.transition, content=cleaned, comment=comment, structure_id=structure.pk
        )
        for field, message in (errors or {}).items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned


class FicheImportForm(forms.Form):
    MAX_SIZE = 5 * 1024 * 1024

    fichier = forms.FileField(
        label="fichier d’export texte (.txt)",
        help_text="Un export « Les actions des centres sociaux » enregistré en texte ; 5 Mo au plus.",
    )
    state = forms.ChoiceField(
        label="état des nouvelles actions",
        choices=[(value, label) for value, label in Action.State.choices if value != Action.State.ARCHIVEE],
        initial=Action.State.SOUMISE,
        help_text="« Soumise à validation » (conseillé pour un fichier venu d’une autre structure ou fédération) : "
        "vous relirez chaque fiche avant de la publier. Les actions déjà présentes gardent leur état.",
    )

    def clean_fichier(self):
        upload = self.cleaned_data["fichier"]
        if not upload.name.lower().endswith(".txt"):
            raise ValidationError(
                "Choisissez un fichier .txt (l’export texte des fiches), pas « %(name)s ».",
                params={"name": upload.name},
            )
        if upload.size > self.MAX_SIZE:
            raise ValidationError("Ce fichier fait plus de 5 Mo : découpez-le en plusieurs fichiers.")
        uploads.check_text(upload, "l’export texte des fiches")  # a renamed PDF, archive or image
        return upload


def territory_errors(user, data, filename):
    """Errors for the fiches of `data` whose département is outside `user`'s territory (none for a national scope)."""
    try:
        parsed = parse_bytes(data, filename)
    except FicheParseError:
        return []  # the loader reports these
    allowed = set(Departement.objects.filter(perms.departement_scope_q(user)).values_list("pk", flat=True))
    departements = list(Departement.objects.all())
    errors = []
    for fiche in parsed.fiches:
        departement = match_departement(departements, fiche.departement_nom)
        if departement is not None and departement.pk not in allowed:
            errors.append(
                Diagnostic(
                    filename,
                    fiche.structure_line,
                    f"« {fiche.titre} » : le département {departement.nom} n’est pas dans votre périmètre. "
                    "Retirez cette fiche du fichier ou demandez à la fédération concernée de l’importer.",
                )
            )
    return errors


SESSION_KEY = "fiche_import"


class StructureFilter(admin.RelatedOnlyFieldListFilter):
    """The structures of the listed actions only (a centre never sees another's name), in one query."""

    def field_choices(self, field, request, model_admin):
        listed = model_admin.get_queryset(request).values("structure_id")
        structures = Structure.objects.filter(pk__in=listed).select_related("departement").order_by("nom")
        return [(structure.pk, str(structure)) for structure in structures]


@admin.register(Action)
class ActionAdmin(ScopedAdminMixin, ScopedImportExportMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    form = PublicationForm
    resource_classes = [ActionResource]
    import_formats = [SafeCSVImport, XLSX]  # CSV cells: opendata/cells.py
    export_formats = [SafeCSV, XLSX, JSON]
    change_list_template = "admin/actions/action/change_list.html"
    history_list_display = ["state"]

    list_display = ["titre", "structure", "departement", "dimension", "statut", "etat", "updated_at"]
    list_filter = [
        "state",
        ("structure__departement__region", admin.RelatedOnlyFieldListFilter),
        ("structure__departement", admin.RelatedOnlyFieldListFilter),
        "dimension",
        "statut",
        ("structure", StructureFilter),
    ]
    list_select_related = ["structure__departement", "dimension", "statut"]
    search_fields = ["titre", "structure__nom"]
    ordering = ["-updated_at", "pk"]
    list_per_page = 50
    autocomplete_fields = ["structure", "mots_cles", "partenaires"]
    filter_horizontal = ["initiatives"]
    readonly_fields = ["state", "submitted_at", "published_at", "updated_at"]
    actions = ["publish", "unpublish", "archive"]
    fieldsets = [
        ("La fiche", {"fields": ["titre", "structure", "fichiers_associes"]}),
        ("Statut et thème", {"fields": ["statut", "raisons_fin", "dimension", "mots_cles", "resume"]}),
        ("Initiative et territoire", {"fields": ["initiatives", "precision_initiative", "territoire"]}),
        ("L’expérience", {"fields": ["description_experience", "public", "partenaires", "description_generale"]}),
        ("Moyens", {"fields": ["ressources_financieres", "nombre_personnes"]}),
        ("Résultats", {"fields": ["resultat_territoire", "resultat_centre", "resultat_habitants"]}),
        ("Suite de l’action", {"fields": ["limites", "perspectives"]}),
        (
            "Publication",
            {"fields": ["commentaire_moderation", "state", "submitted_at", "published_at", "updated_at"]},
        ),
    ]

    def view_on_site(self, obj):
        """« Voir sur le site »: the public page of a published fiche, else its preview (never the shortcut view,
        which would reveal a draft's slug)."""
        if obj.state == Action.State.PUBLIEE:
            return obj.get_absolute_url()
        return reverse("admin:actions_action_preview", args=[obj.pk])

    @admin.display(description="état", ordering="state")
    def etat(self, obj):
        css, label = workflow.badge(obj)
        return format_html('<span class="workflow-badge workflow-{}">{}</span>', css, label)

    @admin.display(description="département", ordering="structure__departement__code")
    def departement(self, obj):
        return obj.structure.departement

    def get_fieldsets(self, request, obj=None):
        """The form of an action the user may change carries the version it was opened on (hidden)."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        *head, (name, options) = fieldsets
        return [*head, (name, {**options, "fields": [*options["fields"], "loaded_version"]})]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not perms.is_federation(request.user):
            readonly.append("commentaire_moderation")
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "structure":
            kwargs["queryset"] = Structure.objects.for_actions_of(request.user).select_related("departement")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Moderation (federation staff only): bulk actions, and the queue of submitted actions.

    def has_moderate_permission(self, request):
        return perms.is_federation(request.user) and self.has_change_permission(request)

    def _bulk(self, request, queryset, name):
        """A bulk transition: each row the workflow refuses is named with the reason; the others are fired after a
        confirmation page listing them (count and titles)."""
        transition = workflow.TRANSITIONS[name]
        rows = list(queryset.select_related("structure").order_by("titre", "pk"))
        held = {}
        allowed, refused = [], []
        for action in rows:
            if action.structure_id not in held:
                held[action.structure_id] = workflow.roles(request.user, action.structure_id)
            errors = workflow.transition_error(request.user, action, name, held=held[action.structure_id])
            if errors:
                refused.append((action, " ".join(errors.values())))
            else:
                allowed.append(action)
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": f"{transition.label} : confirmation",
                "opts": self.opts,
                "transition": transition,
                "allowed": allowed,
                "refused": refused,
                "selected": [action.pk for action in rows],
                "action_name": request.POST.get("action", name),
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/actions/action/bulk_confirm.html", context)
        fired = []
        for action in allowed:
            try:
                workflow.fire(action, name, request.user, via=workflow.BULK)
                fired.append(action)
            except workflow.WorkflowError as error:
                refused.append((action, str(error)))
        if fired:
            self.message_user(request, f"{len(fired)} action(s) {transition.done}.", messages.SUCCESS)
        for action, reason in refused:
            self.message_user(request, f"« {action.titre} » n’a pas été modifiée : {reason}", messages.WARNING)
        return None

    @admin.action(description="Publier les actions sélectionnées", permissions=["moderate"])
    def publish(self, request, queryset):
        return self._bulk(request, queryset, "publish")

    @admin.action(description="Dépublier (remettre en attente de validation)", permissions=["moderate"])
    def unpublish(self, request, queryset):
        return self._bulk(request, queryset, "unpublish")

    @admin.action(description="Archiver les actions sélectionnées", permissions=["moderate"])
    def archive(self, request, queryset):
        return self._bulk(request, queryset, "archive")

    # The form: its buttons are the transitions the user may fire; saving fires the one pressed.

    def save_model(self, request, obj, form, change):
        if getattr(form, "transition", None) == "submit_revision":
            return  # a published fiche: the edit waits in a revision (save_related), the public keeps the fiche
        if not change:
            held = workflow.roles(request.user, obj.structure_id)
            obj.federation_draft = workflow.FEDERATION in held and workflow.CENTRE not in held
            obj.state = Action.State.BROUILLON
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        name = getattr(form, "transition", None)
        action = form.instance
        if name == "submit_revision":
            try:
                workflow.submit_revision(action, workflow.revision_data(form.cleaned_data), request.user)
            except workflow.WorkflowError as error:
                request._workflow_message = (messages.ERROR, f"La révision n’est pas enregistrée : {error}")
                return
            request._workflow_message = (
                messages.SUCCESS,
                f"Votre révision de « {action.titre} » est soumise à la fédération ; le public voit la version "
                "publiée jusqu’à sa décision.",
            )
            return
        super().save_related(request, form, formsets, change)
        if not name:
            return
        try:
            workflow.fire(action, name, request.user, form.cleaned_data.get("commentaire_moderation", ""))
        except workflow.WorkflowError as error:
            request._workflow_message = (messages.ERROR, f"L’action « {action.titre} » est enregistrée, mais : {error}")
            return
        done = workflow.TRANSITIONS[name].done
        message = f"L’action « {action.titre} » est {done}."
        if name == "withdraw":
            message += " Soumettez-la de nouveau à la fédération quand elle est prête."
        request._workflow_message = (messages.SUCCESS, message)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # After a transition, its own confirmation replaces Django's generic « L’objet … a été modifié ».
        replacement = getattr(request, "_workflow_message", None)
        if replacement is not None and level == messages.SUCCESS:
            level, message = replacement
            request._workflow_message = None
        return super().message_user(request, message, level, *args, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        user = request.user
        if obj is None:
            held = set()
            if perms.get_scope(user).structure_ids:
                held.add(workflow.CENTRE)
            if perms.is_federation(user):
                held.add(workflow.FEDERATION)
            buttons = [t for t in workflow.TRANSITIONS.values() if "brouillon" in t.sources and held & t.roles]
            buttons = [t for t in buttons if t.name in ("submit", "publish")]
        else:
            held = workflow.roles(user, obj.structure_id)
            buttons = workflow.allowed_transitions(user, obj) if self.has_change_permission(request, obj) else []
        state = obj.state if obj is not None else Action.State.BROUILLON
        centre_only = workflow.CENTRE in held and workflow.FEDERATION not in held
        if state == Action.State.BROUILLON:
            save_label = "Enregistrer le brouillon"
        elif state == Action.State.SOUMISE and centre_only:
            save_label = "Enregistrer en brouillon (retire la soumission)"
            buttons = [t for t in buttons if t.name != "withdraw"]
        elif state == Action.State.PUBLIEE and centre_only:
            save_label = "Soumettre la révision à la fédération"
        else:
            save_label = "Enregistrer"
        revision = workflow.pending_revision(obj) if obj is not None and state == Action.State.PUBLIEE else None
        context.update(
            workflow_buttons=buttons,
            workflow_save_label=save_label,
            workflow_centre_only=centre_only,
            sent_back=workflow.sent_back_record(obj) if obj is not None else None,
            revision=revision,
            revision_diff=workflow.revision_diff(obj, revision) if revision is not None and not centre_only else None,
            preview_url=(
                reverse("admin:actions_action_preview", args=[obj.pk]) if obj is not None and obj.pk else None
            ),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def preview_view(self, request, object_id):
        """The fiche as the public would see it once published, for those who may see it in the back-office."""
        action = self._get_visible_or_404(request, object_id)
        if not self.has_view_permission(request, action):
            raise PermissionDenied
        from actions.views import preview_response

        return preview_response(request, action)

    def get_urls(self):
        return [
            path(
                "moderation/",
                self.admin_site.admin_view(self.moderation_view),
                name="actions_action_moderation",
            ),
            path(
                "<path:object_id>/apercu/",
                self.admin_site.admin_view(self.preview_view),
                name="actions_action_preview",
            ),
            path(
                "import-fiches/",
                self.admin_site.admin_view(self.fiche_import_view),
                name="actions_action_import_fiches",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_moderate": self.has_moderate_permission(request)}
        return super().changelist_view(request, extra_context)

    def moderation_view(self, request):
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        queue = Action.objects.to_moderate(request.user).select_related("structure__departement", "dimension")
        context = {
            **self.admin_site.each_context(request),
            "title": "File de modération",
            "subtitle": "Les actions soumises de votre périmètre, la plus ancienne d’abord",
            "opts": self.opts,
            "queue": queue,
            "revisions": workflow.revisions_to_moderate(request.user),
        }
        return TemplateResponse(request, "admin/actions/action/moderation.html", context)

    # Export: the rights are in ScopedImportExportMixin; prefetch what the columns read.

    def get_export_queryset(self, request):
        return (
            super()
            .get_export_queryset(request)
            .select_related("structure__departement", *Action.VOCABULARY_FIELDS)
            .prefetch_related(*Action.LIST_FIELDS)
        )

    # Fiche text export import: the preview is the import command's dry run; confirming loads the same bytes.

    def fiche_import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Importer un export texte de fiches",
            "opts": self.opts,
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._fiche_import_confirm(request, context)
        form = FicheImportForm(request.POST or None, request.FILES or None)
        context["form"] = form
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["fichier"]
            data, filename, state = upload.read(), upload.name, form.cleaned_data["state"]
            report = self._fiche_load(request, data, filename, state, dry_run=True)
            context["report"] = report
            if not report.refused:
                digest = hashlib.sha256(data).hexdigest()
                request.session[SESSION_KEY] = {
                    "filename": filename,
                    "state": state,
                    "digest": digest,
                    "data": base64.b64encode(data).decode("ascii"),
                }
                context["digest"] = digest
        return TemplateResponse(request, "admin/actions/action/import_fiches.html", context)

    def _fiche_import_confirm(self, request, context):
        pending = request.session.get(SESSION_KEY)
        if not pending or pending["digest"] != request.POST.get("digest"):
            self.message_user(
                request, "Cet aperçu a expiré : choisissez de nouveau le fichier pour le vérifier.", messages.ERROR
            )
            context["form"] = FicheImportForm()
            return TemplateResponse(request, "admin/actions/action/import_fiches.html", context)
        del request.session[SESSION_KEY]
        data = base64.b64decode(pending["data"])
        report = self._fiche_load(request, data, pending["filename"], pending["state"], dry_run=False)
        context.update(report=report, done=True, form=FicheImportForm())
        if not report.refused:
            self.message_user(
                request,
                f"{report.filename} importé : {report.created} créée(s), {report.updated} mise(s) à jour, "
                f"{report.unchanged} inchangée(s).",
                messages.SUCCESS,
            )
        return TemplateResponse(request, "admin/actions/action/import_fiches.html", context)

    def _fiche_load(self, request, data, filename, state, *, dry_run):
        errors = territory_errors(request.user, data, filename)
        report = load_bytes(data, filename, state=state, dry_run=True if errors else dry_run)
        if errors:
            report.errors = sorted([*report.errors, *errors], key=lambda diagnostic: diagnostic.line)
            report.created = report.updated = report.unchanged = 0
        return report
