from django.urls import path

from statistiques import views

app_name = "statistiques"

urlpatterns = [
    path("statistiques/", views.index, name="index"),
    path("statistiques/tableau.csv", views.table_csv, name="table_csv"),
    path("statistiques/tableau.xlsx", views.table_xlsx, name="table_xlsx"),
]
