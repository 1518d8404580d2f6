from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "venue_apps.venues"
    label = "venues"
