"""The base of every back-office ModelAdmin whose rows belong to structures.

The model's QuerySet says which rows a user may see, change and delete (`visible_to`, `editable_by`,
`deletable_by`, all built from `accounts.perms`); this mixin applies them to every admin view, so that a hidden
button is never the only protection:

- lists, autocompletes (the related admin's `get_queryset`), exports and bulk actions only ever see visible rows;
- an object outside them answers 404 on its change, delete and history pages, for GET and POST alike;
- a visible object that the user may not change is read-only, and a POST to it answers 403;
- reverting from the history page is refused (it would skip the workflow rules).
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts import perms
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


class ScopedImportExportMixin:
    """django-import-export rights: everyone exports what they see; only a federation imports, all or nothing."""

    import_form_class = CheckedImportForm  # size, extension and real content checked before the file is read

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def has_import_permission(self, request):
        return perms.is_federation(request.user) and self.has_add_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def get_valid_export_item_pks(self, request):
        return self.get_queryset(request).values_list("pk", flat=True)
