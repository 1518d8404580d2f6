from django.urls import path

from api.payments import views

urlpatterns = [
    path("payments/providers/", views.ProvidersView.as_view(), name="payment-providers"),
    path("payments/webhooks/stripe/", views.StripeWebhookView.as_view(), name="webhook-stripe"),
    path(
        "payments/webhooks/razorpay/",
        views.RazorpayWebhookView.as_view(),
        name="webhook-razorpay",
    ),
    path("payments/webhooks/sandbox/", views.SandboxWebhookView.as_view(), name="webhook-sandbox"),
    path("payments/<uuid:payment_id>/", views.PaymentDetailView.as_view(), name="payment"),
    path(
        "payments/<uuid:payment_id>/confirm/",
        views.PaymentConfirmView.as_view(),
        name="payment-confirm",
    ),
    path(
        "payments/<uuid:payment_id>/sandbox/", views.SandboxView.as_view(), name="payment-sandbox"
    ),
    path("payment-accounts/", views.GatewayAccountListView.as_view(), name="payment-accounts"),
    path(
        "payment-accounts/<str:provider>/",
        views.GatewayAccountView.as_view(),
        name="payment-account",
    ),
    path("payment-settings/", views.PaymentSettingsView.as_view(), name="payment-settings"),
    path("reports/ledger/", views.LedgerView.as_view(), name="ledger"),
    path(
        "shows/<int:pk>/cancel-and-refund/",
        views.ShowCancelAndRefundView.as_view(),
        name="show-cancel-and-refund",
    ),
]
