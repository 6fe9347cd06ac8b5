from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("", views.home, name="home"),
    path("actions/", views.action_list, name="list"),
    path("actions/<slug:slug>/", views.action_detail, name="detail"),
]
