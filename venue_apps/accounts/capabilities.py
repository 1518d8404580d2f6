"""Who may do what: the roles, and one table of what each role may do.

Every decision by role reads this table: the API's one permission class
(`api.permissions.HasCapability`), the dashboards (`User.has_perm`, the admin sites and
pages), and the services. Nothing else compares roles: `tests/test_capabilities_source.py`
fails on a role comparison anywhere else.

The roles and their rights are those of the API contract's "who" columns (API.md:
"Catalog and shows (read: anyone; write: owner and manager)", "Booking (customer; box
office may book for walk-ins)", "Box office and reports", "platform staff"), as the code
and `tests/test_permission_matrix.py` pin them where they say more or otherwise: owners
book too and managers do not; owners and managers scan at the door.

`ANONYMOUS` stands for a visitor who is not signed in, so the table also says what needs
no account at all. A role is good only on its own site: chain roles in a chain's schema,
platform staff in `public` (`roles_for_schema`); the API's permission class checks that.
"""

# ruff: noqa: E501 (the table below is a grid: one column per role)
from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    BOX_OFFICE = "box_office", "Box office"
    SCANNER = "scanner", "Scanner"
    CUSTOMER = "customer", "Customer"
    # Only in the public schema: the platform's own staff.
    PLATFORM_STAFF = "platform_staff", "Platform staff"


# The roles of a chain's own accounts; platform staff exist only in `public`.
TENANT_ROLES: Final = (Role.OWNER, Role.MANAGER, Role.BOX_OFFICE, Role.SCANNER, Role.CUSTOMER)


def roles_for_schema(schema_name: str) -> tuple[Role, ...]:
    """The roles an account may hold in a schema: platform staff only in `public`."""
    return (Role.PLATFORM_STAFF,) if schema_name == "public" else TENANT_ROLES


def role_of_site(user: Any, schema_name: str) -> bool:
    """Is this signed-in account's role one of this site's (see `roles_for_schema`)?"""
    return user.role in roles_for_schema(schema_name)


# A visitor who is not signed in (an anonymous cart on the storefront).
ANONYMOUS: Final = "anonymous"


class Capability(models.TextChoices):
    """What someone may do. The label completes "Your role may not …"."""

    BROWSE = "browse", "read the programme and the terms of sale"
    EDIT_PROGRAMME = "edit_programme", "change the programme"
    HOLD_SEATS = "hold_seats", "hold seats"
    BUY = "buy", "place orders or pay for them"
    SELL_AT_BOX_OFFICE = "sell_at_box_office", "sell to walk-ins"
    MANAGE_TILLS = "manage_tills", "manage tills and every cashier's shifts"
    READ_ORDERS = "read_orders", "read orders, payments and tickets"
    READ_ALL_ORDERS = "read_all_orders", "read every order of the chain"
    CANCEL_ORDERS = "cancel_orders", "cancel orders"
    REFUND = "refund", "refund orders"
    REISSUE_TICKETS = "reissue_tickets", "re-issue tickets"
    SEND_TICKETS = "send_tickets", "send an order's tickets by email or SMS"
    EDIT_SALES_TERMS = "edit_sales_terms", "change promo codes, fees, taxes or the policy"
    MANAGE_SALES = "manage_sales", "change orders, payments or tickets in the dashboard"
    READ_REPORTS = "read_reports", "read the chain's books"
    MANAGE_QUEUE = "manage_queue", "turn a show's waiting room on or off, or set its rate"
    CHECK_IN = "check_in", "check tickets in"
    MANAGE_STAFF = "manage_staff", "manage staff accounts"
    MANAGE_SIGN_IN_SETTINGS = "manage_sign_in_settings", "change how staff and customers sign in"
    MANAGE_PAYMENT_KEYS = "manage_payment_keys", "see or change the payment keys and settings"
    MANAGE_SIGNING_KEYS = "manage_signing_keys", "see or change the ticket signing keys"
    READ_AUDIT_LOG = "read_audit_log", "read the chain's activity log"
    MANAGE_BILLING = "manage_billing", "see or pay the platform's invoices"
    SIGN_IN_WITH_OAUTH = "sign_in_with_oauth", "sign in with Google or Facebook"
    USE_TWO_FACTOR = "use_two_factor", "use two-factor sign-in"
    OPEN_DASHBOARD = "open_dashboard", "open the chain's dashboard"
    BROWSE_DASHBOARD = "browse_dashboard", "browse the chain's dashboard"
    HOLD_EVERY_PERMISSION = "hold_every_permission", "do everything in this dashboard"
    RUN_PLATFORM = "run_platform", "do this"


OWNER, MANAGER, BOX_OFFICE, SCANNER, CUSTOMER, PLATFORM_STAFF = (
    Role.OWNER,
    Role.MANAGER,
    Role.BOX_OFFICE,
    Role.SCANNER,
    Role.CUSTOMER,
    Role.PLATFORM_STAFF,
)

# fmt: off
CAPABILITIES: Final[Mapping[Capability, frozenset[str]]] = MappingProxyType({
    #                                              anonymous  customer  box_office  scanner  manager  owner  platform_staff
    # The programme (venues, seat maps, titles, shows, price cards; imports, exports) and
    # the terms of sale the storefront shows (cancellation policy, booking fee, taxes).
    Capability.BROWSE:                  frozenset({ANONYMOUS, CUSTOMER, BOX_OFFICE, SCANNER, MANAGER, OWNER}),
    Capability.EDIT_PROGRAMME:          frozenset({                                          MANAGER, OWNER}),
    # Buying: anonymous carts hold seats; a signed-in buyer orders and pays; the box office
    # (and managers and owners, API.md) sell to walk-ins: orders without a customer
    # account, paid online or at the counter (cash, card terminal) through a till shift.
    Capability.HOLD_SEATS:              frozenset({ANONYMOUS, CUSTOMER, BOX_OFFICE,          MANAGER, OWNER}),
    Capability.BUY:                     frozenset({           CUSTOMER, BOX_OFFICE,                   OWNER}),
    Capability.SELL_AT_BOX_OFFICE:      frozenset({                     BOX_OFFICE,          MANAGER, OWNER}),
    # Tills (created in the dashboard) and every cashier's shifts: read, close.
    Capability.MANAGE_TILLS:            frozenset({                                          MANAGER, OWNER}),
    # Orders, payments and tickets: a buyer's own (or what they sold at the box office);
    # every order with READ_ALL_ORDERS. Scanners see tickets only through check-in.
    Capability.READ_ORDERS:             frozenset({           CUSTOMER, BOX_OFFICE,          MANAGER, OWNER}),
    Capability.READ_ALL_ORDERS:         frozenset({                     BOX_OFFICE,          MANAGER, OWNER}),
    Capability.CANCEL_ORDERS:           frozenset({           CUSTOMER, BOX_OFFICE,          MANAGER, OWNER}),
    Capability.REISSUE_TICKETS:         frozenset({                     BOX_OFFICE,          MANAGER, OWNER}),
    # The box office sends a walk-in's tickets (again) to an email address or a phone.
    Capability.SEND_TICKETS:            frozenset({                     BOX_OFFICE,          MANAGER, OWNER}),
    # Money: staff refunds, cancelling anyone's order, cancelling a show with refunds.
    Capability.REFUND:                  frozenset({                                          MANAGER, OWNER}),
    # Promo codes, the cancellation policy, the booking fee and taxes.
    Capability.EDIT_SALES_TERMS:        frozenset({                                          MANAGER, OWNER}),
    # The dashboard's orders, payments and tickets pages in full (but the keys).
    Capability.MANAGE_SALES:            frozenset({                                          MANAGER, OWNER}),
    # The books: the ledger's balances.
    Capability.READ_REPORTS:            frozenset({                                          MANAGER, OWNER}),
    # The waiting room of an on-sale: on or off, its rate, and watching it live.
    Capability.MANAGE_QUEUE:            frozenset({                                          MANAGER, OWNER}),
    # The door: the API's check-in and offline keys, the dashboard's scanner page.
    Capability.CHECK_IN:                frozenset({                                 SCANNER, MANAGER, OWNER}),
    # The owner's alone (and, in the console, platform staff's own accounts).
    Capability.MANAGE_STAFF:            frozenset({                                                   OWNER, PLATFORM_STAFF}),
    Capability.MANAGE_SIGN_IN_SETTINGS: frozenset({                                                   OWNER}),
    Capability.MANAGE_PAYMENT_KEYS:     frozenset({                                                   OWNER}),
    Capability.MANAGE_SIGNING_KEYS:     frozenset({                                                   OWNER}),
    # The activity log (the audit log): who signed in, refunded, changed prices, keys, staff.
    Capability.READ_AUDIT_LOG:          frozenset({                                                   OWNER}),
    # What the chain owes the platform: its plan, invoices, card, "pay now".
    Capability.MANAGE_BILLING:          frozenset({                                                   OWNER}),
    # Customers may sign in with Google or Facebook; staff sign in with their password.
    Capability.SIGN_IN_WITH_OAUTH:      frozenset({           CUSTOMER}),
    # Staff accounts: an authenticator app (the chain's rule may require it).
    Capability.USE_TWO_FACTOR:          frozenset({                     BOX_OFFICE, SCANNER, MANAGER, OWNER, PLATFORM_STAFF}),
    # The chain's dashboard (Django admin); scanners get only its scanner page.
    Capability.OPEN_DASHBOARD:          frozenset({                     BOX_OFFICE, SCANNER, MANAGER, OWNER}),
    Capability.BROWSE_DASHBOARD:        frozenset({                     BOX_OFFICE,          MANAGER, OWNER}),
    # Every Django permission of their own site: the chain's dashboard, the console.
    Capability.HOLD_EVERY_PERMISSION:   frozenset({                                                   OWNER, PLATFORM_STAFF}),
    # The platform API and console (apex domain, public schema).
    Capability.RUN_PLATFORM:            frozenset({                                                          PLATFORM_STAFF}),
})
# fmt: on


def role_may(role: str | None, capability: Capability) -> bool:
    """May this role (or `ANONYMOUS`) do this, whatever the account's state?"""
    return role in CAPABILITIES[capability]


def counts_as_active_owner(role: str, *, is_active: bool) -> bool:
    """A chain keeps at least one active owner (the only holder of its owner-only
    capabilities): does an account with this role and state count as one?"""
    return bool(is_active) and role == Role.OWNER


def has_capability(user: Any, capability: Capability) -> bool:
    """May this user (an account, an anonymous visitor, or None) do this now?

    An inactive account may do nothing. Which site the account belongs to is for the
    caller (a user table is per schema, so a role found there is of that site).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return role_may(ANONYMOUS, capability)
    return bool(user.is_active) and role_may(user.role, capability)


def roles_with(capability: Capability) -> frozenset[str]:
    """The roles (not `ANONYMOUS`) that may do this: for querysets (`role__in=`)."""
    return frozenset(role for role in CAPABILITIES[capability] if role != ANONYMOUS)


# --- the dashboards: Django's admin permissions ("app_label.action_model") -------------
#
# Holders of HOLD_EVERY_PERMISSION (the owner in the chain's dashboard, platform staff in
# the console) hold every one; anyone else holds those whose capability they have.

# The apps of the chain's programme.
PROGRAMME_APPS: Final = frozenset({"venues", "catalog", "shows", "inventory"})
# The apps of the sale: orders, promotions and the policy, payments and the books, tickets,
# and the sale across them (the runs of show cancellations).
SALES_APPS: Final = frozenset({"orders", "payments", "tickets", "sales"})
# Keys and settings: models whose every permission is one owner-only capability.
KEYS_AND_SETTINGS_MODELS: Final[Mapping[str, Capability]] = MappingProxyType(
    {
        "oauthclient": Capability.MANAGE_SIGN_IN_SETTINGS,
        "accountsettings": Capability.MANAGE_SIGN_IN_SETTINGS,
        "gatewayaccount": Capability.MANAGE_PAYMENT_KEYS,
        "paymentsettings": Capability.MANAGE_PAYMENT_KEYS,
        "signingkey": Capability.MANAGE_SIGNING_KEYS,
        "auditentry": Capability.READ_AUDIT_LOG,
    }
)
# What looking orders and tickets up takes (the box office's part of the dashboard).
LOOK_UP_PERMISSIONS: Final = frozenset(
    {"orders.view_order", "orders.view_orderline", "tickets.view_ticket", "payments.view_payment"}
)
# Cashiers see their own shifts in the dashboard (the page narrows the list); managing
# tills and everyone's shifts is MANAGE_TILLS.
SHIFT_PERMISSIONS: Final = frozenset({"tills.view_shift"})


def permission_capability(perm: str) -> Capability | None:
    """The capability that grants a Django permission, or None (owners' and platform
    staff's alone, by HOLD_EVERY_PERMISSION)."""
    app_label, _, codename = perm.partition(".")
    model = codename.split("_", 1)[1] if "_" in codename else ""
    if model in KEYS_AND_SETTINGS_MODELS:
        return KEYS_AND_SETTINGS_MODELS[model]
    if perm in LOOK_UP_PERMISSIONS:
        return Capability.READ_ALL_ORDERS
    if perm in SHIFT_PERMISSIONS:
        return Capability.SELL_AT_BOX_OFFICE
    if app_label == "tills":
        return Capability.MANAGE_TILLS
    if app_label == "waiting_room":
        return Capability.MANAGE_QUEUE
    if app_label in PROGRAMME_APPS:
        return Capability.EDIT_PROGRAMME
    if app_label in SALES_APPS:
        return Capability.MANAGE_SALES
    return None


def app_capabilities(app_label: str) -> frozenset[Capability]:
    """The capabilities that grant some permission of an app (its section of the
    dashboard's index), leaving out HOLD_EVERY_PERMISSION and the keys and settings."""
    found: set[Capability] = set()
    if app_label in PROGRAMME_APPS:
        found.add(Capability.EDIT_PROGRAMME)
    if app_label in SALES_APPS:
        found.add(Capability.MANAGE_SALES)
    if any(perm.startswith(f"{app_label}.") for perm in LOOK_UP_PERMISSIONS):
        found.add(Capability.READ_ALL_ORDERS)
    if app_label == "tills":
        found |= {Capability.MANAGE_TILLS, Capability.SELL_AT_BOX_OFFICE}
    if app_label == "waiting_room":
        found.add(Capability.MANAGE_QUEUE)
    return frozenset(found)


def has_any_capability(user: Any, capabilities: Iterable[Capability]) -> bool:
    return any(has_capability(user, capability) for capability in capabilities)
