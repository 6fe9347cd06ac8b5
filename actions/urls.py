from django.urls import path
from django.views.generic import TemplateView

from actions import views
from actions.feeds import ActionFeed

app_name = "actions"

urlpatterns = [
    path("", views.home, name="home"),
    path("actions/", views.action_list, name="list"),
    path("actions/export.csv", views.export_csv, name="export_csv"),
    path("actions/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("actions/export.json", views.export_json, name="export_json"),
    path("actions/flux.atom", ActionFeed(), name="feed"),
    path("actions/lieux.json", views.place_completions, name="places"),
    path("actions/<slug:slug>/", views.action_detail, name="detail"),
    path("donnees-ouvertes/", views.open_data, name="open_data"),
    path("accessibilite/", TemplateView.as_view(template_name="pages/accessibilite.html"), name="accessibility"),
    path("mentions-legales/", TemplateView.as_view(template_name="pages/mentions_legales.html"), name="legal"),
]
