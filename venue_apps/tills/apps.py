from django.apps import AppConfig


class TillsConfig(AppConfig):
    """The box office's tills and the cashiers' shifts at them."""

    name = "venue_apps.tills"
    label = "tills"
    verbose_name = "Tills and shifts"
