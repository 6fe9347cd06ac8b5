from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Fiches action"

    def ready(self):
        from actions import staff_admin

        staff_admin.install()
