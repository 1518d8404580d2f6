"""URLs of a chain's host (its own schema): the tenant API and dashboard."""

from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.health import healthz
from api.storefront.media import media_file
from dashboards.sites import tenant_dashboard

urlpatterns = [
    # Until the storefront and console pages exist, the root shows the API.
    path("", RedirectView.as_view(url="/api/docs/", permanent=False)),
    path("healthz/", healthz, name="healthz"),
    path("api/v1/", include("api.accounts.urls")),
    path("api/v1/", include("api.venues.urls")),
    path("api/v1/", include("api.catalog.urls")),
    path("api/v1/", include("api.shows.urls")),
    path("api/v1/", include("api.transfers.urls")),
    path("api/v1/", include("api.inventory.urls")),
    path("api/v1/", include("api.orders.urls")),
    path("api/v1/", include("api.payments.urls")),
    path("api/v1/", include("api.tickets.urls")),
    path("pay/", include("api.payments.page_urls")),
    path("account/", include("api.accounts.page_urls")),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(urlconf="ticketing_platform.urls_tenant"),
        name="schema",
    ),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("dashboard/", tenant_dashboard.urls),
    re_path(r"^media/(?P<path>.*)$", media_file, name="media"),
]
