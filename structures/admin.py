from django.contrib import admin

from structures.models import Departement, Region, Structure


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["nom", "code"]
    search_fields = ["nom", "code"]


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["nom", "code", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["nom", "code"]


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["nom", "kind", "departement", "commune"]
    list_filter = ["kind", "departement__region", "departement"]
    list_select_related = ["departement"]
    search_fields = ["nom", "commune", "departement__nom"]
    autocomplete_fields = ["departement"]
