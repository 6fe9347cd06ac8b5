from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from accounts import audit  # noqa: F401  (connects the security log's signal handlers)
