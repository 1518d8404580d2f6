from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "venue_apps.payments"
    label = "payments"
    verbose_name = "Payments and ledger"

    def ready(self) -> None:
        from tenants.sealed_fields import sealed_field_register

        def account(part: str):
            def context(row) -> str:
                from venue_apps.payments.services.gateways import gateway_secret_context

                return gateway_secret_context(row, part)

            return context

        def client_secret(row) -> str:
            from venue_apps.payments.services.attempts import payment_secret_context

            return payment_secret_context(row)

        # Re-sealed under a new FIELD_ENCRYPTION_KEYS key by `manage.py reseal_secrets`.
        sealed_field_register(
            "payments.GatewayAccount", "secret_key_sealed", context=account("secret_key")
        )
        sealed_field_register(
            "payments.GatewayAccount", "webhook_secret_sealed", context=account("webhook_secret")
        )
        sealed_field_register("payments.Payment", "client_secret_sealed", context=client_secret)
