"""The site's URLs before the statistics app: the structure pages must work without it."""

from django.urls import include, path

urlpatterns = [
    path("", include("actions.urls")),
    path("", include("structures.urls")),
]
