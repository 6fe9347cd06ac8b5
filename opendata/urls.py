from django.urls import path

from opendata import views

app_name = "opendata"

urlpatterns = [
    path("donnees-ouvertes/schema.json", views.table_schema, name="schema"),
    path("donnees-ouvertes/datapackage.json", views.datapackage, name="datapackage"),
    path("donnees-ouvertes/fichiers/<str:name>", views.bulk_file, name="bulk_file"),
]
