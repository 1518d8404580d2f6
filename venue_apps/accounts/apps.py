from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "venue_apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"
