from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "venue_apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from venue_apps.accounts import receivers  # noqa: F401  (connects them)
