from django.urls import path

from api.reports import views

urlpatterns = [
    path("reports/sales/", views.SalesReportView.as_view(), name="report-sales"),
    path("reports/occupancy/", views.OccupancyReportView.as_view(), name="report-occupancy"),
    path("reports/refunds/", views.RefundsReportView.as_view(), name="report-refunds"),
    path("reports/promo-codes/", views.PromoCodesReportView.as_view(), name="report-promo-codes"),
    path(
        "reports/payment-methods/",
        views.PaymentMethodsReportView.as_view(),
        name="report-payment-methods",
    ),
]
