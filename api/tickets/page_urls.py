from django.urls import path

from api.tickets import pages

urlpatterns = [
    # Short: it goes in a text message.
    path("<str:token>/", pages.order_tickets_link, name="order-tickets-link"),
]
