from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "venue_apps.tickets"
    label = "tickets"
    verbose_name = "Tickets and check-in"
