from django.apps import AppConfig


class ShowsConfig(AppConfig):
    name = "venue_apps.shows"
    label = "shows"
