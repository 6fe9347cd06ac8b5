from django.urls import path, re_path

from api import views

app_name = "api"

urlpatterns = [
    path("", views.index, name="index"),
    path("openapi.json", views.openapi, name="openapi"),
    path("actions/", views.action_list, name="actions"),
    path("actions/<slug:slug>/", views.action_detail, name="action"),
    path("structures/", views.structure_list, name="structures"),
    path("structures/<slug:slug>/", views.structure_detail, name="structure"),
    path("departements/", views.departement_list, name="departements"),
    path("departements/<str:code>/", views.departement_detail, name="departement"),
    path("vocabulaires/", views.vocabulary_list, name="vocabularies"),
    path("vocabulaires/<str:nom>/", views.vocabulary_detail, name="vocabulary"),
    # Any other address ending in / answers a JSON 404 (without the slash, APPEND_SLASH redirects here first).
    # [\s\S], not ".": a path may hold a line break (%0A); \Z, not "$", which also matches before a final one.
    re_path(r"^[\s\S]*/\Z", views.not_found),
]
