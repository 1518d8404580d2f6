from django.urls import path

from api.tickets import views

urlpatterns = [
    path("orders/<uuid:order_id>/tickets/", views.OrderTicketsView.as_view(), name="order-tickets"),
    path(
        "orders/<uuid:order_id>/tickets/pdf/",
        views.OrderTicketsPdfView.as_view(),
        name="order-tickets-pdf",
    ),
    path("orders/<uuid:order_id>/send/", views.OrderTicketsSendView.as_view(), name="order-send"),
    path("tickets/<uuid:ticket_id>/pdf/", views.TicketPdfView.as_view(), name="ticket-pdf"),
    path(
        "tickets/<uuid:ticket_id>/reissue/",
        views.TicketReissueView.as_view(),
        name="ticket-reissue",
    ),
    path("checkin/", views.CheckInView.as_view(), name="checkin"),
    path("checkin/keys/", views.CheckInKeysView.as_view(), name="checkin-keys"),
]
