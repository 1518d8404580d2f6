from django.apps import AppConfig


class WaitingRoomConfig(AppConfig):
    """The waiting room of on-sales: a fair queue in front of a show's holds."""

    name = "venue_apps.waiting_room"
    label = "waiting_room"
    verbose_name = "Waiting room"
