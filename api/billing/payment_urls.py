from django.urls import path

from api.billing import payment

# The owner's "pay now" (issue 16, "dunning"); the invoices themselves: api/billing/urls.py.
urlpatterns = [
    path(
        "billing/invoices/<str:number>/pay/",
        payment.InvoicePayView.as_view(),
        name="billing-invoice-pay",
    ),
]
