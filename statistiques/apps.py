from django.apps import AppConfig


class StatistiquesConfig(AppConfig):
    name = "statistiques"
    verbose_name = "Statistiques"
