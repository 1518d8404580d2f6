from django.apps import AppConfig


class BillingConfig(AppConfig):
    """The platform's own business, in the public schema: plans, each chain's
    subscription, monthly invoices and their charges, and self sign-ups."""

    name = "tenants.billing"
    label = "billing"
    verbose_name = "Billing"
