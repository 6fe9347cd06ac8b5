from django.contrib import admin

from actions.models import Action, Dimension, Initiative, MotCle, Partenaire, Public, Statut, Territoire


@admin.register(Dimension, Statut, Public, Territoire, Initiative, MotCle, Partenaire)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["libelle", "position"]
    list_editable = ["position"]
    search_fields = ["libelle"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["titre", "structure", "dimension", "statut", "state", "updated_at"]
    list_filter = ["state", "dimension", "statut", "structure__departement__region", "structure__departement"]
    list_select_related = ["structure__departement", "dimension", "statut"]
    search_fields = ["titre", "structure__nom"]
    autocomplete_fields = ["structure", "mots_cles", "partenaires"]
    filter_horizontal = ["initiatives"]
    fieldsets = [
        (None, {"fields": ["titre", "structure", "state"]}),
        ("Statut", {"fields": ["statut", "raisons_fin", "dimension", "mots_cles"]}),
        ("Présentation", {"fields": ["resume", "initiatives", "precision_initiative", "territoire"]}),
        ("L’expérience", {"fields": ["description_experience", "public", "partenaires", "description_generale"]}),
        ("Moyens", {"fields": ["ressources_financieres", "nombre_personnes"]}),
        ("Résultats", {"fields": ["resultat_territoire", "resultat_centre", "resultat_habitants"]}),
        ("Suite de l’action", {"fields": ["limites", "perspectives", "fichiers_associes"]}),
    ]
