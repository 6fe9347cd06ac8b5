"""Back-office additions to the fiche admin kept apart from actions/admin.py: « Dupliquer » a fiche.

A duplicate is a new draft of the same structure (or of the user's only structure if they may not write for the
original's), with every field of the fiche and a title marked « (copie) »; never its state, dates or comment.
"""

import re

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import SafeData, mark_safe
from django.views.decorators.http import require_POST

from accounts import perms
from actions import workflow
from actions.models import FICHE_FIELDS, Action
from structures.models import Structure


def copy_title(action):
    """« Titre (copie) », or « Titre (copie 2) »… a title the structure does not use yet."""
    taken = set(Action.objects.filter(structure_id=action.structure_id).values_list("titre", flat=True))
    title = f"{action.titre} (copie)"
    number = 2
    while title in taken:
        title = f"{action.titre} (copie {number})"
        number += 1
    return title


@transaction.atomic
def duplicate_action(action, user):
    """A new draft with the fiche's content; its history records `user`."""
    copy = Action(structure_id=action.structure_id, state=Action.State.BROUILLON, titre=copy_title(action))
    for name in FICHE_FIELDS:
        field = Action._meta.get_field(name)
        if not field.many_to_many:
            setattr(copy, field.attname, getattr(action, field.attname))
    copy._history_user = user
    copy.save()
    for name in Action.LIST_FIELDS:
        getattr(copy, name).set(getattr(action, name).all())
    return copy


@require_POST
def duplicate(request, pk):
    action = Action.objects.visible_to(request.user).filter(pk=pk).first()
    if action is None:
        raise Http404("Cette fiche n’existe pas ou n’est pas dans votre périmètre.")
    if not Structure.objects.for_actions_of(request.user).filter(pk=action.structure_id).exists():
        raise Http404("Vous ne pouvez pas créer de fiche pour cette structure.")
    if not (perms.is_federation(request.user) or perms.is_centre(request.user)):
        raise Http404
    copy = duplicate_action(action, request.user)
    messages.success(
        request,
        f"La fiche «\u00a0{action.titre}\u00a0» est dupliquée : voici la copie, en brouillon. Changez son titre "
        "et ce qui diffère, puis enregistrez.",
    )
    return redirect("admin:actions_action_change", copy.pk)


# The fiche admin as the staff see it: kept here so that actions/admin.py (ActionAdmin) stays the rules, this the
# words and the help. Installed by ActionsConfig.ready(), once the admin's autodiscovery registered ActionAdmin.

# What a fiche needs before it is submitted or published (PublicationForm.clean checks them).
REQUIRED_TO_SUBMIT = tuple(workflow.REQUIRED_CONTENT)
REQUIRED_TO_SUBMIT_MARK = " (requis pour soumettre)"
SHORT_LISTS = ("initiatives",)  # a few options: checkboxes rather than a dual list
IMPORT_STATES = (Action.State.BROUILLON, Action.State.SOUMISE, Action.State.PUBLIEE)


def labelled_empty_option(create_option):
    """The empty option of a select says « — choisir — » (HTML wants no empty option without a label)."""

    def create(name, value, label, *args, **kwargs):
        if value in ("", None) and not label:
            label = "— choisir —"
        return create_option(name, value, label, *args, **kwargs)

    return create


def staff_action_admin(base):
    from django import forms

    class StaffActionAdmin(base):
        filter_horizontal = [name for name in base.filter_horizontal if name not in SHORT_LISTS]
        # The columns that decide, visible at 1280 px; département, dimension and statut are filters.
        list_display = ["titre", "structure", "etat" if hasattr(base, "etat") else "state", "updated_at"]
        list_display_links = ["titre"]
        resource_classes = [staff_action_resource(resource) for resource in base.resource_classes]

        def get_changeform_initial_data(self, request):
            initial = super().get_changeform_initial_data(request)
            if "structure" not in initial:
                structures = perms.get_scope(request.user).structure_ids
                if len(structures) == 1:
                    initial["structure"] = next(iter(structures))
            return initial

        def formfield_for_manytomany(self, db_field, request, **kwargs):
            if db_field.name in SHORT_LISTS:
                kwargs["widget"] = forms.CheckboxSelectMultiple
            return super().formfield_for_manytomany(db_field, request, **kwargs)

        def get_fieldsets(self, request, obj=None):
            # The version the form was opened on stays in the form, hidden, without a row and its label (the
            # template writes the hidden input).
            return [
                (name, {**options, "fields": [field for field in options["fields"] if field != "loaded_version"]})
                for name, options in super().get_fieldsets(request, obj)
            ]

        def get_form(self, request, obj=None, change=False, **kwargs):
            form = super().get_form(request, obj, change, **kwargs)
            structure = form.base_fields.get("structure")
            if structure is not None:
                # An empty first option, as HTML wants for a required single choice (the server still requires it).
                inner = getattr(structure.widget, "widget", structure.widget)
                inner.is_required = False
                inner.create_option = labelled_empty_option(inner.create_option)
            for name in REQUIRED_TO_SUBMIT:
                field = form.base_fields.get(name)
                if field is not None and not str(field.label).endswith(REQUIRED_TO_SUBMIT_MARK):
                    field.label = f"{field.label}{REQUIRED_TO_SUBMIT_MARK}"
            return form

        def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
            extra_context = dict(extra_context or {})
            if object_id is None:
                extra_context.setdefault("title", "Ajouter une fiche")
            else:
                obj = self.get_object(request, object_id)
                can_change = obj is not None and self.has_change_permission(request, obj)
                extra_context.setdefault("title", "Modifier la fiche" if can_change else "Consulter la fiche")
            return super().changeform_view(request, object_id, form_url, extra_context)

        def changelist_view(self, request, extra_context=None):
            extra_context = {"title": "Fiches action", **(extra_context or {})}
            return super().changelist_view(request, extra_context)

        def history_view(self, request, object_id, extra_context=None):
            extra_context = {**(extra_context or {}), "title": "Historique de la fiche"}
            return super().history_view(request, object_id, extra_context)

        def get_actions(self, request):
            actions = super().get_actions(request)
            if "delete_selected" in actions:
                function, name, _description = actions["delete_selected"]
                actions["delete_selected"] = (function, name, "Supprimer les fiches sélectionnées")
            return actions

        # Fiche import: a file covering more than the territory imports the fiches of the territory, lists the rest.

        def _fiche_load(self, request, data, filename, state, *, dry_run):
            from actions import territory_import

            return territory_import.load_own(request.user, data, filename, state=state, dry_run=dry_run)

        def _fiche_import_confirm(self, request, context):
            from actions.admin import SESSION_KEY

            pending = request.session.get(SESSION_KEY)
            state = request.POST.get("state")
            if pending and state in IMPORT_STATES and state != pending.get("state"):
                request.session[SESSION_KEY] = {**pending, "state": state}
            return super()._fiche_import_confirm(request, context)

        def fiche_import_view(self, request):
            response = super().fiche_import_view(request)
            from actions.admin import SESSION_KEY

            context = getattr(response, "context_data", None)
            if context is not None:
                context["import_states"] = [
                    (value, label) for value, label in Action.State.choices if value in IMPORT_STATES
                ]
                pending = request.session.get(SESSION_KEY) or {}
                report = context.get("report")
                from_others = report is not None and bool(getattr(report, "skipped", None))
                context["pending_state"] = Action.State.SOUMISE if from_others else pending.get("state")
            return response

        def message_user(self, request, message, *args, **kwargs):
            return super().message_user(request, french_message(message), *args, **kwargs)

    StaffActionAdmin.__name__ = StaffActionAdmin.__qualname__ = "StaffActionAdmin"
    return StaffActionAdmin


FRENCH_MESSAGES = [
    (re.compile(r"L[’']objet action (.+?) a été ajouté avec succès\."), r"La fiche \1 a été ajoutée."),
    (re.compile(r"L[’']objet action (.+?) a été modifié avec succès\."), r"La fiche \1 a été enregistrée."),
    (re.compile(r"L[’']objet action (.+?) a été supprimé avec succès\."), r"La fiche \1 a été supprimée."),
    (
        re.compile(r"Vous pouvez ajouter un autre objet action ci-dessous\."),
        "Vous pouvez ajouter une autre fiche ci-dessous.",
    ),
    (re.compile(r"Vous pouvez l[’']éditer à nouveau ci-dessous\."), "Vous pouvez la modifier de nouveau ci-dessous."),
    (re.compile(r"La suppression de 1 action a réussi\."), "1 fiche supprimée."),
    (re.compile(r"La suppression de (\d+) actions a réussi\."), r"\1 fiches supprimées."),
]


def french_message(message):
    """Django's generic messages name the model « l’objet action »: say « la fiche ». Keeps a safe (HTML)
    message safe: the replacements add no markup."""
    text = str(message)
    for pattern, replacement in FRENCH_MESSAGES:
        text = pattern.sub(replacement, text)
    return mark_safe(text) if isinstance(message, SafeData) else text  # noqa: S308 (already safe)


def install():
    from django.contrib import admin

    current = admin.site._registry.get(Action)
    if current is None or current.__class__.__name__ == "StaffActionAdmin":
        return
    admin.site.unregister(Action)
    admin.site.register(Action, staff_action_admin(current.__class__))


# The back-office's exported files: column headers in words (the fields' verbose names), which the import reads
# as well as the codes of earlier files (and of the open-data downloads, which keep the codes).

EXPORT_LABELS = {
    "id": "identifiant",
    "structure": "structure (identifiant)",
    "structure_nom": "nom de la structure",
    "departement": "département",
}


def column_label(name):
    if name in EXPORT_LABELS:
        return EXPORT_LABELS[name]
    return str(Action._meta.get_field(name).verbose_name)


def staff_action_resource(base):
    class StaffActionResource(base):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.labels = {}
            for name, resource_field in self.fields.items():
                self.labels[resource_field.column_name] = column_label(name)
                resource_field.column_name = column_label(name)

        def before_import(self, dataset, **kwargs):
            if dataset.headers:
                dataset.headers = [self.labels.get(header, header) for header in dataset.headers]
            return super().before_import(dataset, **kwargs)

    StaffActionResource.__name__ = StaffActionResource.__qualname__ = "StaffActionResource"
    return StaffActionResource


# « Demander une modification »: a centre may no longer edit its published fiche; it asks its federation, by an
# e-mail queued in the outbox (the federation's addresses are never shown to the centre).


@require_POST
def request_change(request, pk):
    from accounts.mail import absolute_url, queue_account_email
    from notifications.services import federation_staff

    action = (
        Action.objects.filter(structure_id__in=perms.get_scope(request.user).structure_ids, pk=pk)
        .select_related("structure__departement")
        .first()
    )
    if action is None:
        raise Http404("Cette fiche n’existe pas ou n’est pas celle de votre structure.")
    recipients = [user for user in federation_staff(action.structure) if user.email]
    asker = request.user.get_full_name() or request.user.get_username()
    url = absolute_url(reverse("admin:actions_action_change", args=[action.pk]))
    with transaction.atomic():
        for user in recipients:
            queue_account_email(
                to=user.email,
                subject=f"Demande de modification\u202f: {action.titre} — {action.structure.nom}",
                template="actions/email/request_change",
                context={"action": action, "asker": asker, "asker_email": request.user.email, "url": url},
                user=user,
            )
    if recipients:
        messages.success(request, f"Votre fédération est prévenue : elle vous répondra à {request.user.email}.")
    else:
        messages.warning(request, "Aucune fédération n’a d’adresse pour cette structure : écrivez-lui directement.")
    return redirect("admin:index")
