from django.apps import AppConfig


class TicketingPlatformConfig(AppConfig):
    """The project package as an app, so its management commands (demo seed) register."""

    name = "ticketing_platform"
    verbose_name = "Ticketing platform"
