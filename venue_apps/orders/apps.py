from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "venue_apps.orders"
    label = "orders"
    verbose_name = "Orders and promotions"
