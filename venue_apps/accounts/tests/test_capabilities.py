"""The capability table, cell by cell, as API.md's "who" columns (and the permission
matrix, where the code says more) give it; and the dashboards' Django permissions read
from it."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django_tenants.utils import schema_context

from venue_apps.accounts.capabilities import (
    ANONYMOUS,
    CAPABILITIES,
    Capability,
    Role,
    has_capability,
    permission_capability,
    role_may,
    roles_for_schema,
    roles_with,
)

OWNER, MANAGER, BOX, SCANNER, CUSTOMER, PLATFORM = (
    Role.OWNER,
    Role.MANAGER,
    Role.BOX_OFFICE,
    Role.SCANNER,
    Role.CUSTOMER,
    Role.PLATFORM_STAFF,
)
EVERYONE_OF_A_CHAIN = {ANONYMOUS, CUSTOMER, BOX, SCANNER, MANAGER, OWNER}

EXPECTED: dict[Capability, set[str]] = {
    # "Catalog and shows (read: anyone; write: owner and manager)"
    Capability.BROWSE: EVERYONE_OF_A_CHAIN,
    Capability.EDIT_PROGRAMME: {OWNER, MANAGER},
    # "Booking (customer; box office may book for walk-ins)"; owners too; managers sell
    # at the box office ("POST /orders/ with cash: box office, manager, owner") but do
    # not buy for themselves; a cart holds seats before anyone signs in.
    Capability.HOLD_SEATS: {ANONYMOUS, CUSTOMER, BOX, MANAGER, OWNER},
    Capability.BUY: {CUSTOMER, BOX, OWNER},
    Capability.SELL_AT_BOX_OFFICE: {BOX, MANAGER, OWNER},
    Capability.MANAGE_TILLS: {MANAGER, OWNER},
    # "the customer's own orders"; staff of the chain see every order.
    Capability.READ_ORDERS: {CUSTOMER, BOX, MANAGER, OWNER},
    Capability.READ_ALL_ORDERS: {BOX, MANAGER, OWNER},
    Capability.CANCEL_ORDERS: {CUSTOMER, BOX, MANAGER, OWNER},
    Capability.REISSUE_TICKETS: {BOX, MANAGER, OWNER},
    Capability.SEND_TICKETS: {BOX, MANAGER, OWNER},
    Capability.REFUND: {MANAGER, OWNER},
    Capability.EDIT_SALES_TERMS: {MANAGER, OWNER},
    Capability.MANAGE_SALES: {MANAGER, OWNER},
    # "/reports/…: manager, owner"
    Capability.READ_REPORTS: {MANAGER, OWNER},
    # "/shows/{id}/queue-settings/: manager, owner"
    Capability.MANAGE_QUEUE: {MANAGER, OWNER},
    # "/checkin/: scanner" (and owners and managers, who may stand at a door too)
    Capability.CHECK_IN: {SCANNER, MANAGER, OWNER},
    Capability.MANAGE_STAFF: {OWNER, PLATFORM},
    Capability.MANAGE_SIGN_IN_SETTINGS: {OWNER},
    Capability.MANAGE_PAYMENT_KEYS: {OWNER},
    Capability.MANAGE_SIGNING_KEYS: {OWNER},
    Capability.READ_AUDIT_LOG: {OWNER},
    # "GET /api/v1/billing/invoices/ and their PDFs: the chain's owner" (issue 16)
    Capability.MANAGE_BILLING: {OWNER},
    Capability.SIGN_IN_WITH_OAUTH: {CUSTOMER},
    Capability.USE_TWO_FACTOR: {BOX, SCANNER, MANAGER, OWNER, PLATFORM},
    Capability.OPEN_DASHBOARD: {BOX, SCANNER, MANAGER, OWNER},
    Capability.BROWSE_DASHBOARD: {BOX, MANAGER, OWNER},
    Capability.HOLD_EVERY_PERMISSION: {OWNER, PLATFORM},
    # "platform staff" (apex domain)
    Capability.RUN_PLATFORM: {PLATFORM},
}


def test_every_capability_is_in_the_table_once():
    assert set(CAPABILITIES) == set(Capability)


@pytest.mark.parametrize("capability", list(Capability))
def test_each_capability_admits_exactly_its_roles(capability):
    assert set(CAPABILITIES[capability]) == EXPECTED[capability]


@pytest.mark.parametrize("capability", list(Capability))
def test_the_table_names_only_roles_and_anonymous(capability):
    assert set(CAPABILITIES[capability]) <= {*Role.values, ANONYMOUS}


def test_platform_staff_hold_nothing_of_a_chain():
    """Their capabilities are the console's and the platform API's, and their own
    accounts' (staff, two factors) there."""
    held = {capability for capability in Capability if role_may(PLATFORM, capability)}

    assert held == {
        Capability.RUN_PLATFORM,
        Capability.MANAGE_STAFF,
        Capability.USE_TWO_FACTOR,
        Capability.HOLD_EVERY_PERMISSION,
    }


def test_a_role_holds_only_on_its_own_site():
    assert roles_for_schema("public") == (PLATFORM,)
    assert set(roles_for_schema("alpha")) == {OWNER, MANAGER, BOX, SCANNER, CUSTOMER}


def test_roles_with_leaves_out_anonymous():
    assert roles_with(Capability.HOLD_SEATS) == {CUSTOMER, BOX, MANAGER, OWNER}


@pytest.mark.parametrize("visitor", [None, AnonymousUser()])
def test_anonymous_visitors_hold_what_the_table_gives_anonymous(visitor):
    held = {capability for capability in Capability if has_capability(visitor, capability)}

    assert held == {Capability.BROWSE, Capability.HOLD_SEATS}


def test_an_inactive_account_may_do_nothing():
    from venue_apps.accounts.models import User

    owner = User(role=OWNER, is_active=True)
    closed = User(role=OWNER, is_active=False)

    assert (owner.can(Capability.REFUND), closed.can(Capability.REFUND)) == (True, False)


# --- the dashboards ------------------------------------------------------------------


def _every_django_permission() -> list[str]:
    return [
        f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        for model in apps.get_models()
        for action in ("add", "change", "delete", "view")
    ]


KEY_MODELS = {"gatewayaccount", "paymentsettings", "signingkey"}
LOOK_UPS = {"orders.view_order", "orders.view_orderline", "tickets.view_ticket"}
LOOK_UPS |= {"payments.view_payment"}


def _manager_holds(perm: str) -> bool:
    """Managers run the programme, orders, payments, tickets and tills: not the keys."""
    app_label, _, codename = perm.partition(".")
    model = codename.split("_", 1)[1]
    in_apps = {
        *("venues", "catalog", "shows", "inventory", "orders", "payments", "tickets", "sales"),
        "tills",
        "waiting_room",
    }
    return app_label in in_apps and model not in KEY_MODELS


@pytest.mark.parametrize(
    "perm, capability",
    [
        ("venues.change_venue", Capability.EDIT_PROGRAMME),
        ("inventory.view_hold", Capability.EDIT_PROGRAMME),
        ("orders.view_order", Capability.READ_ALL_ORDERS),
        ("payments.view_payment", Capability.READ_ALL_ORDERS),
        ("orders.change_order", Capability.MANAGE_SALES),
        ("payments.view_ledgerentry", Capability.MANAGE_SALES),
        ("payments.change_gatewayaccount", Capability.MANAGE_PAYMENT_KEYS),
        ("audit.view_auditentry", Capability.READ_AUDIT_LOG),
        ("sales.view_showcancellation", Capability.MANAGE_SALES),
        ("tills.view_shift", Capability.SELL_AT_BOX_OFFICE),
        ("tills.add_till", Capability.MANAGE_TILLS),
        ("tills.change_shift", Capability.MANAGE_TILLS),
        ("waiting_room.change_queuesettings", Capability.MANAGE_QUEUE),
        ("tickets.view_signingkey", Capability.MANAGE_SIGNING_KEYS),
        ("accounts.change_accountsettings", Capability.MANAGE_SIGN_IN_SETTINGS),
        ("accounts.view_oauthclient", Capability.MANAGE_SIGN_IN_SETTINGS),
        ("accounts.add_user", None),
        ("tenants.change_tenant", None),
        ("nonsense", None),
    ],
)
def test_each_django_permission_maps_to_one_capability(perm, capability):
    assert permission_capability(perm) == capability


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, holds",
    [
        (OWNER, lambda perm: True),
        (MANAGER, _manager_holds),
        # Cashiers look orders up, and see their own shifts.
        (BOX, lambda perm: perm in LOOK_UPS | {"tills.view_shift"}),
        (SCANNER, lambda perm: False),
        (CUSTOMER, lambda perm: False),
    ],
)
def test_dashboard_permissions_follow_the_table(alpha, make_user, role, holds):
    user = make_user(alpha, role=role)
    perms = _every_django_permission()

    with schema_context(alpha.schema_name):
        wrong = [perm for perm in perms if user.has_perm(perm) != holds(perm)]
        sections = {perm.partition(".")[0] for perm in perms}
        wrong_sections = [
            app_label
            for app_label in sections
            if user.has_module_perms(app_label)
            != any(holds(perm) for perm in perms if perm.startswith(f"{app_label}."))
        ]

    assert (wrong, wrong_sections) == ([], [])


@pytest.mark.django_db
def test_a_closed_account_holds_no_dashboard_permission(alpha, make_user):
    user = make_user(alpha, role=OWNER)
    user.is_active = False

    assert (user.has_perm("venues.view_venue"), user.has_module_perms("venues")) == (False, False)
