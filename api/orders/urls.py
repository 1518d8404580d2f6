from django.urls import path

from api.orders import views

urlpatterns = [
    path("orders/", views.OrderListCreateView.as_view(), name="orders"),
    path("orders/<uuid:order_id>/", views.OrderDetailView.as_view(), name="order"),
    path("orders/<uuid:order_id>/cancel/", views.OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<uuid:order_id>/refunds/", views.OrderRefundView.as_view(), name="order-refunds"),
    path(
        "orders/<uuid:order_id>/payments/",
        views.OrderPaymentRetryView.as_view(),
        name="order-payments",
    ),
    path("promo-codes/", views.PromoCodeListCreateView.as_view(), name="promo-codes"),
    path("promo-codes/<int:pk>/", views.PromoCodeDetailView.as_view(), name="promo-code"),
    path(
        "cancellation-policy/",
        views.CancellationPolicyView.as_view(),
        name="cancellation-policy",
    ),
    path("checkout-settings/", views.CheckoutSettingsView.as_view(), name="checkout-settings"),
]
