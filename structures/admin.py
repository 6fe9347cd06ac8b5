from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from import_export import fields
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, JSON, XLSX
from import_export.widgets import ForeignKeyWidget
from simple_history.admin import SimpleHistoryAdmin

from accounts import perms
from accounts.admin_mixins import ScopedAdminMixin, ScopedImportExportMixin
from actions.admin import ScopedResource
from structures.models import Departement, Region, Structure


class ReferentielAdmin(admin.ModelAdmin):
    """Official lists, loaded by a migration and `load_referentiels`: read-only for everyone but superusers."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Region)
class RegionAdmin(ReferentielAdmin):
    list_display = ["nom", "code"]
    search_fields = ["nom", "code"]


@admin.register(Departement)
class DepartementAdmin(ReferentielAdmin):
    list_display = ["nom", "code", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["nom", "code"]

    def get_queryset(self, request):
        # Also what the structure form's autocomplete offers: a federation's départements only.
        return super().get_queryset(request).filter(perms.departement_scope_q(request.user))


class StructureResource(ScopedResource):
    departement = fields.Field(
        attribute="departement", column_name="departement", widget=ForeignKeyWidget(Departement, field="code")
    )

    class Meta:
        model = Structure
        fields = ["id", "nom", "kind", "departement", "commune", "code_postal", "site_web", "email"]
        export_order = fields
        import_id_fields = ["id"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def import_instance(self, instance, row, **kwargs):
        self.check_existing(instance)
        super().import_instance(instance, row, **kwargs)
        in_scope = Departement.objects.filter(perms.departement_scope_q(self.user))
        if instance.departement_id is not None and not in_scope.filter(pk=instance.departement_id).exists():
            raise ValidationError(
                {
                    "departement": f"Le département « {row.get('departement')} » n’est pas dans votre périmètre : "
                    "vous ne pouvez importer que des structures de votre territoire."
                }
            )


@admin.register(Structure)
class StructureAdmin(ScopedAdminMixin, ScopedImportExportMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [StructureResource]
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX, JSON]

    list_display = ["nom", "kind", "departement", "commune", "nombre_actions"]
    list_filter = [
        "kind",
        ("departement__region", admin.RelatedOnlyFieldListFilter),
        ("departement", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["departement"]
    search_fields = ["nom", "commune", "departement__nom"]
    ordering = ["nom", "pk"]
    autocomplete_fields = ["departement"]
    fieldsets = [
        (None, {"fields": ["nom", "kind", "departement"]}),
        ("Coordonnées", {"fields": ["commune", "code_postal", "site_web", "email"]}),
    ]

    def get_queryset(self, request):
        # Also the action form's structure autocomplete: nobody discovers a structure outside their scope there.
        return super().get_queryset(request).select_related("departement").annotate(_nombre_actions=Count("actions"))

    @admin.display(description="actions", ordering="_nombre_actions")
    def nombre_actions(self, obj):
        return obj._nombre_actions

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "departement":
            kwargs["queryset"] = Departement.objects.filter(perms.departement_scope_q(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
