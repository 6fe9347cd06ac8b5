from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Catalogue (modèle de lecture)"

    def ready(self):
        from django.core.signals import request_finished, request_started

        from catalogue import read_model

        # The catalogue version is read once per request and kept for the rest of it (see read_model.pin).
        request_started.connect(read_model.request_started, dispatch_uid="catalogue-request-started")
        request_finished.connect(read_model.request_finished, dispatch_uid="catalogue-request-finished")
