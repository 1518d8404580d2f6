"""The storefront's server side: the HTML shell on every chain host (routes, meta, the
chain's config, CSP, caching, 503 before a build), its static files' caching, and the
chain's manifest, icon, robots.txt and sitemap.xml."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tests.checkout import RAZORPAY_KEYS, STRIPE_KEYS
from tests.fixtures import QueryLog

pytestmark = pytest.mark.django_db

HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


def config_of(response) -> dict:
    (raw,) = re.findall(
        r'<script id="chain-config" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    return json.loads(raw)


def nonce_of(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def directive(response, name: str) -> list[str]:
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    return []


def test_the_home_page_is_the_shell_with_the_chains_config(api, alpha, storefront_build):
    type(alpha).objects.filter(pk=alpha.pk).update(locale="en-IN")
    client = api(alpha)

    response = client.get("/", **HTML)

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert html.startswith('<!doctype html>\n<html lang="en-IN" data-style="light">')
    assert '<meta charset="utf-8">' in html
    assert (
        '<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">'
    ) in html
    assert "<title>Alpha Cinemas</title>" in html
    assert '<meta name="description" content="Book tickets at Alpha Cinemas' in html
    assert '<meta name="theme-color" content="#1f2937">' in html
    assert '<link rel="icon" href="data:image/svg+xml,' in html
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta property="og:title" content="Alpha Cinemas">' in html
    assert '<meta property="og:url" content="http://alpha.localhost/">' in html
    assert '<div id="root"></div>' in html
    assert "<noscript><p>Alpha Cinemas needs JavaScript to book tickets." in html
    assert 'name="robots"' not in html
    assert (
        ":root{--brand:#1f2937;--accent:#f59e0b;--on-brand:#ffffff;--on-accent:#111827}"
    ) in html
    config = config_of(response)
    assert list(config) == [
        "slug",
        "name",
        "logo",
        "primary_colour",
        "accent_colour",
        "style",
        "currency",
        "currency_digits",
        "locale",
        "timezone",
        "hold_ttl_seconds",
        "hold_max_seats",
        "test_mode",
        "providers",
        "oauth",
        "api",
    ]
    assert config["slug"] == "alpha"
    assert config["name"] == "Alpha Cinemas"
    assert config["logo"] is None
    assert config["style"] == "light"
    assert (config["currency"], config["locale"], config["timezone"]) == (
        "INR",
        "en-IN",
        "Asia/Kolkata",
    )
    assert config["currency_digits"] == 2
    assert (config["hold_ttl_seconds"], config["hold_max_seats"]) == (600, 10)
    assert config["test_mode"] is True
    assert config["providers"] == client.get("/api/v1/payments/providers/").json()
    assert config["oauth"] == client.get("/api/v1/auth/oauth/providers/").json()
    assert config["api"] == "/api/v1/"


@pytest.mark.parametrize("style", ["cinema", "classic"])
def test_the_shell_names_the_chains_style_before_any_script(api, alpha, storefront_build, style):
    type(alpha).objects.filter(pk=alpha.pk).update(storefront_style=style)

    response = api(alpha).get("/orders", **HTML)

    assert response.content.decode().startswith(
        f'<!doctype html>\n<html lang="en" data-style="{style}">'
    )
    assert config_of(response)["style"] == style


def test_every_script_and_style_carries_the_responses_nonce(api, alpha, storefront_build):
    response = api(alpha).get("/", **HTML)
    html = response.content.decode()
    nonce = nonce_of(response)

    scripts = re.findall(r"<script[^>]*>", html)
    executable = [tag for tag in scripts if 'type="application/json"' not in tag]

    assert executable  # the app's entry at least
    assert all(f'nonce="{nonce}"' in tag for tag in executable), executable
    assert f'<style nonce="{nonce}">' in html
    assert (
        f'<script type="module" crossorigin="" nonce="{nonce}" '
        'src="/static/app/assets/main-AbC123xy.js"></script>'
    ) in html
    assert 'href="/static/app/assets/main-Zz9_8QqA.css"' in html
    assert 'rel="modulepreload"' in html and "/static/app/assets/vendor-Qw3rTy12.js" in html


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/titles/{film}",
        "/titles/{film}/",
        "/shows/{show}",
        "/shows/{show}/",
        "/checkout/0b9e2c1e-5a0b-4c7e-9d51-0f2a3b4c5d6e",
        "/checkout/0b9e2c1e-5a0b-4c7e-9d51-0f2a3b4c5d6e/",
        "/orders",
        "/orders/",
        "/orders/0b9e2c1e-5a0b-4c7e-9d51-0f2a3b4c5d6e",
        "/signin",
        "/register/",
        "/forgot-password",
    ],
)
def test_the_apps_routes_answer_200(api, alpha, programme, storefront_build, path):
    path = path.format(film=programme["film"].pk, show=programme["show"].pk)

    response = api(alpha).get(path, **HTML)

    assert response.status_code == 200
    assert '<div id="root"></div>' in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/nowhere",
        "/titles/",
        "/titles/abc",
        "/titles/999999",
        "/shows/999999",
        "/checkout/not-a-uuid",
        "/orders/12",
        "/apiary",
        "/dashboards",
        "/" + "x" * 5000,
        "/%FF%FE%FD",
        "/caf%C3%A9/..%2F..%2Fetc%2Fpasswd",
        "/titles/99999999999999999999999999",
        "/<script>alert(1)</script>",
    ],
)
def test_any_other_path_is_the_shell_with_a_404(api, alpha, storefront_build, path):
    response = api(alpha).get(path, **HTML)

    html = response.content.decode()
    assert response.status_code == 404
    assert '<div id="root"></div>' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "<script>alert(1)</script>" not in html


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing/", "/dashboard", "/pay/sandbox/x/", "/account/x", "/static/x.js"]
)
def test_reserved_prefixes_are_never_the_shell(api, alpha, storefront_build, path):
    response = api(alpha).get(path, **HTML)

    assert 'id="root"' not in response.content.decode()


@pytest.mark.parametrize("path", ["/signin/google", "/signin/facebook", "/signin/google/"])
def test_the_oauth_return_pages_are_the_shell(api, alpha, storefront_build, path):
    response = api(alpha).get(path, **HTML)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="root"></div>' in html
    assert "<title>Signing in · Alpha Cinemas</title>" in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.parametrize("path", ["/signin/other", "/signin/google/extra", "/signin/Google"])
def test_other_providers_sign_in_pages_are_404(api, alpha, storefront_build, path):
    response = api(alpha).get(path, **HTML)

    assert response.status_code == 404
    assert '<div id="root"></div>' in response.content.decode()


def test_private_pages_ask_not_to_be_indexed(api, alpha, storefront_build):
    html = api(alpha).get("/orders", **HTML).content.decode()

    assert '<meta name="robots" content="noindex">' in html
    assert "<title>My bookings · Alpha Cinemas</title>" in html


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_other_methods_are_405(api, alpha, storefront_build, method):
    response = getattr(api(alpha), method)("/orders")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_head_answers_like_get(api, alpha, storefront_build):
    response = api(alpha).head("/signin")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"


def test_a_title_page_carries_its_title_open_graph_and_json_ld(
    api, alpha, programme, storefront_build, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from tests.test_media import jpeg

    settings.MEDIA_ROOT = tmp_path
    film = programme["film"]
    with schema_context(alpha.schema_name):
        film.poster.save("heist.jpg", ContentFile(jpeg()))

    response = api(alpha).get(f"/titles/{film.pk}", **HTML)

    html = response.content.decode()
    assert "<title>The Monsoon Heist · Alpha Cinemas</title>" in html
    assert '<meta property="og:type" content="video.movie">' in html
    assert (
        f'<meta property="og:image" content="http://alpha.localhost/media/{film.poster.name}">'
    ) in html
    assert '<meta name="description" content="A crew of retired forgers' in html
    nonce = nonce_of(response)
    (raw,) = re.findall(
        rf'<script type="application/ld\+json" nonce="{re.escape(nonce)}">(.*?)</script>', html
    )
    data = json.loads(raw)
    assert data["@type"] == "Movie"
    assert data["name"] == "The Monsoon Heist"
    assert data["duration"] == "PT140M"
    assert data["image"] == f"http://alpha.localhost/media/{film.poster.name}"
    assert data["director"] == [{"@type": "Person", "name": "Meera Nair"}]


def test_json_ld_cannot_be_broken_out_of(api, alpha, programme, storefront_build):
    from venue_apps.catalog.models import Title

    evil = '</script><script>alert("x")</script><!-- & \u2028'
    with schema_context(alpha.schema_name):
        Title.objects.filter(pk=programme["film"].pk).update(name=evil, synopsis=evil)

    html = api(alpha).get(f"/titles/{programme['film'].pk}", **HTML).content.decode()

    assert "<script>alert" not in html
    (raw,) = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html)
    assert json.loads(raw)["name"] == evil
    assert "<title>&lt;/script&gt;" in html


def test_a_plays_json_ld_lists_its_performances_on_sale_as_offers(
    api, alpha, programme, storefront_build
):
    from datetime import timedelta

    from venue_apps.inventory.services import show_put_on_sale
    from venue_apps.shows.services import show_create

    with schema_context(alpha.schema_name):
        show = show_create(
            title=programme["play"],
            auditorium=programme["auditorium"],
            starts_at=programme["show"].starts_at + timedelta(days=1),
            format="live",
            price_card=programme["price_card"],
        )
        show_put_on_sale(show)

    html = api(alpha).get(f"/titles/{programme['play'].pk}", **HTML).content.decode()

    (raw,) = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html)
    (event,) = json.loads(raw)["@graph"]
    assert event["@type"] == "TheaterEvent"
    assert event["name"] == "Waiting for Godot"
    assert event["url"] == f"http://alpha.localhost/shows/{show.pk}"
    assert event["startDate"].endswith("+05:30")
    assert event["location"]["name"] == "Aurora Phoenix"
    assert event["offers"]["priceCurrency"] == "INR"
    assert event["offers"]["price"] == "200.00"  # the cheapest seat
    assert '<meta property="og:type" content="website">' in html


def test_a_show_page_is_titled_with_the_local_start(api, alpha, programme, storefront_build):
    show = programme["show"]
    local = show.starts_at.astimezone(show.venue.zone)

    html = api(alpha).get(f"/shows/{show.pk}", **HTML).content.decode()

    when = f"{local:%a} {local.day} {local:%b %Y}, 18:00"
    assert f"<title>The Monsoon Heist, {when} · Alpha Cinemas</title>" in html


def test_the_shell_takes_few_queries(api, alpha, programme, storefront_build):
    client = api(alpha)
    client.get("/", **HTML)  # settings rows that a first visit creates

    with QueryLog(connection) as home:
        client.get("/", **HTML)
    with QueryLog(connection) as title:
        client.get(f"/titles/{programme['play'].pk}", **HTML)

    # host, payment settings, gateway accounts, OAuth clients
    assert len(home.statements) <= 4, home.statements
    # ... and the title, its credits, its shows on sale
    assert len(title.statements) <= 7, title.statements


def test_without_a_build_the_shell_is_a_503_saying_how_to_build(api, alpha, settings, tmp_path):
    settings.DJANGO_VITE = {
        "default": {
            **settings.DJANGO_VITE["default"],
            "dev_mode": False,
            "manifest_path": tmp_path / "nothing" / "manifest.json",
        }
    }

    response = api(alpha).get("/", **HTML)

    assert response.status_code == 503
    assert "make frontend" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_a_build_without_the_apps_entry_is_a_503_not_a_500(api, alpha, storefront_build):
    (storefront_build / ".vite" / "manifest.json").write_text('{"other.ts": {"file": "a.js"}}')

    response = api(alpha).get("/", **HTML)

    assert response.status_code == 503


def test_a_new_build_is_served_without_a_restart(api, alpha, storefront_build):
    client = api(alpha)
    assert "main-AbC123xy.js" in client.get("/", **HTML).content.decode()
    manifest = storefront_build / ".vite" / "manifest.json"
    build = json.loads(manifest.read_text())
    build["src/main.tsx"]["file"] = "assets/main-NeW45678.js"
    manifest.write_text(json.dumps(build, indent=1))

    assert "main-NeW45678.js" in client.get("/", **HTML).content.decode()


def _gateway(schema: str, name: str, keys: dict) -> None:
    from venue_apps.payments.services.gateways import gateway_account_set

    with schema_context(schema):
        gateway_account_set(name, **keys)


def test_a_stripe_chains_shell_allows_stripe_and_nothing_else_does(api, alpha, storefront_build):
    _gateway(alpha.schema_name, "stripe", STRIPE_KEYS)
    client = api(alpha)

    shell = client.get("/", **HTML)
    api_answer = client.get("/api/v1/tenant/")

    assert "https://js.stripe.com" in directive(shell, "script-src")
    assert "'self'" in directive(shell, "script-src")
    assert f"'nonce-{nonce_of(shell)}'" in directive(shell, "script-src")
    assert directive(shell, "frame-src") == [
        "'self'",
        "https://js.stripe.com",
        "https://hooks.stripe.com",
    ]
    assert "https://api.stripe.com" in directive(shell, "connect-src")
    assert "razorpay" not in shell["Content-Security-Policy"]
    assert "stripe" not in api_answer["Content-Security-Policy"]


def test_a_razorpay_chains_shell_allows_razorpay(api, alpha, beta, storefront_build):
    _gateway(alpha.schema_name, "razorpay", RAZORPAY_KEYS)

    shell = api(alpha).get("/", **HTML)
    other_chain = api(beta).get("/", **HTML)

    assert "https://checkout.razorpay.com" in directive(shell, "script-src")
    assert set(directive(shell, "frame-src")) >= {
        "https://api.razorpay.com",
        "https://checkout.razorpay.com",
    }
    assert set(directive(shell, "connect-src")) >= {
        "https://lumberjack.razorpay.com",
        "https://api.razorpay.com",
    }
    assert "stripe" not in shell["Content-Security-Policy"]
    assert "razorpay" not in other_chain["Content-Security-Policy"]


def test_a_sandbox_only_chain_gets_the_base_policy(api, alpha, storefront_build):
    shell = api(alpha).get("/", **HTML)

    assert directive(shell, "frame-src") == []
    assert directive(shell, "connect-src") == ["'self'"]


def test_vites_dev_server_is_allowed_in_dev_mode(api, alpha, storefront_build, settings):
    settings.DJANGO_VITE = {"default": {**settings.DJANGO_VITE["default"], "dev_mode": True}}
    from django_vite.core.asset_loader import DjangoViteAssetLoader

    DjangoViteAssetLoader._instance = None

    shell = api(alpha).get("/", **HTML)
    html = shell.content.decode()

    assert "http://localhost:5173/static/app/@vite/client" in html
    assert "http://localhost:5173" in directive(shell, "script-src")
    assert "ws://localhost:5173" in directive(shell, "connect-src")
    assert "RefreshRuntime" in html
    assert all(
        f'nonce="{nonce_of(shell)}"' in tag
        for tag in re.findall(r"<script[^>]*>", html)
        if "application/json" not in tag
    )


def test_each_chains_shell_is_its_own(api, alpha, beta, programme, storefront_build):
    alpha_config = config_of(api(alpha).get("/", **HTML))
    beta_config = config_of(api(beta).get("/", **HTML))
    alphas_title_at_beta = api(beta).get(f"/titles/{programme['film'].pk}", **HTML)

    assert (alpha_config["slug"], beta_config["slug"]) == ("alpha", "beta")
    assert (beta_config["currency"], beta_config["timezone"]) == ("EUR", "Europe/Dublin")
    assert alphas_title_at_beta.status_code == 404
    assert "Monsoon" not in alphas_title_at_beta.content.decode()


def test_a_chain_with_a_logo_uses_it_as_favicon(api, alpha, storefront_build, settings, tmp_path):
    from django.core.files.base import ContentFile

    from tenants.models import Tenant
    from tests.test_media import jpeg

    settings.MEDIA_ROOT = tmp_path
    tenant = Tenant.objects.get(pk=alpha.pk)
    tenant.logo.save("logo.jpg", ContentFile(jpeg()))

    response = api(alpha).get("/", **HTML)

    assert f'<link rel="icon" href="/media/{tenant.logo.name}">' in response.content.decode()
    assert config_of(response)["logo"] == f"/media/{tenant.logo.name}"
    manifest = api(alpha).get("/manifest.webmanifest").json()
    assert manifest["icons"][0] == {
        "src": f"/media/{tenant.logo.name}",
        "sizes": "20x30",
        "type": "image/jpeg",
        "purpose": "any",
    }
    assert api(alpha).get("/favicon.ico")["Location"] == f"/media/{tenant.logo.name}"


# --- static files --------------------------------------------------------------------------


def test_hashed_build_files_are_immutable_and_the_manifest_is_not(api, alpha, storefront_build):
    client = api(alpha)

    script = client.get("/static/app/assets/main-AbC123xy.js")
    style = client.get("/static/app/assets/main-Zz9_8QqA.css")
    manifest = client.get("/static/app/.vite/manifest.json")

    assert script.status_code == 200
    assert script["Cache-Control"] == "max-age=31536000, public, immutable"
    assert style["Cache-Control"] == "max-age=31536000, public, immutable"
    assert manifest.status_code == 200
    assert "immutable" not in manifest["Cache-Control"]


@pytest.mark.parametrize(
    "url, immutable",
    [
        ("/static/app/assets/main-AbC123xy.js", True),
        ("/static/app/assets/index-B_c-9dEf.css", True),
        ("/static/app/assets/logo-abcdefgh.svg", True),
        ("/static/app/assets/main.js", False),
        ("/static/app/assets/main-short.js", False),
        ("/static/app/.vite/manifest.json", False),
        ("/static/app/favicon-AbC123xy.ico", False),  # not under assets/
        ("/static/admin/css/base.css", False),
        ("/static/admin/css/base.0123456789ab.css", True),  # Django's hashed copies
    ],
)
def test_which_static_files_are_immutable(url, immutable):
    from ticketing_platform.static import immutable_file_test

    assert immutable_file_test("", url) is immutable


# --- the chain's small files --------------------------------------------------------------


def test_the_web_app_manifest_is_the_chains(api, alpha):
    type(alpha).objects.filter(pk=alpha.pk).update(locale="hi-IN", primary_colour="#1e1b4b")

    response = api(alpha).get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    body = response.json()
    assert body["name"] == "Alpha Cinemas"
    assert body["short_name"] == "Alpha"
    assert (body["start_url"], body["display"], body["lang"]) == ("/", "standalone", "hi-IN")
    assert body["theme_color"] == body["background_color"] == "#1e1b4b"
    assert body["icons"] == [
        {"src": "/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any maskable"}
    ]


def test_the_generated_icon_is_the_brands_initial_on_its_colour(api, alpha, beta):
    alpha_icon = api(alpha).get("/icon.svg")
    beta_icon = api(beta).get("/icon.svg").content.decode()

    assert alpha_icon["Content-Type"] == "image/svg+xml"
    assert "fill='#1f2937'" in alpha_icon.content.decode()
    assert ">A</text>" in alpha_icon.content.decode()
    assert ">B</text>" in beta_icon
    assert api(alpha).get("/favicon.ico")["Location"] == "/icon.svg"


def test_robots_txt_keeps_crawlers_to_the_storefront(api, alpha):
    response = api(alpha).get("/robots.txt")

    body = response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    for line in (
        "User-agent: *",
        "Allow: /",
        "Disallow: /api/",
        "Disallow: /dashboard/",
        "Disallow: /pay/",
        "Disallow: /account/",
        "Disallow: /checkout/",
        "Disallow: /orders",
        "Sitemap: http://alpha.localhost/sitemap.xml",
    ):
        assert line in body.splitlines()


def test_the_sitemap_lists_home_titles_and_shows_on_sale(api, alpha, beta, programme):
    from datetime import timedelta

    from venue_apps.shows.services import show_create

    with schema_context(alpha.schema_name):
        scheduled = show_create(
            title=programme["film"],
            auditorium=programme["auditorium"],
            starts_at=programme["show"].starts_at + timedelta(days=2),
            price_card=programme["price_card"],
        )

    response = api(alpha).get("/sitemap.xml")
    body = response.content.decode()
    at_beta = api(beta).get("/sitemap.xml").content.decode()

    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    locations = re.findall(r"<loc>(.*?)</loc>", body)
    assert locations == [
        "http://alpha.localhost/",
        f"http://alpha.localhost/titles/{programme['film'].pk}",
        f"http://alpha.localhost/titles/{programme['play'].pk}",
        f"http://alpha.localhost/shows/{programme['show'].pk}",
    ]
    assert f"/shows/{scheduled.pk}" not in body  # scheduled, not on sale
    assert re.findall(r"<loc>(.*?)</loc>", at_beta) == ["http://beta.localhost/"]


@pytest.mark.parametrize(
    "path", ["/manifest.webmanifest", "/robots.txt", "/sitemap.xml", "/icon.svg"]
)
def test_the_small_files_are_read_only_and_briefly_cached(api, alpha, path):
    client = api(alpha)

    assert client.get(path)["Cache-Control"] == "public, max-age=300"
    assert client.post(path).status_code == 405
