from django.urls import path

from structures import views

app_name = "structures"

urlpatterns = [
    path("structures/", views.structure_list, name="list"),
    path("structures/<slug:slug>/", views.structure_detail, name="structure"),
    path("structures/<slug:slug>/contact/", views.structure_contact, name="contact"),
    path("departements/<str:code>/", views.departement_detail, name="departement"),
]
