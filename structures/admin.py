from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils.html import format_html, format_html_join
from import_export import fields
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import JSON, XLSX
from import_export.widgets import ForeignKeyWidget
from simple_history.admin import SimpleHistoryAdmin

from accounts import perms
from accounts.admin_mixins import ScopedAdminMixin, ScopedImportExportMixin
from actions.admin import ScopedResource
from opendata.cells import SafeCSV, SafeCSVImport
from structures.models import Commune, Departement, Region, Structure
from structures.referentiels import match_commune


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


@admin.register(Commune)
class CommuneAdmin(ReferentielAdmin):
    list_display = ["nom", "code", "departement", "codes"]
    list_filter = [("departement", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["departement"]
    search_fields = ["nom", "code"]  # see get_search_results

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("codes_postaux")

    def get_search_results(self, request, queryset, search_term):
        """By name whatever the case, accents and hyphens (« saint etienne »), or by postcode (« 42 »)."""
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term), False

    @admin.display(description="codes postaux")
    def codes(self, obj):
        return ", ".join(postcode.code for postcode in obj.codes_postaux.all())


class CommuneWidget(ForeignKeyWidget):
    """A spreadsheet's commune: its INSEE code, or its name in the row's département (homonyms told apart by the
    row's postcode). Exported by name, so that people read it."""

    def __init__(self):
        super().__init__(Commune, field="code")

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        by_code = Commune.objects.filter(code=text.upper()).first()
        if by_code:
            return by_code
        row = row or {}
        departement = Departement.objects.filter(code=str(row.get("departement") or "").strip()).first()
        postcode = str(row.get("code_postal") or "").strip()
        commune = match_commune(Commune, text, departement.pk, postcode) if departement else None
        if commune is None:
            where = f"dans le département {departement.code}" if departement else "sans département valable"
            raise ValueError(
                f"Commune « {text} » introuvable {where} : écrivez son nom officiel (p. ex. « Angers ») "
                "ou son code INSEE (p. ex. 49007)."
            )
        return commune

    def render(self, value, obj=None, **kwargs):
        return value.nom if value else ""


class StructureResource(ScopedResource):
    departement = fields.Field(
        attribute="departement", column_name="departement", widget=ForeignKeyWidget(Departement, field="code")
    )
    commune = fields.Field(attribute="commune", column_name="commune", widget=CommuneWidget())
    # Read only (the import reads the commune from `commune`, by name or INSEE code).
    commune_insee = fields.Field(attribute="commune__code", column_name="commune_insee", readonly=True)

    class Meta:
        model = Structure
        fields = ["id", "nom", "kind", "departement", "membre_federation", "adresse", "commune", "commune_insee"]
        fields += ["code_postal"]
        fields += ["telephone", "email", "site_web", "horaires", "siret", "date_premier_agrement", "mode_gestion"]
        fields += ["type_territoire", "population", "qpv", "itinerante", "multi_sites"]
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


class IdsOnlyMixin:
    """Django's autocomplete widgets look up the submitted values to show them again: a forged non-numeric id
    would raise there (500) after the field already refused it. Show only what can be an id."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [item for item in value if str(item).isdigit()], attr)


class IdsOnlyAutocompleteSelect(IdsOnlyMixin, AutocompleteSelect):
    pass


class IdsOnlyAutocompleteSelectMultiple(IdsOnlyMixin, AutocompleteSelectMultiple):
    pass


class StructureForm(forms.ModelForm):
    def clean(self):
        cleaned_data = super().clean()
        itinerante = cleaned_data.get("itinerante", self.instance.itinerante)
        if not itinerante and cleaned_data.get("communes_desservies"):
            self.add_error(
                "communes_desservies",
                "Seule une structure itinérante dessert des communes : cochez « itinérante » ou retirez ces communes.",
            )
        return cleaned_data


@admin.register(Structure)
class StructureAdmin(ScopedAdminMixin, ScopedImportExportMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [StructureResource]
    import_formats = [SafeCSVImport, XLSX]  # CSV cells: opendata/cells.py
    export_formats = [SafeCSV, XLSX, JSON]
    form = StructureForm

    list_display = ["nom", "kind", "departement", "commune", "nombre_actions"]
    list_filter = [
        "kind",
        ("departement__region", admin.RelatedOnlyFieldListFilter),
        ("departement", admin.RelatedOnlyFieldListFilter),
        "mode_gestion",
        "itinerante",
    ]
    list_select_related = ["departement", "commune"]
    search_fields = ["nom", "commune__nom", "departement__nom"]
    ordering = ["nom", "pk"]
    autocomplete_fields = ["departement", "commune", "communes_desservies"]
    fieldsets = [
        ("Identité", {"fields": ["identite_a_completer", "nom", "kind", "departement", "membre_federation"]}),
        (
            "Adresse et contact de l’accueil",
            {
                "fields": ["adresse", "commune", "code_postal", "telephone", "email", "site_web", "horaires"],
                "description": "Les coordonnées de la structure, publiées sur sa page : jamais celles d’une personne.",
            },
        ),
        (
            "Agrément et territoire",
            {
                "fields": [
                    "siret",
                    "date_premier_agrement",
                    "mode_gestion",
                    "type_territoire",
                    "population",
                    "qpv",
                ]
            },
        ),
        ("Lieux d’accueil", {"fields": ["multi_sites", "itinerante", "communes_desservies"]}),
    ]

    def get_queryset(self, request):
        # Also the action form's structure autocomplete: nobody discovers a structure outside their scope there.
        return super().get_queryset(request).select_related("departement").annotate(_nombre_actions=Count("actions"))

    def get_readonly_fields(self, request, obj=None):
        """What is missing, for the staff; the fields only the federation changes, for a centre (a forged POST
        of them is ignored: read-only fields are not in the form)."""
        return [*super().get_readonly_fields(request, obj), "identite_a_completer"] + list(
            perms.structure_readonly_fields(request.user, obj)
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # nothing to complete yet
            return [
                (name, {**options, "fields": [f for f in options["fields"] if f != "identite_a_completer"]})
                for name, options in self.fieldsets
            ]
        if perms.structure_readonly_fields(request.user, obj):
            # Said on the page: the name is the structure's public identity and the fiche import's key.
            (name, options), *rest = self.fieldsets
            note = (
                "Le nom, le type, l’adhésion à la fédération et le département sont changés par votre fédération : "
                "écrivez-lui pour les modifier."
            )
            return [(name, {**options, "description": note}), *rest]
        return self.fieldsets

    @admin.display(description="identité à compléter")
    def identite_a_completer(self, obj):
        missing = obj.missing_identity_fields() if obj and obj.pk else []
        if not missing:
            return "Rien : l’identité de la structure est complète."
        return format_html(
            '<ul class="identite-a-completer">{}</ul>', format_html_join("", "<li>{}</li>", ((m,) for m in missing))
        )

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
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = IdsOnlyAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = IdsOnlyAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)
