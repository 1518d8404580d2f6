"""Who may call what: every endpoint of a chain's API and of the platform API, by every
kind of caller, against one table with the expected status of every cell.

The table is checked for completeness against the URL resolver, so a new endpoint
cannot be added without saying who may call it. Each row names who is let in and what
they then get, with placeholder ids of nothing and empty bodies (so 404 and 400 mostly:
past authentication and permissions, stopped by the lookup or the validation); everyone
else gets 401 when anonymous and 403 when signed in. Tokens of another chain and of the
platform are 401 everywhere a chain's sign-in is needed, and a chain's tokens are 401 on
the platform API.
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_context

from tests.fixtures import PLATFORM_STAFF_EMAIL, obtain_tokens
from venue_apps.accounts.models import Role

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
OWNER, MANAGER, BOX, SCANNER, CUSTOMER = (
    Role.OWNER.value,
    Role.MANAGER.value,
    Role.BOX_OFFICE.value,
    Role.SCANNER.value,
    Role.CUSTOMER.value,
)
STAFF = {OWNER, MANAGER, BOX, SCANNER}
SIGNED_IN = STAFF | {CUSTOMER}
ANYONE = SIGNED_IN | {ANONYMOUS}
PROGRAMME = {OWNER, MANAGER}
BUYERS = {OWNER, BOX, CUSTOMER}
# The box office: owners, managers (API.md: "box office, manager, owner") and cashiers.
SELLERS = {OWNER, MANAGER, BOX}
HOLDERS = BUYERS | SELLERS | {ANONYMOUS}
ORDER_READERS = {OWNER, MANAGER, BOX, CUSTOMER}
DOOR = {OWNER, MANAGER, SCANNER}

# (url name, method) → (who is let in, the status they get). PUBLIC: no sign-in at all.
PUBLIC = "public"
Row = tuple[set[str] | str, int]
CHAIN: dict[tuple[str, str], Row] = {
    ("auth-register", "POST"): (PUBLIC, 400),
    ("auth-token", "POST"): (PUBLIC, 400),
    ("auth-token-refresh", "POST"): (PUBLIC, 400),
    ("auth-logout", "POST"): (PUBLIC, 400),
    ("auth-verify-email", "POST"): (PUBLIC, 400),
    ("auth-verify-email-resend", "POST"): (SIGNED_IN, 202),
    ("auth-password-reset", "POST"): (PUBLIC, 400),
    ("auth-password-reset-confirm", "POST"): (PUBLIC, 400),
    ("auth-password-change", "POST"): (SIGNED_IN, 400),
    ("auth-2fa", "GET"): (STAFF, 200),
    ("auth-2fa-setup", "POST"): (STAFF, 201),
    ("auth-2fa-confirm", "POST"): (STAFF, 400),
    ("auth-2fa-disable", "POST"): (STAFF, 400),
    ("auth-2fa-recovery-codes", "POST"): (STAFF, 400),
    ("auth-oauth-providers", "GET"): (PUBLIC, 200),
    ("auth-oauth", "POST"): (PUBLIC, 400),
    ("oauth-client", "GET"): ({OWNER}, 404),
    ("oauth-client", "PUT"): ({OWNER}, 400),
    ("account-settings", "GET"): ({OWNER}, 200),
    ("account-settings", "PUT"): ({OWNER}, 400),
    ("staff", "GET"): ({OWNER}, 200),
    ("staff", "POST"): ({OWNER}, 400),
    ("staff-member", "GET"): ({OWNER}, 404),
    ("staff-member", "PATCH"): ({OWNER}, 404),
    ("me", "GET"): (SIGNED_IN, 200),
    ("tenant", "GET"): (PUBLIC, 200),
    ("venues", "GET"): (ANYONE, 200),
    ("venues", "POST"): (PROGRAMME, 400),
    ("venue", "GET"): (ANYONE, 404),
    ("venue", "PATCH"): (PROGRAMME, 404),
    ("seat-categories", "GET"): (ANYONE, 200),
    ("seat-categories", "POST"): (PROGRAMME, 400),
    ("seat-category", "GET"): (ANYONE, 404),
    ("seat-category", "PATCH"): (PROGRAMME, 404),
    ("auditoriums", "GET"): (ANYONE, 200),
    ("auditoriums", "POST"): (PROGRAMME, 400),
    ("auditorium", "GET"): (ANYONE, 404),
    ("auditorium", "PATCH"): (PROGRAMME, 404),
    ("titles", "GET"): (ANYONE, 200),
    ("titles", "POST"): (PROGRAMME, 400),
    ("title", "GET"): (ANYONE, 404),
    ("title", "PATCH"): (PROGRAMME, 404),
    ("shows", "GET"): (ANYONE, 200),
    ("shows", "POST"): (PROGRAMME, 400),
    ("show", "GET"): (ANYONE, 404),
    ("show", "PATCH"): (PROGRAMME, 404),
    ("show-on-sale", "POST"): (PROGRAMME, 404),
    ("show-cancel", "POST"): (PROGRAMME, 404),
    ("show-seats", "GET"): (ANYONE, 404),
    ("showtimes", "GET"): (ANYONE, 400),
    ("price-cards", "GET"): (ANYONE, 200),
    ("price-cards", "POST"): (PROGRAMME, 400),
    ("price-card", "GET"): (ANYONE, 404),
    ("price-card", "PATCH"): (PROGRAMME, 404),
    ("import", "POST"): (PROGRAMME, 415),
    ("export", "GET"): (PROGRAMME, 200),
    ("seat-map-file", "GET"): (PROGRAMME, 404),
    ("seat-map-file", "PUT"): (PROGRAMME, 404),
    ("show-holds", "POST"): (HOLDERS, 400),
    ("show-queue-settings", "GET"): (PROGRAMME, 404),
    ("show-queue-settings", "PUT"): (PROGRAMME, 404),
    ("show-queue", "GET"): (ANYONE, 404),
    ("show-queue", "POST"): (HOLDERS, 404),
    ("show-queue-ticket", "GET"): (HOLDERS, 404),
    ("hold", "GET"): (HOLDERS, 404),
    ("hold", "DELETE"): (HOLDERS, 404),
    ("hold-quote", "POST"): (HOLDERS, 404),
    ("orders", "GET"): (ORDER_READERS, 200),
    ("orders", "POST"): (BUYERS | SELLERS, 400),
    ("order", "GET"): (ORDER_READERS, 404),
    ("order-cancel", "GET"): (ORDER_READERS, 404),
    ("order-cancel", "POST"): (ORDER_READERS, 404),
    ("order-refunds", "POST"): (PROGRAMME, 404),
    ("order-payments", "POST"): (BUYERS, 400),
    ("promo-codes", "GET"): (PROGRAMME, 200),
    ("promo-codes", "POST"): (PROGRAMME, 400),
    ("promo-code", "GET"): (PROGRAMME, 404),
    ("promo-code", "PATCH"): (PROGRAMME, 404),
    ("cancellation-policy", "GET"): (ANYONE, 200),
    ("cancellation-policy", "PUT"): (PROGRAMME, 200),
    ("checkout-settings", "GET"): (ANYONE, 200),
    ("checkout-settings", "PUT"): (PROGRAMME, 400),
    ("payment-providers", "GET"): (PUBLIC, 200),
    ("webhook-stripe", "POST"): (PUBLIC, 404),
    ("webhook-razorpay", "POST"): (PUBLIC, 404),
    ("webhook-sandbox", "POST"): (PUBLIC, 400),
    ("payment", "GET"): (ORDER_READERS, 404),
    ("payment-confirm", "POST"): (BUYERS, 404),
    ("payment-sandbox", "POST"): (BUYERS, 400),
    ("payment-accounts", "GET"): ({OWNER}, 200),
    ("payment-account", "GET"): ({OWNER}, 404),
    ("payment-account", "PUT"): ({OWNER}, 400),
    ("payment-settings", "GET"): ({OWNER}, 200),
    ("payment-settings", "PATCH"): ({OWNER}, 200),
    ("ledger", "GET"): (PROGRAMME, 200),
    ("report-sales", "GET"): (PROGRAMME, 400),
    ("report-occupancy", "GET"): (PROGRAMME, 400),
    ("report-refunds", "GET"): (PROGRAMME, 400),
    ("report-promo-codes", "GET"): (PROGRAMME, 400),
    ("report-payment-methods", "GET"): (PROGRAMME, 400),
    ("show-cancel-and-refund", "GET"): (PROGRAMME, 404),
    ("show-cancel-and-refund", "POST"): (PROGRAMME, 404),
    ("order-tickets", "GET"): (ORDER_READERS, 404),
    ("order-tickets-pdf", "GET"): (ORDER_READERS, 404),
    ("ticket-pdf", "GET"): (ORDER_READERS, 404),
    ("ticket-reissue", "POST"): ({OWNER, MANAGER, BOX}, 404),
    ("order-send", "POST"): ({OWNER, MANAGER, BOX}, 400),
    ("tills", "GET"): (SELLERS, 200),
    ("shifts", "POST"): (SELLERS, 400),
    ("shift-current", "GET"): (SELLERS, 404),
    ("shift-close", "POST"): (SELLERS, 400),
    ("shift-report", "GET"): (SELLERS, 404),
    ("refund-pay-out", "POST"): (SELLERS, 404),
    ("checkin", "POST"): (DOOR, 400),
    ("checkin-keys", "GET"): (DOOR, 200),
    # The platform's invoices (issue 16, "dunning"): the owner pays.
    ("billing-invoice-pay", "POST"): ({OWNER}, 404),
    # issue 16, close: the platform's invoices of this chain, for its owner only.
    ("billing", "GET"): ({OWNER}, 200),
    ("billing-invoices", "GET"): ({OWNER}, 200),
    ("billing-invoice", "GET"): ({OWNER}, 404),
    ("billing-invoice-pdf", "GET"): ({OWNER}, 404),
    ("schema", "GET"): (PUBLIC, 200),
    ("docs", "GET"): (PUBLIC, 200),
}
PLATFORM_STAFF = "platform_staff"
PLATFORM: dict[tuple[str, str], Row] = {
    ("platform-token", "POST"): (PUBLIC, 400),
    ("platform-token-refresh", "POST"): (PUBLIC, 400),
    ("platform-logout", "POST"): (PUBLIC, 400),
    ("platform-2fa", "GET"): ({PLATFORM_STAFF}, 200),
    ("platform-2fa-setup", "POST"): ({PLATFORM_STAFF}, 201),
    ("platform-2fa-confirm", "POST"): ({PLATFORM_STAFF}, 400),
    ("platform-2fa-disable", "POST"): ({PLATFORM_STAFF}, 400),
    ("platform-2fa-recovery-codes", "POST"): ({PLATFORM_STAFF}, 400),
    ("platform-tenants", "GET"): ({PLATFORM_STAFF}, 200),
    ("platform-tenants", "POST"): ({PLATFORM_STAFF}, 400),
    ("platform-tenant", "GET"): ({PLATFORM_STAFF}, 200),
    ("platform-tenant", "PATCH"): ({PLATFORM_STAFF}, 400),
    ("platform-usage", "GET"): ({PLATFORM_STAFF}, 200),
    ("platform-tenant-domains", "POST"): ({PLATFORM_STAFF}, 400),
    # Invoices settled by hand (issue 16, "dunning").
    ("platform-invoice-mark-paid", "POST"): ({PLATFORM_STAFF}, 404),
    ("platform-invoice-void", "POST"): ({PLATFORM_STAFF}, 404),
    # issue 16, sign-up: open to anyone (no sign-in); an empty form is refused.
    ("platform-signup-availability", "GET"): (PUBLIC, 200),
    ("platform-signup-options", "GET"): (PUBLIC, 200),
    ("platform-signups", "POST"): (PUBLIC, 400),
    # issue 16, close: plans, the monthly close, invoices.
    ("platform-plans", "GET"): ({PLATFORM_STAFF}, 200),
    ("platform-plans", "POST"): ({PLATFORM_STAFF}, 400),
    ("platform-plan", "GET"): ({PLATFORM_STAFF}, 404),
    ("platform-plan", "PATCH"): ({PLATFORM_STAFF}, 404),
    ("platform-billing-close", "POST"): ({PLATFORM_STAFF}, 400),
    ("platform-invoices", "GET"): ({PLATFORM_STAFF}, 200),
    ("platform-invoice", "GET"): ({PLATFORM_STAFF}, 404),
    ("platform-invoice-pdf", "GET"): ({PLATFORM_STAFF}, 404),
    ("schema", "GET"): (PUBLIC, 200),
    ("docs", "GET"): (PUBLIC, 200),
}
# A chain host's routes outside the API: pages and files for browsers, which no token
# opens. Each says who gets what without signing in (links and page tokens are checked
# by the pages themselves), and a new one must be added here. The dashboard is Django
# admin's own site, with its own login.
PAGES: dict[str, tuple[str, int]] = {
    "healthz": ("/healthz/", 200),
    "healthz-live": ("/healthz/live/", 200),
    "healthz-ready": ("/healthz/ready/", 200),
    "sandbox-page": (f"/pay/sandbox/{uuid.uuid4()}/", 404),  # without the page's token
    "verify-email-page": ("/account/verify-email/", 400),  # without the emailed link
    "reset-password-page": ("/account/reset-password/", 400),  # without the emailed link
    "forgot-password-page": ("/account/forgot-password/", 200),
    "order-tickets-link": ("/t/not-a-signed-link/", 404),  # opened by the texted link
    "media": ("/media/tenants/alpha/posters/none.jpg", 404),
    "storefront-manifest": ("/manifest.webmanifest", 200),
    "storefront-icon": ("/icon.svg", 200),
    "storefront-favicon": ("/favicon.ico", 302),
    "storefront-robots": ("/robots.txt", 200),
    "storefront-sitemap": ("/sitemap.xml", 200),
    "storefront": ("/orders", 200),
}
# Values that name something real where the route checks them before permissions
# (a kind, a provider, a chain); ids are of nothing, which staff get answered with 404.
PLACEHOLDERS = {
    "pk": "999999",
    "shift_id": "999999",
    "kind": "titles",
    "slug": "alpha",
    "provider": "stripe",
    "number": "2027-999999",
    "code": "no-such-plan",
}
PLACEHOLDERS_BY_ROUTE = {
    "oauth-client": {"provider": "google"},
    "auth-oauth": {"provider": "google"},
    "show-queue-ticket": {"ticket": "not-a-ticket"},
}


def _routes(urlconf: str) -> dict[tuple[str, str], str]:
    """(name, method) → a path with placeholder values, for every API view."""
    found: dict[tuple[str, str], str] = {}

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            assert isinstance(pattern, URLPattern)
            view = getattr(pattern.callback, "cls", None)
            path = prefix + str(pattern.pattern)
            if view is None or not path.startswith("api/"):
                continue
            for method in ("get", "post", "put", "patch", "delete"):
                if hasattr(view, method):
                    found[(pattern.name, method.upper())] = "/" + _filled(path, pattern.name)

    walk(get_resolver(urlconf).url_patterns, "")
    return found


def _filled(path: str, route: str) -> str:
    import re

    values = {**PLACEHOLDERS, **PLACEHOLDERS_BY_ROUTE.get(route, {})}

    def value(match: re.Match) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if converter == "uuid":
            return str(uuid.uuid4())
        return values[name]

    return re.sub(r"<(?:(\w+):)?(\w+)>", value, path)


def _call(client, method: str, path: str):
    if method == "GET":
        return client.get(path)
    return getattr(client, method.lower())(path, {}, format="json")


def _mismatches(table, routes, callers) -> list[str]:
    wrong = []
    for (name, method), (allowed, status_in) in sorted(table.items()):
        path = routes[(name, method)]
        for who, client in callers.items():
            status = _call(client, method, path).status_code
            if allowed == PUBLIC or who in allowed:
                expected = status_in
            else:
                expected = 401 if who == ANONYMOUS else 403
            if status != expected:
                wrong.append(f"{method} {path} ({name}) as {who}: {status} != {expected}")
    return wrong


def _signed_in(api, tenant, email, *, platform=False):
    client = api(tenant)
    access = obtain_tokens(client, email, platform=platform)["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def test_the_tables_name_every_endpoint():
    assert set(_routes("ticketing_platform.urls_tenant")) == set(CHAIN)
    assert set(_routes("ticketing_platform.urls_public")) == set(PLATFORM)


def _page_routes() -> set[str]:
    names = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            path = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not path.startswith("dashboard/"):
                    walk(pattern.url_patterns, path)
            elif not path.startswith("api/"):
                names.add(pattern.name)

    walk(get_resolver("ticketing_platform.urls_tenant").url_patterns, "")
    return names


def test_the_page_table_names_every_route_outside_the_api():
    assert _page_routes() == set(PAGES)


def test_pages_answer_anyone_and_ignore_tokens(api, alpha, beta, make_user, storefront_build):
    anonymous = api(alpha)
    customer = _signed_in(api, alpha, make_user(alpha, role=Role.CUSTOMER).email)
    foreign = api(alpha)
    foreign.credentials(
        HTTP_AUTHORIZATION="Bearer "
        + obtain_tokens(api(beta), make_user(beta, role=Role.OWNER).email)["access"]
    )

    wrong = [
        f"GET {path} ({name}) as {who}: {status} != {expected}"
        for name, (path, expected) in sorted(PAGES.items())
        for who, client in (("anonymous", anonymous), ("customer", customer), ("beta", foreign))
        if (status := client.get(path).status_code) != expected
    ]

    assert wrong == []


def test_every_chain_endpoint_admits_exactly_its_roles(api, alpha, make_user):
    callers = {ANONYMOUS: api(alpha)}
    for role in Role:
        if role != Role.PLATFORM_STAFF:
            callers[role.value] = _signed_in(api, alpha, make_user(alpha, role=role).email)

    wrong = _mismatches(CHAIN, _routes("ticketing_platform.urls_tenant"), callers)

    assert wrong == []


def test_tokens_from_elsewhere_open_nothing_at_a_chain(api, alpha, beta, make_user):
    beta_owner = make_user(beta, role=Role.OWNER)
    beta_token = obtain_tokens(api(beta), beta_owner.email)["access"]
    platform_token = obtain_tokens(api(), PLATFORM_STAFF_EMAIL, platform=True)["access"]
    foreign = {}
    for who, token in (("beta's owner", beta_token), ("platform staff", platform_token)):
        client = api(alpha)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        foreign[who] = client
    routes = _routes("ticketing_platform.urls_tenant")

    wrong = []
    for (name, method), (allowed, _) in sorted(CHAIN.items()):
        if allowed == PUBLIC:
            continue
        for who, client in foreign.items():
            status = _call(client, method, routes[(name, method)]).status_code
            if status != 401:
                wrong.append(f"{method} {name} with {who}'s token: {status} != 401")

    assert wrong == []


def test_every_platform_endpoint_admits_platform_staff_only(api, alpha, make_user):
    staff = _signed_in(api, None, PLATFORM_STAFF_EMAIL, platform=True)
    owner_token = obtain_tokens(api(alpha), make_user(alpha, role=Role.OWNER).email)["access"]
    alpha_owner = api()
    alpha_owner.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_token}")
    routes = _routes("ticketing_platform.urls_public")

    wrong = _mismatches(PLATFORM, routes, {ANONYMOUS: api(), PLATFORM_STAFF: staff})
    for (name, method), (allowed, _) in sorted(PLATFORM.items()):
        if allowed == PUBLIC:
            continue
        status = _call(alpha_owner, method, routes[(name, method)]).status_code
        if status != 401:
            wrong.append(f"{method} {name} with a chain owner's token: {status} != 401")

    assert wrong == []


def test_a_chain_that_requires_two_factors_opens_only_enrolment_to_password_tokens(
    api, alpha, make_user, django_capture_on_commit_callbacks
):
    """Every route, as each staff role signed in with the password alone at a chain
    that requires two factors of all staff: the enrolment routes and /me/ answer as
    usual, routes that never look at a token too, and everything else 403."""
    from django.urls import resolve

    from venue_apps.accounts.models import StaffTwoFactor
    from venue_apps.accounts.services.two_factor import account_settings_update

    with schema_context(alpha.schema_name), django_capture_on_commit_callbacks(execute=True):
        account_settings_update(staff_two_factor=StaffTwoFactor.ALL_STAFF)
    routes = _routes("ticketing_platform.urls_tenant")
    staff = {
        role: _signed_in(api, alpha, make_user(alpha, role=role).email)
        for role in (OWNER, MANAGER, BOX, SCANNER)
    }

    wrong, open_routes = [], set()
    for (name, method), (allowed, status_in) in sorted(CHAIN.items()):
        path = routes[(name, method)]
        view = resolve(path, urlconf="ticketing_platform.urls_tenant").func.cls
        unchecked = not view.authentication_classes
        if getattr(view, "open_before_two_factor", False):
            open_routes.add(name)
        for who, client in staff.items():
            if unchecked or getattr(view, "open_before_two_factor", False):
                expected = status_in if allowed == PUBLIC or who in allowed else 403
            else:
                expected = 403
            status = _call(client, method, path).status_code
            if status != expected:
                wrong.append(f"{method} {path} ({name}) as {who}: {status} != {expected}")

    assert wrong == []
    assert open_routes == {"auth-2fa", "auth-2fa-setup", "auth-2fa-confirm", "me"}
