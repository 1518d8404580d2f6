from django.urls import path

from api.platform import billing, invoice_actions, signups, views

urlpatterns = [
    path("auth/token/", views.PlatformTokenView.as_view(), name="platform-token"),
    path(
        "auth/token/refresh/",
        views.PlatformTokenRefreshView.as_view(),
        name="platform-token-refresh",
    ),
    path("auth/logout/", views.PlatformLogoutView.as_view(), name="platform-logout"),
    path("auth/2fa/", views.PlatformTwoFactorView.as_view(), name="platform-2fa"),
    path("auth/2fa/setup/", views.PlatformTwoFactorSetupView.as_view(), name="platform-2fa-setup"),
    path(
        "auth/2fa/confirm/",
        views.PlatformTwoFactorConfirmView.as_view(),
        name="platform-2fa-confirm",
    ),
    path(
        "auth/2fa/disable/",
        views.PlatformTwoFactorDisableView.as_view(),
        name="platform-2fa-disable",
    ),
    path(
        "auth/2fa/recovery-codes/",
        views.PlatformRecoveryCodesView.as_view(),
        name="platform-2fa-recovery-codes",
    ),
    path("tenants/", views.TenantListCreateView.as_view(), name="platform-tenants"),
    path("tenants/<slug:slug>/", views.TenantDetailView.as_view(), name="platform-tenant"),
    path("tenants/<slug:slug>/usage/", views.TenantUsageView.as_view(), name="platform-usage"),
    path(
        "tenants/<slug:slug>/domains/",
        views.TenantDomainCreateView.as_view(),
        name="platform-tenant-domains",
    ),
    # Invoices settled by hand (issue 16, "dunning").
    path(
        "invoices/<str:number>/mark-paid/",
        invoice_actions.InvoiceMarkPaidView.as_view(),
        name="platform-invoice-mark-paid",
    ),
    path(
        "invoices/<str:number>/void/",
        invoice_actions.InvoiceVoidView.as_view(),
        name="platform-invoice-void",
    ),
    # --- issue 16, sign-up: chains signing up themselves (no sign-in).
    path(
        "signup/availability/",
        signups.SignupAvailabilityView.as_view(),
        name="platform-signup-availability",
    ),
    path("signup/options/", signups.SignupOptionsView.as_view(), name="platform-signup-options"),
    path("signups/", signups.SignupCreateView.as_view(), name="platform-signups"),
    # --- issue 16, close: plans, the monthly close, invoices
    path("plans/", billing.PlanListCreateView.as_view(), name="platform-plans"),
    path("plans/<slug:code>/", billing.PlanDetailView.as_view(), name="platform-plan"),
    path("billing/close/", billing.CloseView.as_view(), name="platform-billing-close"),
    path("invoices/", billing.InvoiceListView.as_view(), name="platform-invoices"),
    path("invoices/<str:number>/", billing.InvoiceDetailView.as_view(), name="platform-invoice"),
    path(
        "invoices/<str:number>/pdf/",
        billing.InvoicePdfView.as_view(),
        name="platform-invoice-pdf",
    ),
    # --- end of issue 16, close
]
