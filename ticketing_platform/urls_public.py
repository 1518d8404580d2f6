"""URLs of the apex domain (public schema): the platform API and console."""

from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import health
from dashboards import signup
from dashboards.sites import platform_console

urlpatterns = [
    # Until the storefront and console pages exist, the root shows the API.
    path("", RedirectView.as_view(url="/api/docs/", permanent=False)),
    path("healthz/", health.ready, name="healthz"),
    re_path(r"^healthz/live/?$", health.live, name="healthz-live"),
    re_path(r"^healthz/ready/?$", health.ready, name="healthz-ready"),
    path("api/platform/", include("api.platform.urls")),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(urlconf="ticketing_platform.urls_public"),
        name="schema",
    ),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("console/", platform_console.urls),
    # --- issue 16, sign-up: the pages of chains signing up themselves.
    path("signup/", signup.signup_page, name="signup"),
    path("signup/verify/<str:token>/", signup.signup_verify_page, name="signup-verify"),
]

# API clients get `{"detail", "code"}` for these too; browsers opening a page get HTML.
handler400 = "ticketing_platform.bad_requests.bad_request"
handler403 = "ticketing_platform.bad_requests.permission_denied"
handler404 = "ticketing_platform.bad_requests.page_not_found"
handler500 = "ticketing_platform.bad_requests.server_error"
