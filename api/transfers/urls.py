from django.urls import path

from api.transfers import views

urlpatterns = [
    path("imports/<slug:kind>/", views.ImportView.as_view(), name="import"),
    path("exports/<slug:kind>/", views.ExportView.as_view(), name="export"),
    path("auditoriums/<int:pk>/layout/", views.SeatMapTransferView.as_view(), name="seat-map-file"),
]
