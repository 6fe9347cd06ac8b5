from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Every transition of the workflow (form, bulk action, import, command) queues its e-mails in its own
        # transaction.
        from actions import workflow
        from notifications.services import notify_transition

        workflow.after_transition(notify_transition)
