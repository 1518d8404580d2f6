from django.urls import path

from api.platform import views

urlpatterns = [
    path("auth/token/", views.PlatformTokenView.as_view(), name="platform-token"),
    path(
        "auth/token/refresh/",
        views.PlatformTokenRefreshView.as_view(),
        name="platform-token-refresh",
    ),
    path("tenants/", views.TenantListCreateView.as_view(), name="platform-tenants"),
    path("tenants/<slug:slug>/", views.TenantDetailView.as_view(), name="platform-tenant"),
    path("tenants/<slug:slug>/usage/", views.TenantUsageView.as_view(), name="platform-usage"),
    path(
        "tenants/<slug:slug>/domains/",
        views.TenantDomainCreateView.as_view(),
        name="platform-tenant-domains",
    ),
]
