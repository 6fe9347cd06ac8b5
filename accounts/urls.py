from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("compte/invitation/<str:token>/", views.accept, name="invitation"),
]
