"""Who may call what: every endpoint of a chain's API and of the platform API, by every
kind of caller, against one table.

The table is checked for completeness against the URL resolver, so a new endpoint
cannot be added without saying who may call it. A caller the table admits must get past
authentication and permissions (any answer but 401 and 403: with placeholder ids and
empty bodies that is mostly 404 or 400); a caller it refuses gets 401 when anonymous
and 403 when signed in. Tokens of another chain and of the platform are 401 everywhere
a chain's sign-in is needed, and a chain's tokens are 401 on the platform API.
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

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
ORDER_READERS = {OWNER, MANAGER, BOX, CUSTOMER}
DOOR = {OWNER, MANAGER, SCANNER}

# (url name, method) → who may call it. ANYONE with no sign-in needed at all is PUBLIC.
PUBLIC = "public"
CHAIN: dict[tuple[str, str], set[str] | str] = {
    ("auth-register", "POST"): PUBLIC,
    ("auth-token", "POST"): PUBLIC,
    ("auth-token-refresh", "POST"): PUBLIC,
    ("auth-logout", "POST"): PUBLIC,
    ("auth-verify-email", "POST"): PUBLIC,
    ("auth-verify-email-resend", "POST"): SIGNED_IN,
    ("auth-password-reset", "POST"): PUBLIC,
    ("auth-password-reset-confirm", "POST"): PUBLIC,
    ("auth-password-change", "POST"): SIGNED_IN,
    ("auth-2fa", "GET"): STAFF,
    ("auth-2fa-setup", "POST"): STAFF,
    ("auth-2fa-confirm", "POST"): STAFF,
    ("auth-2fa-disable", "POST"): STAFF,
    ("auth-oauth-providers", "GET"): PUBLIC,
    ("auth-oauth", "POST"): PUBLIC,
    ("oauth-client", "GET"): {OWNER},
    ("oauth-client", "PUT"): {OWNER},
    ("staff", "GET"): {OWNER},
    ("staff", "POST"): {OWNER},
    ("staff-member", "GET"): {OWNER},
    ("staff-member", "PATCH"): {OWNER},
    ("me", "GET"): SIGNED_IN,
    ("tenant", "GET"): PUBLIC,
    ("venues", "GET"): ANYONE,
    ("venues", "POST"): PROGRAMME,
    ("venue", "GET"): ANYONE,
    ("venue", "PATCH"): PROGRAMME,
    ("seat-categories", "GET"): ANYONE,
    ("seat-categories", "POST"): PROGRAMME,
    ("seat-category", "GET"): ANYONE,
    ("seat-category", "PATCH"): PROGRAMME,
    ("auditoriums", "GET"): ANYONE,
    ("auditoriums", "POST"): PROGRAMME,
    ("auditorium", "GET"): ANYONE,
    ("auditorium", "PATCH"): PROGRAMME,
    ("titles", "GET"): ANYONE,
    ("titles", "POST"): PROGRAMME,
    ("title", "GET"): ANYONE,
    ("title", "PATCH"): PROGRAMME,
    ("shows", "GET"): ANYONE,
    ("shows", "POST"): PROGRAMME,
    ("show", "GET"): ANYONE,
    ("show", "PATCH"): PROGRAMME,
    ("show-on-sale", "POST"): PROGRAMME,
    ("show-cancel", "POST"): PROGRAMME,
    ("show-seats", "GET"): ANYONE,
    ("showtimes", "GET"): ANYONE,
    ("price-cards", "GET"): ANYONE,
    ("price-cards", "POST"): PROGRAMME,
    ("price-card", "GET"): ANYONE,
    ("price-card", "PATCH"): PROGRAMME,
    ("import", "POST"): PROGRAMME,
    ("export", "GET"): PROGRAMME,
    ("seat-map-file", "GET"): PROGRAMME,
    ("seat-map-file", "PUT"): PROGRAMME,
    ("show-holds", "POST"): BUYERS | {ANONYMOUS},
    ("hold", "GET"): BUYERS | {ANONYMOUS},
    ("hold", "DELETE"): BUYERS | {ANONYMOUS},
    ("orders", "GET"): ORDER_READERS,
    ("orders", "POST"): BUYERS,
    ("order", "GET"): ORDER_READERS,
    ("order-cancel", "GET"): ORDER_READERS,
    ("order-cancel", "POST"): ORDER_READERS,
    ("order-refunds", "POST"): PROGRAMME,
    ("order-payments", "POST"): BUYERS,
    ("promo-codes", "GET"): PROGRAMME,
    ("promo-codes", "POST"): PROGRAMME,
    ("promo-code", "GET"): PROGRAMME,
    ("promo-code", "PATCH"): PROGRAMME,
    ("cancellation-policy", "GET"): ANYONE,
    ("cancellation-policy", "PUT"): PROGRAMME,
    ("checkout-settings", "GET"): ANYONE,
    ("checkout-settings", "PUT"): PROGRAMME,
    ("payment-providers", "GET"): PUBLIC,
    ("webhook-stripe", "POST"): PUBLIC,
    ("webhook-razorpay", "POST"): PUBLIC,
    ("webhook-sandbox", "POST"): PUBLIC,
    ("payment", "GET"): ORDER_READERS,
    ("payment-confirm", "POST"): BUYERS,
    ("payment-sandbox", "POST"): BUYERS,
    ("payment-accounts", "GET"): {OWNER},
    ("payment-account", "GET"): {OWNER},
    ("payment-account", "PUT"): {OWNER},
    ("payment-settings", "GET"): {OWNER},
    ("payment-settings", "PATCH"): {OWNER},
    ("ledger", "GET"): PROGRAMME,
    ("show-cancel-and-refund", "POST"): PROGRAMME,
    ("order-tickets", "GET"): ORDER_READERS,
    ("order-tickets-pdf", "GET"): ORDER_READERS,
    ("ticket-pdf", "GET"): ORDER_READERS,
    ("ticket-reissue", "POST"): {OWNER, MANAGER, BOX},
    ("checkin", "POST"): DOOR,
    ("checkin-keys", "GET"): DOOR,
    ("schema", "GET"): PUBLIC,
    ("docs", "GET"): PUBLIC,
}
PLATFORM_STAFF = "platform_staff"
PLATFORM: dict[tuple[str, str], set[str] | str] = {
    ("platform-token", "POST"): PUBLIC,
    ("platform-token-refresh", "POST"): PUBLIC,
    ("platform-2fa", "GET"): {PLATFORM_STAFF},
    ("platform-2fa-setup", "POST"): {PLATFORM_STAFF},
    ("platform-2fa-confirm", "POST"): {PLATFORM_STAFF},
    ("platform-2fa-disable", "POST"): {PLATFORM_STAFF},
    ("platform-tenants", "GET"): {PLATFORM_STAFF},
    ("platform-tenants", "POST"): {PLATFORM_STAFF},
    ("platform-tenant", "GET"): {PLATFORM_STAFF},
    ("platform-tenant", "PATCH"): {PLATFORM_STAFF},
    ("platform-usage", "GET"): {PLATFORM_STAFF},
    ("platform-tenant-domains", "POST"): {PLATFORM_STAFF},
    ("schema", "GET"): PUBLIC,
    ("docs", "GET"): PUBLIC,
}
# Values that name something real where the route checks them before permissions
# (a kind, a provider, a chain); ids are of nothing, which staff get answered with 404.
PLACEHOLDERS = {"pk": "999999", "kind": "titles", "slug": "alpha", "provider": "stripe"}
PLACEHOLDERS_BY_ROUTE = {
    "oauth-client": {"provider": "google"},
    "auth-oauth": {"provider": "google"},
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
    for (name, method), allowed in sorted(table.items()):
        path = routes[(name, method)]
        for who, client in callers.items():
            status = _call(client, method, path).status_code
            if allowed == PUBLIC or who in allowed:
                if status in (401, 403):
                    wrong.append(f"{method} {path} ({name}) as {who}: {status}, expected in")
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
    for (name, method), allowed in sorted(CHAIN.items()):
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
    for (name, method), allowed in sorted(PLATFORM.items()):
        if allowed == PUBLIC:
            continue
        status = _call(alpha_owner, method, routes[(name, method)]).status_code
        if status != 401:
            wrong.append(f"{method} {name} with a chain owner's token: {status} != 401")

    assert wrong == []
