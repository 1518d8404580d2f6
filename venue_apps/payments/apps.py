from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "venue_apps.payments"
    label = "payments"
    verbose_name = "Payments and ledger"
