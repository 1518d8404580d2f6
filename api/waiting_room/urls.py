from django.urls import path

from api.waiting_room import views

urlpatterns = [
    path(
        "shows/<int:pk>/queue-settings/",
        views.QueueSettingsView.as_view(),
        name="show-queue-settings",
    ),
    path("shows/<int:pk>/queue/", views.QueueJoinView.as_view(), name="show-queue"),
    path(
        "shows/<int:pk>/queue/<str:ticket>/",
        views.QueueStatusView.as_view(),
        name="show-queue-ticket",
    ),
]
