from django.urls import path

from api.inventory import views

urlpatterns = [
    path("shows/<int:pk>/holds/", views.HoldCreateView.as_view(), name="show-holds"),
    path("holds/<uuid:hold_id>/", views.HoldDetailView.as_view(), name="hold"),
    path("holds/<uuid:hold_id>/quote/", views.HoldQuoteView.as_view(), name="hold-quote"),
]
