"""The base of every back-office ModelAdmin whose rows belong to structures.

The model's QuerySet says which rows a user may see, change and delete (`visible_to`, `editable_by`,
`deletable_by`, all built from `accounts.perms`); this mixin applies them to every admin view, so that a hidden
button is never the only protection:

- lists, autocompletes (the related admin's `get_queryset`), exports and bulk actions only ever see visible rows;
- an object outside them answers 404 on its change, delete and history pages, for GET and POST alike;
- a visible object that the user may not change is read-only, and a POST to it answers 403;
- reverting from the history page is refused (it would skip the workflow rules).
"""

import os

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from accounts import audit, perms
from fcsf_actions.uploads import CheckedImportForm


class ScopedAdminMixin:
    """Requires the model's default manager to have `visible_to`, `editable_by` and `deletable_by` methods."""

    def scoped(self, request, rule):
        return getattr(self.model._default_manager, rule)(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def _object_allowed(self, request, obj, rule):
        if obj is None or obj.pk is None:
            return True
        return self.scoped(request, rule).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._object_allowed(request, obj, "visible_to")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._object_allowed(request, obj, "editable_by")

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._object_allowed(request, obj, "deletable_by")

    def _get_visible_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"Aucun(e) {self.opts.verbose_name} n° {object_id} dans votre périmètre.")
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._get_visible_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._get_visible_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._get_visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Une version passée ne peut pas être restaurée depuis l’historique.")
        self._get_visible_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


IMPORT_FILES_SESSION_KEY = "fcsf_import_files"


class ImportConfirmationError(Exception):
    """The import confirmation cannot go on; the message says why and what to do (French)."""


class ScopedImportExportMixin:
    """django-import-export rights: everyone exports what they see; only a federation imports, all or nothing.

    The confirmation step (`process_import`) never answers 500: a confirmation sent twice (double click), a forged
    format, resource or file name, a file that expired or was never previewed by this session gets a French
    message and the import page again, and nothing is written. The temporary file is claimed (removed) before the
    import, so two confirmations at once import it once. Each export is written to the security log.
    """

    import_form_class = CheckedImportForm  # size, extension and real content checked before the file is read

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def has_import_permission(self, request):
        return perms.is_federation(request.user) and self.has_add_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def get_valid_export_item_pks(self, request):
        return self.get_queryset(request).values_list("pk", flat=True)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        audit.record(
            audit.Kind.EXPORT,
            request=request,
            user=request.user,
            detail=f"{self.opts.verbose_name_plural} : {queryset.count()} ligne(s), format {file_format.get_title()}",
        )
        return data

    # The import confirmation.

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if initial.get("import_file_name"):
            # Only a file previewed by this session may be confirmed, once.
            names = request.session.get(IMPORT_FILES_SESSION_KEY, [])[-9:]
            # The confirmation form keeps the base name only (ConfirmImportForm.clean_import_file_name).
            request.session[IMPORT_FILES_SESSION_KEY] = [*names, os.path.basename(initial["import_file_name"])]
        return initial

    def _import_url(self):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import", current_app=self.admin_site.name)

    def _checked_confirmation(self, request, form):
        """(input format, file name) of a valid confirmation, else ImportConfirmationError."""
        restart = "Choisissez de nouveau le fichier et relancez l’import."
        if not form.is_valid():
            raise ImportConfirmationError(f"La confirmation de l’import est incomplète. {restart}")
        formats = self.get_import_formats()
        try:
            format_index = int(form.cleaned_data["format"])
            resource_index = int(form.cleaned_data.get("resource") or 0)
        except (TypeError, ValueError):
            raise ImportConfirmationError(f"Format de fichier inconnu dans la confirmation. {restart}") from None
        if not 0 <= format_index < len(formats):
            raise ImportConfirmationError(f"Format de fichier inconnu dans la confirmation. {restart}")
        if not 0 <= resource_index < len(self.get_import_resource_classes(request)):
            raise ImportConfirmationError(f"Type d’import inconnu dans la confirmation. {restart}")
        name = form.cleaned_data["import_file_name"]
        names = request.session.get(IMPORT_FILES_SESSION_KEY, [])
        if name not in names:
            raise ImportConfirmationError(
                "Ce fichier a déjà été importé, ou son aperçu a expiré : vérifiez la liste avant de "
                f"l’importer de nouveau. {restart}"
            )
        request.session[IMPORT_FILES_SESSION_KEY] = [other for other in names if other != name]
        return formats[format_index](encoding=self.from_encoding), name

    def _claim_import_file(self, input_format, name):
        """Read the temporary file and remove it: the one confirmation that removes it imports it."""
        storage = self.get_tmp_storage_class()(
            name=name,
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        gone = ImportConfirmationError(
            "Ce fichier a déjà été importé, ou son aperçu a expiré : vérifiez la liste avant de l’importer de "
            "nouveau. Choisissez de nouveau le fichier et relancez l’import."
        )
        try:
            data = storage.read()
            storage.remove()
        except (FileNotFoundError, IsADirectoryError, PermissionError, UnicodeDecodeError):
            raise gone from None
        if data is None:  # a cache storage whose entry expired
            raise gone
        return data

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        try:
            input_format, name = self._checked_confirmation(request, form)
            data = self._claim_import_file(input_format, name)
            try:
                dataset = input_format.create_dataset(data)
            except Exception:  # a file changed on disk, or not in the format announced
                raise ImportConfirmationError(
                    "Le fichier ne peut pas être lu dans le format indiqué. Vérifiez-le, puis relancez l’import."
                ) from None
        except ImportConfirmationError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(self._import_url())
        result = self.process_dataset(dataset, form, request, **kwargs)
        return self.process_result(result, request)
