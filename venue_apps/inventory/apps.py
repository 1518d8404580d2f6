from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "venue_apps.inventory"
    label = "inventory"
