"""The storefront's server side on every chain host: the HTML shell of the React app
(every path that is not the API, the dashboard, payment and account pages, static or
media files), and the chain's web app manifest, robots.txt and sitemap.xml.

The shell is small and always fresh (`Cache-Control: no-cache`: it names the build's
hashed files, which change with each build). It carries what a page needs before any
script runs: the language, the chain's storefront style (`<html data-style>`: light,
cinema or classic), the chain's colours with readable text colours on them, a
favicon, a title and Open Graph tags for the page (the title's or show's name, a
poster), JSON-LD for a title, and the chain's configuration as JSON
(`#chain-config`), so the app starts without asking the API for it.

Paths the app knows answer 200; any other path answers 404 with the same shell, so the
app shows its own "not found" page and crawlers are not told an empty page exists.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from csp.constants import SELF
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.csrf import csrf_exempt
from django_vite.core.exceptions import (
    DjangoViteAssetNotFoundError,
    DjangoViteConfigNotFoundError,
    DjangoViteManifestError,
)

from tenants.cache import PROGRAMME_CACHE, cached
from tenants.colours import readable_text_on
from tenants.models import Tenant
from tenants.money import currency_exponent
from venue_apps.accounts.selectors import oauth_providers
from venue_apps.catalog.models import Kind, Title
from venue_apps.catalog.selectors import title_list, title_public
from venue_apps.payments.services.gateways import providers_available
from venue_apps.shows.models import Show
from venue_apps.shows.selectors import show_public, shows_selling

logger = logging.getLogger(__name__)

API_ROOT = "/api/v1/"
ENTRY = "src/main.tsx"
BUILD_COMMAND = "make frontend"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# The app's own routes (frontend/src's router), each with or without a trailing slash.
ROUTES = {
    "home": re.compile(r"/?"),
    "title": re.compile(r"/titles/(?P<title_id>[0-9]{1,18})/?"),
    "show": re.compile(r"/shows/(?P<show_id>[0-9]{1,18})/?"),
    "checkout": re.compile(rf"/checkout/(?P<hold_id>{_UUID})/?"),
    "orders": re.compile(r"/orders/?"),
    "order": re.compile(rf"/orders/(?P<order_id>{_UUID})/?"),
    "signin": re.compile(r"/signin/?"),
    # Google and Facebook send the customer back here; the app finishes signing in.
    "signin-return": re.compile(r"/signin/(?P<provider>google|facebook)/?"),
    "register": re.compile(r"/register/?"),
    "forgot-password": re.compile(r"/forgot-password/?"),
}
# Pages that are one customer's own (or a form): nothing for a search engine to list.
PRIVATE_ROUTES = frozenset(
    {"checkout", "orders", "order", "signin", "signin-return", "register", "forgot-password"}
)
ROUTE_TITLES = {
    "checkout": "Checkout",
    "orders": "My bookings",
    "order": "Your booking",
    "signin": "Sign in",
    "signin-return": "Signing in",
    "register": "Create an account",
    "forgot-password": "Forgotten password",
}
# What a gateway's browser SDK needs beyond our own origin, on the shell only, and only
# for chains that offer that gateway (Stripe.js, Razorpay Checkout).
PROVIDER_CSP: dict[str, dict[str, list[str]]] = {
    "stripe": {
        "script-src": ["https://js.stripe.com"],
        "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
        "connect-src": ["https://api.stripe.com"],
    },
    "razorpay": {
        "script-src": ["https://checkout.razorpay.com"],
        "frame-src": ["https://api.razorpay.com", "https://checkout.razorpay.com"],
        "connect-src": ["https://lumberjack.razorpay.com", "https://api.razorpay.com"],
    },
}
# schema.org types of a title's performances, by kind (films are a Movie instead).
EVENT_TYPES = {
    Kind.PLAY: "TheaterEvent",
    Kind.MUSICAL: "TheaterEvent",
    Kind.OPERA: "TheaterEvent",
    Kind.CONCERT: "MusicEvent",
    Kind.COMEDY: "ComedyEvent",
    Kind.DANCE: "DanceEvent",
    Kind.SPORT: "ScreeningEvent",
    Kind.EVENT: "Event",
}
JSON_LD_OFFERS = 20
SITEMAP_TITLES = 1000
SITEMAP_SHOWS = 5000
SITEMAP_SECONDS = 300
# Brief caching for the small per-chain files: a chain's changes show within minutes.
SMALL_FILE_CACHE = "public, max-age=300"


# --- the chain's configuration and branding ------------------------------------------------


def chain_config(tenant: Tenant) -> dict[str, Any]:
    """What the app needs of the chain before its first API call (`#chain-config`).

    `providers` and `oauth` are exactly what `GET /api/v1/payments/providers/` and
    `GET /api/v1/auth/oauth/providers/` answer."""
    providers = providers_available()
    return {
        "slug": tenant.slug,
        "name": tenant.brand_name,
        "logo": tenant.logo.url if tenant.logo else None,
        "primary_colour": tenant.primary_colour,
        "accent_colour": tenant.accent_colour,
        "style": tenant.storefront_style,
        "currency": tenant.currency,
        # The server's own minor-unit exponent: amounts are integers of it, and a
        # browser's Intl may count another number of digits for some currencies.
        "currency_digits": currency_exponent(tenant.currency),
        "locale": tenant.locale,
        "timezone": tenant.timezone,
        "hold_ttl_seconds": tenant.hold_ttl_seconds,
        "hold_max_seats": tenant.hold_max_seats,
        "test_mode": _test_mode(providers),
        "providers": providers,
        "oauth": oauth_providers(),
        "api": API_ROOT,
    }


def _test_mode(providers: list[dict[str, Any]]) -> bool:
    if providers:
        return bool(providers[0]["test_mode"])
    from venue_apps.payments.models import PaymentSettings

    return not PaymentSettings.current().live


def monogram_svg(tenant: Tenant) -> str:
    """A square icon in the chain's primary colour with its brand's first letter."""
    initial = next((char for char in tenant.brand_name if char.isalnum()), "?").upper()
    return (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'>"
        f"<rect width='64' height='64' rx='14' fill='{tenant.primary_colour}'/>"
        "<text x='32' y='44' text-anchor='middle' font-family='system-ui,sans-serif' "
        f"font-size='36' font-weight='700' fill='{readable_text_on(tenant.primary_colour)}'>"
        f"{xml_escape(initial)}</text></svg>"
    )


def favicon_href(tenant: Tenant) -> str:
    if tenant.logo:
        return tenant.logo.url
    return "data:image/svg+xml," + quote(monogram_svg(tenant), safe="")


def brand_css(tenant: Tenant) -> str:
    """CSS custom properties of the chain's colours (validated `#rrggbb` values)."""
    return (
        f":root{{--brand:{tenant.primary_colour};--accent:{tenant.accent_colour};"
        f"--on-brand:{readable_text_on(tenant.primary_colour)};"
        f"--on-accent:{readable_text_on(tenant.accent_colour)}}}"
    )


# --- what a page says about itself ----------------------------------------------------------


@dataclass
class PageMeta:
    title: str
    description: str
    status: int = 200
    og_type: str = "website"
    image: str | None = None
    noindex: bool = False
    json_ld: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def match_route(path: str) -> tuple[str, dict[str, str]] | None:
    for name, pattern in ROUTES.items():
        found = pattern.fullmatch(path)
        if found:
            return name, found.groupdict()
    return None


def _absolute(request: HttpRequest, path: str | None) -> str | None:
    if not path:
        return None
    return path if "://" in path else request.build_absolute_uri(path)


def _poster(request: HttpRequest, title: Title) -> str | None:
    if title.poster:
        return _absolute(request, title.poster.url)
    return title.poster_url or None


def _summary(text: str, limit: int = 200) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _local(show: Show) -> str:
    """A show's start as people read it, in the venue's zone: `Sat 5 Dec 2026, 18:30`
    (the app formats times by the chain's locale; this is for link previews)."""
    local = show.starts_at.astimezone(show.venue.zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def _major(amount: int, currency: str) -> str:
    """Minor units as schema.org prices them: `250.00`."""
    exponent = currency_exponent(currency)
    return f"{amount / 10**exponent:.{exponent}f}"


def title_json_ld(request: HttpRequest, tenant: Tenant, title: Title) -> dict[str, Any]:
    """schema.org for a title: a Movie for a film; otherwise its upcoming performances
    on sale, each an event of its kind with its offer (the cheapest seat)."""
    url = request.build_absolute_uri(f"/titles/{title.pk}")
    image = _poster(request, title)
    people = list(title.credits.all())
    base: dict[str, Any] = {"name": title.name, "url": url}
    if title.synopsis:
        base["description"] = title.synopsis
    if image:
        base["image"] = image
    if title.kind == Kind.FILM:
        movie: dict[str, Any] = {"@context": "https://schema.org", "@type": "Movie", **base}
        if title.runtime_minutes:
            movie["duration"] = f"PT{title.runtime_minutes}M"
        if title.certificate:
            movie["contentRating"] = title.certificate
        if title.genres:
            movie["genre"] = title.genres
        if title.languages:
            movie["inLanguage"] = title.languages
        if title.release_date:
            movie["datePublished"] = title.release_date.isoformat()
        directors = [c.person for c in people if c.role == "director"]
        actors = [c.person for c in people if c.role == "cast"]
        if directors:
            movie["director"] = [{"@type": "Person", "name": name} for name in directors]
        if actors:
            movie["actor"] = [{"@type": "Person", "name": name} for name in actors]
        return movie
    events = []
    for show in shows_selling(title=title.pk)[:JSON_LD_OFFERS]:
        zone = show.venue.zone
        venue = show.venue
        event: dict[str, Any] = {
            "@type": EVENT_TYPES.get(title.kind, "Event"),
            **base,
            "url": request.build_absolute_uri(f"/shows/{show.pk}"),
            "startDate": show.starts_at.astimezone(zone).isoformat(),
            "endDate": show.ends_at.astimezone(zone).isoformat(),
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "location": {
                "@type": "Place",
                "name": venue.name,
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": venue.address_line1,
                    "addressLocality": venue.city,
                    "postalCode": venue.postal_code,
                    "addressCountry": venue.country,
                },
            },
            "organizer": {"@type": "Organization", "name": tenant.brand_name},
        }
        prices = [int(amount) for amount in (show.prices or {}).values()]
        if prices:
            event["offers"] = {
                "@type": "Offer",
                "price": _major(min(prices), tenant.currency),
                "priceCurrency": tenant.currency,
                "availability": "https://schema.org/InStock",
                "validFrom": show.sales_open_at.astimezone(zone).isoformat(),
                "url": event["url"],
            }
        events.append(event)
    if not events:
        return {"@context": "https://schema.org", "@type": "CreativeWork", **base}
    return {"@context": "https://schema.org", "@graph": events}


# `</script>` and `<!--` inside a value must not end the script element; U+2028/2029
# are line breaks in some JavaScript parsers.
_JSON_SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def json_for_script(data: Any) -> SafeString:
    """JSON safe to put inside a `<script>` element."""
    return mark_safe(  # noqa: S308 - every character that could close the element is escaped
        json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_SCRIPT_ESCAPES)
    )


def page_meta(request: HttpRequest, tenant: Tenant) -> PageMeta:
    brand = tenant.brand_name
    default = PageMeta(
        title=brand,
        description=f"Book tickets at {brand}: what's on, show times and seats.",
    )
    matched = match_route(request.path_info)
    if matched is None:
        return PageMeta(
            title=f"Page not found · {brand}",
            description=default.description,
            status=404,
            noindex=True,
        )
    route, values = matched
    if route == "title":
        title = title_public(int(values["title_id"]))
        if title is None:
            return PageMeta(f"Not found · {brand}", default.description, status=404, noindex=True)
        return PageMeta(
            title=f"{title.name} · {brand}",
            description=_summary(title.synopsis) or f"{title.name} at {brand}.",
            og_type="video.movie" if title.kind == Kind.FILM else "website",
            image=_poster(request, title),
            json_ld=title_json_ld(request, tenant, title),
        )
    if route == "show":
        show = show_public(int(values["show_id"]))
        if show is None:
            return PageMeta(f"Not found · {brand}", default.description, status=404, noindex=True)
        where = f"{show.venue.name}, {show.auditorium.name}"
        return PageMeta(
            title=f"{show.title.name}, {_local(show)} · {brand}",
            description=f"{show.title.name} at {where}, {_local(show)}: choose your seats.",
            image=_poster(request, show.title),
        )
    if route in PRIVATE_ROUTES:
        return PageMeta(
            title=f"{ROUTE_TITLES[route]} · {brand}",
            description=default.description,
            noindex=True,
        )
    return default


# --- the shell -----------------------------------------------------------------------------


def storefront_built() -> bool:
    """Whether there is a build to serve (or Vite's dev server serves it)."""
    if settings.DJANGO_VITE["default"].get("dev_mode"):
        return True
    return Path(settings.DJANGO_VITE["default"]["manifest_path"]).is_file()


def not_built() -> HttpResponse:
    """503, never a 500: the storefront has not been built on this machine."""
    response = HttpResponse(
        render_to_string("storefront/not_built.html", {"command": BUILD_COMMAND}),
        status=503,
    )
    response["Cache-Control"] = "no-store"
    response["Retry-After"] = "60"
    return response


def csp_additions(providers: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Origins the shell must allow beyond the chain's own: the chain's gateways'
    browser SDKs, and Vite's dev server in development."""
    update: dict[str, list[str]] = {}

    def allow(directive: str, sources: list[str]) -> None:
        current = update.setdefault(directive, [SELF] if directive == "frame-src" else [])
        current.extend(source for source in sources if source not in current)

    for provider in providers:
        for directive, sources in PROVIDER_CSP.get(provider["provider"], {}).items():
            allow(directive, sources)
    vite = settings.DJANGO_VITE["default"]
    if vite.get("dev_mode"):
        origin = (
            f"{vite['dev_server_protocol']}://{vite['dev_server_host']}:{vite['dev_server_port']}"
        )
        socket = origin.replace("http", "ws", 1)
        for directive in ("script-src", "style-src", "img-src", "font-src"):
            allow(directive, [origin])
        allow("connect-src", [origin, socket])
    return update


@csrf_exempt  # it changes nothing: unsafe methods are answered 405 before anything runs
def storefront_shell(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if not storefront_built():
        return not_built()
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    meta = page_meta(request, tenant)
    config = chain_config(tenant)
    context = {
        "request": request,
        "meta": meta,
        "locale": tenant.locale,
        "style": tenant.storefront_style,
        "brand": tenant.brand_name,
        "theme_colour": tenant.primary_colour,
        "brand_css": brand_css(tenant),
        "favicon": favicon_href(tenant),
        "og_image": meta.image,
        "og_url": request.build_absolute_uri(request.path),
        "json_ld": json_for_script(meta.json_ld) if meta.json_ld else None,
        "config": config,
        "entry": ENTRY,
    }
    try:
        html = render_to_string("storefront/shell.html", context, request=request)
    except (DjangoViteAssetNotFoundError, DjangoViteManifestError, DjangoViteConfigNotFoundError):
        # A manifest without the app's entry (a half-copied or foreign build).
        logger.exception("the storefront build's manifest has no %s", ENTRY)
        return not_built()
    response = HttpResponse(html, status=meta.status)
    response["Cache-Control"] = "no-cache"
    response._csp_update = csp_additions(config["providers"])  # type: ignore[attr-defined]
    return response


# --- manifest, icon, robots, sitemap -------------------------------------------------------


def _small_file(body: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = SMALL_FILE_CACHE
    return response


def _only_safe(request: HttpRequest) -> HttpResponse | None:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return None


def _logo_icon(tenant: Tenant) -> dict[str, str] | None:
    """The logo as a manifest icon, with its size read from the file's header."""
    import mimetypes

    try:
        width, height = tenant.logo.width, tenant.logo.height
    except (OSError, ValueError, TypeError):
        return None  # a missing or unreadable file: the generated icon stands in
    return {
        "src": tenant.logo.url,
        "sizes": f"{width}x{height}",
        "type": mimetypes.guess_type(tenant.logo.name)[0] or "image/png",
        "purpose": "any",
    }


@csrf_exempt
def web_manifest(request: HttpRequest) -> HttpResponse:
    """The chain's web app manifest: its name, colours and icons, so the storefront
    installs as the chain's own app."""
    refused = _only_safe(request)
    if refused:
        return refused
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    brand = tenant.brand_name
    icons = [
        {"src": "/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any maskable"}
    ]
    if tenant.logo:
        logo = _logo_icon(tenant)
        if logo:
            icons.insert(0, logo)
    manifest = {
        "name": brand,
        # Home screens cut names at about 12 characters.
        "short_name": brand if len(brand) <= 12 else brand.split()[0][:12],
        "description": f"Book tickets at {brand}.",
        "lang": tenant.locale,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": tenant.primary_colour,
        "background_color": tenant.primary_colour,
        "icons": icons,
    }
    return _small_file(json.dumps(manifest), "application/manifest+json")


@csrf_exempt
def icon_svg(request: HttpRequest) -> HttpResponse:
    refused = _only_safe(request)
    if refused:
        return refused
    return _small_file(monogram_svg(request.tenant), "image/svg+xml")  # type: ignore[attr-defined]


@csrf_exempt
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on their own: the logo, or the generated icon."""
    refused = _only_safe(request)
    if refused:
        return refused
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    response = HttpResponseRedirect(tenant.logo.url if tenant.logo else "/icon.svg")
    response["Cache-Control"] = SMALL_FILE_CACHE
    return response


@csrf_exempt
def robots_txt(request: HttpRequest) -> HttpResponse:
    refused = _only_safe(request)
    if refused:
        return refused
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /api/",
        "Disallow: /dashboard/",
        "Disallow: /pay/",
        "Disallow: /account/",
        "Disallow: /checkout/",
        "Disallow: /orders",
        "Disallow: /signin",
        "Disallow: /register",
        "Disallow: /forgot-password",
        "",
        f"Sitemap: {request.scheme}://{request.get_host()}/sitemap.xml",
        "",
    ]
    return _small_file("\n".join(lines), "text/plain; charset=utf-8")


def sitemap_body(base: str) -> str:
    """The home page, every active title's page and every show on sale, bounded."""
    urls = [f"<url><loc>{xml_escape(base)}/</loc></url>"]
    titles = title_list().only("pk", "updated_at").order_by("pk")[:SITEMAP_TITLES]
    for title in titles:
        urls.append(
            f"<url><loc>{xml_escape(base)}/titles/{title.pk}</loc>"
            f"<lastmod>{title.updated_at.date().isoformat()}</lastmod></url>"
        )
    shows = shows_selling().select_related(None).values_list("pk", flat=True)
    for show_id in shows[:SITEMAP_SHOWS]:
        urls.append(f"<url><loc>{xml_escape(base)}/shows/{show_id}</loc></url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(urls)
        + "\n</urlset>\n"
    )


@csrf_exempt
def sitemap_xml(request: HttpRequest) -> HttpResponse:
    refused = _only_safe(request)
    if refused:
        return refused
    base = f"{request.scheme}://{request.get_host()}"
    # Per host (a chain answers on several) and per programme version.
    body = cached(
        PROGRAMME_CACHE, f"sitemap:{base}", lambda: sitemap_body(base), timeout=SITEMAP_SECONDS
    )
    return _small_file(body, "application/xml; charset=utf-8")
