from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "venue_apps.catalog"
    label = "catalog"
