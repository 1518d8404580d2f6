from django.urls import path

from api.realtime import consumers

websocket_urlpatterns = [
    path("ws/health/", consumers.HealthConsumer.as_asgi()),
    path("ws/shows/<int:show_id>/seats/", consumers.ShowSeatsConsumer.as_asgi()),
]
