from django.urls import path
from django.views.generic import TemplateView

from actions import views

app_name = "actions"

urlpatterns = [
    path("", views.home, name="home"),
    path("actions/", views.action_list, name="list"),
    path("actions/<slug:slug>/", views.action_detail, name="detail"),
    path("donnees-ouvertes/", TemplateView.as_view(template_name="pages/donnees_ouvertes.html"), name="open_data"),
    path("accessibilite/", TemplateView.as_view(template_name="pages/accessibilite.html"), name="accessibility"),
    path("mentions-legales/", TemplateView.as_view(template_name="pages/mentions_legales.html"), name="legal"),
]
