from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "venue_apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from tenants.sealed_fields import sealed_field_register
        from venue_apps.accounts import receivers  # noqa: F401  (connects them)

        def oauth_secret(row) -> str:
            from venue_apps.accounts.oauth import client_secret_context

            return client_secret_context(row.provider)

        def totp_key(row) -> str:
            from venue_apps.accounts.services import _totp_context

            return _totp_context(row.user)

        # Re-sealed under a new FIELD_ENCRYPTION_KEYS key by `manage.py reseal_secrets`.
        sealed_field_register("accounts.OAuthClient", "client_secret_sealed", context=oauth_secret)
        sealed_field_register("accounts.TOTPDevice", "key_sealed", context=totp_key)
