from django.urls import path

from api.reports import views

urlpatterns = [
    path("reports/sales/", views.SalesReportView.as_view(), name="report-sales"),
    path("reports/occupancy/", views.OccupancyReportView.as_view(), name="report-occupancy"),
]
