from django.urls import path

from api.billing import views

urlpatterns = [
    path("billing/", views.BillingView.as_view(), name="billing"),
    path("billing/invoices/", views.InvoiceListView.as_view(), name="billing-invoices"),
    path(
        "billing/invoices/<str:number>/",
        views.InvoiceDetailView.as_view(),
        name="billing-invoice",
    ),
    path(
        "billing/invoices/<str:number>/pdf/",
        views.InvoicePdfView.as_view(),
        name="billing-invoice-pdf",
    ),
]
