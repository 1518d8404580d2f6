from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "venue_apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from tenants.sealed_fields import sealed_field_register
        from venue_apps.accounts import receivers  # noqa: F401  (connects them)
        from venue_apps.accounts.models import totp_key_context
        from venue_apps.accounts.social_auth import client_secret_context

        def oauth_secret(row) -> str:
            return client_secret_context(row.provider)

        def totp_key(row) -> str:
            return totp_key_context(row.user_id)

        # Re-sealed under a new FIELD_ENCRYPTION_KEYS key by `manage.py reseal_secrets`.
        sealed_field_register("accounts.OAuthClient", "client_secret_sealed", context=oauth_secret)
        sealed_field_register("accounts.TOTPDevice", "key_sealed", context=totp_key)
