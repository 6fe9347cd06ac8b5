from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Actions des centres sociaux – administration"
admin.site.site_title = "Actions des centres sociaux"
admin.site.index_title = "Gestion du catalogue"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("actions.urls")),
    path("", include("structures.urls")),
]
