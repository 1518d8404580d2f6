"""URLs of a chain's host (its own schema): the tenant API, the dashboard, payment and
account pages, the chain's media, and the storefront, which answers every other path."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import health
from api.storefront import views as storefront
from api.storefront.media import media_file
from dashboards.sites import tenant_dashboard

urlpatterns = [
    path("healthz/", health.ready, name="healthz"),
    re_path(r"^healthz/live/?$", health.live, name="healthz-live"),
    re_path(r"^healthz/ready/?$", health.ready, name="healthz-ready"),
    # Holds, the queue and shows (their seat maps) first: on an on-sale nearly every
    # request is one of theirs, and Django tries the patterns in order (their paths are
    # not patterns of any other include).
    path("api/v1/", include("api.inventory.urls")),
    path("api/v1/", include("api.waiting_room.urls")),
    path("api/v1/", include("api.shows.urls")),
    path("api/v1/", include("api.accounts.urls")),
    path("api/v1/", include("api.venues.urls")),
    path("api/v1/", include("api.catalog.urls")),
    path("api/v1/", include("api.transfers.urls")),
    path("api/v1/", include("api.orders.urls")),
    path("api/v1/", include("api.payments.urls")),
    path("api/v1/", include("api.tickets.urls")),
    path("api/v1/", include("api.reports.urls")),
    path("api/v1/", include("api.tills.urls")),
    # The owner pays the platform's invoices (issue 16, "dunning").
    path("api/v1/", include("api.billing.payment_urls")),
    # issue 16, close: the owner's plan and invoices
    path("api/v1/", include("api.billing.urls")),
    path("pay/", include("api.payments.page_urls")),
    path("account/", include("api.accounts.page_urls")),
    # The signed link to an order's tickets that the box office texts (`/t/<token>/`).
    path("t/", include("api.tickets.page_urls")),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(urlconf="ticketing_platform.urls_tenant"),
        name="schema",
    ),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("dashboard/", tenant_dashboard.urls),
    re_path(r"^media/(?P<path>.*)$", media_file, name="media"),
    path("manifest.webmanifest", storefront.web_manifest, name="storefront-manifest"),
    path("icon.svg", storefront.icon_svg, name="storefront-icon"),
    path("favicon.ico", storefront.favicon, name="storefront-favicon"),
    path("robots.txt", storefront.robots_txt, name="storefront-robots"),
    path("sitemap.xml", storefront.sitemap_xml, name="storefront-sitemap"),
    # Last: every other path is the storefront's (the app routes it, and shows its own
    # "not found"), except the prefixes above and static files, which WhiteNoise serves
    # before URL routing (a missing one falls through to a plain 404, not the shell).
    re_path(
        r"^(?!(?:api|ws|dashboard|pay|account|t|static|media|healthz)(?:/|$)).*$",
        storefront.storefront_shell,
        name="storefront",
    ),
]

# API clients get `{"detail", "code"}` for these too; browsers opening a page get HTML.
handler400 = "ticketing_platform.bad_requests.bad_request"
handler403 = "ticketing_platform.bad_requests.permission_denied"
handler404 = "ticketing_platform.bad_requests.page_not_found"
handler500 = "ticketing_platform.bad_requests.server_error"
