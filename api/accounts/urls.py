from django.urls import path

from api.accounts import views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/verify-email/", views.VerifyEmailView.as_view(), name="auth-verify-email"),
    path(
        "auth/verify-email/resend/",
        views.VerifyEmailResendView.as_view(),
        name="auth-verify-email-resend",
    ),
    path("auth/password-reset/", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/password/change/", views.PasswordChangeView.as_view(), name="auth-password-change"),
    path("auth/2fa/", views.TwoFactorView.as_view(), name="auth-2fa"),
    path("auth/2fa/setup/", views.TwoFactorSetupView.as_view(), name="auth-2fa-setup"),
    path("auth/2fa/confirm/", views.TwoFactorConfirmView.as_view(), name="auth-2fa-confirm"),
    path("auth/2fa/disable/", views.TwoFactorDisableView.as_view(), name="auth-2fa-disable"),
    path(
        "auth/2fa/recovery-codes/",
        views.RecoveryCodesView.as_view(),
        name="auth-2fa-recovery-codes",
    ),
    path("auth/oauth/providers/", views.OAuthProvidersView.as_view(), name="auth-oauth-providers"),
    path("auth/oauth/<str:provider>/", views.OAuthSignInView.as_view(), name="auth-oauth"),
    path("oauth-clients/<str:provider>/", views.OAuthClientView.as_view(), name="oauth-client"),
    path("account-settings/", views.AccountSettingsView.as_view(), name="account-settings"),
    path("staff/", views.StaffListCreateView.as_view(), name="staff"),
    path("staff/<int:pk>/", views.StaffDetailView.as_view(), name="staff-member"),
    path("me/", views.MeView.as_view(), name="me"),
    path("tenant/", views.TenantView.as_view(), name="tenant"),
]
