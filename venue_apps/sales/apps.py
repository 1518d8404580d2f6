from django.apps import AppConfig


class SalesConfig(AppConfig):
    """A sale from hold to refund, above inventory, orders, payments and tickets."""

    name = "venue_apps.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        # Payments hands what gateways say about an order to the sale through this one
        # handler: payments never imports the sale (see payments.services.handoff).
        from venue_apps.payments.services.handoff import sale_handler_register
        from venue_apps.sales.handoff import SaleEvents

        sale_handler_register(SaleEvents())
