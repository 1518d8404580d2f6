from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "venue_apps.tickets"
    label = "tickets"
    verbose_name = "Tickets and check-in"

    def ready(self) -> None:
        from tenants.sealed_fields import sealed_field_register

        def private_key(row) -> str:
            from venue_apps.tickets.services import signing_key_context

            return signing_key_context()

        # Re-sealed under a new FIELD_ENCRYPTION_KEYS key by `manage.py reseal_secrets`.
        sealed_field_register("tickets.SigningKey", "private_key_sealed", context=private_key)
