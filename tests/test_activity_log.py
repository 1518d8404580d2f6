"""The owners' activity log (`/dashboard/activity/`): each kind of change an owner asks
about reaches it from the real action (sign-ins through the login page, a refund through
the API, prices, keys and staff through their services and dashboard pages), reads as a
sentence with who, when and before → after, filters by person, kind and day, and is the
owner's alone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.checkout import checkout, sandbox, seat_ids
from tests.fixtures import PASSWORD, dashboard_sign_in, host_of
from venue_apps.accounts.models import Role, User
from venue_apps.audit.models import AuditEntry
from venue_apps.payments.services.gateways import gateway_account_set
from venue_apps.shows.services import RuleSpec, price_card_update

pytestmark = pytest.mark.django_db
CINEMA_WIFI = "198.51.100.20"


def _browser(tenant, address: str = CINEMA_WIFI) -> Client:
    return Client(HTTP_HOST=host_of(tenant), REMOTE_ADDR=address)


signed_in = dashboard_sign_in


# The kinds of what the tests here do (anything else the set-up wrote is left out).
DONE_HERE = ("sign_in", "order", "price_card", "gateway", "staff")


def _rows(page, *, kinds: tuple[str, ...] = DONE_HERE) -> list[str]:
    # The actions listed, newest first (leaving out what the test set-up itself did).
    text = page.content.decode()
    return [
        action
        for action in re.findall(r'<tr data-action="([a-z_.]+)">', text)
        if action.split(".")[0] in kinds
    ]


def _text(page) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode()))


@pytest.fixture
def owner(alpha, make_user) -> User:
    user = make_user(alpha, role=Role.OWNER, email="priya@alpha.test")
    with schema_context("alpha"):
        User.objects.filter(pk=user.pk).update(name="Priya")
        user.refresh_from_db()
    return user


def test_sign_ins_failures_and_lockouts_reach_the_log(alpha, owner, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    manager = make_user(alpha, role=Role.MANAGER)
    signed_in(alpha, manager)
    for n in range(3):
        _browser(alpha, "192.0.2.9").post(
            "/dashboard/login/", {"username": manager.email, "password": f"guess{n}"}
        )
    browser = signed_in(alpha, owner)

    page = browser.get("/dashboard/activity/")

    assert page.status_code == 200
    rows = _rows(page)
    assert rows.count("sign_in.succeeded") == 2
    assert rows.count("sign_in.failed") == 3
    assert rows.count("sign_in.locked_out") == 1
    text = _text(page)
    assert f"{manager.name} signed in to the dashboard from {CINEMA_WIFI}" in text
    assert f"Failed sign-in as {manager.email} from 192.0.2.9 (a wrong password)" in text
    assert f"{manager.email} was locked out from 192.0.2.9" in text
    assert "Priya signed in to the dashboard" in text
    assert PASSWORD not in page.content.decode() and "guess0" not in page.content.decode()


def test_a_refund_reads_as_who_refunded_which_order_and_how_much(
    alpha, programme, owner, customer, as_role
):
    _, client = customer
    show = programme["show"]
    body = checkout(client, show, seat_ids("alpha", show, ["B1"]))
    assert sandbox(client, body["payment"]["id"], "approve").status_code == 200
    refund = as_role(Role.MANAGER).post(f"/api/v1/orders/{body['id']}/refunds/", {}, format="json")
    assert refund.status_code == 201, refund.content
    with schema_context("alpha"):
        manager = User.objects.get(role=Role.MANAGER)
        entry = AuditEntry.objects.get(action="order.refunded")
    total = body["total"]
    shown = f"₹{total / 100:,.2f}"

    page = signed_in(alpha, owner).get("/dashboard/activity/?kind=refunds")

    assert _rows(page) == ["order.refunded"]
    assert entry.actor_id == manager.pk
    text = _text(page)
    assert f"{manager.name} refunded order {body['reference']} ({shown})" in text
    # Before → after, in rupees, never in paise.
    assert f"refunded amount ₹0.00 → {shown}" in text
    assert "paid → refunded" in text
    assert str(total) not in re.sub(r"\d{4}-\d\d-\d\d", "", text).replace(shown, "")


def test_price_key_signing_key_and_staff_changes_show_before_and_after(
    alpha, programme, owner, make_user
):
    box_office = make_user(alpha, role=Role.BOX_OFFICE)
    with schema_context("alpha"):
        card = programme["price_card"]
        price_card_update(card, rules=[RuleSpec("regular", 76000)], actor=owner)
        gateway_account_set(
            "stripe",
            public_key="pk_test_" + "a" * 24,
            secret_key="sk_test_" + "b" * 24,
            webhook_secret="whsec_" + "c" * 24,
            actor=owner,
        )
    browser = signed_in(alpha, owner)
    changed = browser.post(
        f"/dashboard/accounts/user/{box_office.pk}/change/",
        {"email": box_office.email, "name": "Ravi", "role": "manager", "is_active": "on"},
    )
    assert changed.status_code == 302, changed.content.decode()[:800]
    browser.post(
        "/dashboard/tickets/signingkey/",
        {"action": "rotate", "_selected_action": ["0"]},
    )

    page = browser.get("/dashboard/activity/")
    text = _text(page)

    assert page.status_code == 200
    rows = _rows(page, kinds=(*DONE_HERE, "signing_key"))
    for action in (
        "price_card.changed",
        "gateway.keys_changed",
        "staff.role_changed",
        "signing_key.created",
    ):
        assert action in rows, (action, rows)
    assert "Priya changed price card Standard" in text
    assert "regular ₹760.00" in text and "76000" not in text
    assert "Priya changed the Stripe test keys" in text
    assert "sk_test_" not in page.content.decode() and "whsec_" not in page.content.decode()
    assert f"Priya changed the role of {box_office.email} from box office to manager" in text
    assert "role box_office → manager" in text and f"name {box_office.name} → Ravi" in text
    assert "Priya made a new ticket signing key" in text


def test_the_filters_narrow_by_person_kind_and_day(alpha, owner, make_user):
    manager = make_user(alpha, role=Role.MANAGER)
    signed_in(alpha, manager)
    _browser(alpha).post("/dashboard/login/", {"username": owner.email, "password": "nope"})
    browser = signed_in(alpha, owner)
    with schema_context("alpha"):
        old = AuditEntry.objects.filter(actor_id=manager.pk).get()
        AuditEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    today = timezone.localdate(timezone=timezone.get_fixed_timezone(330))

    by_manager = browser.get(f"/dashboard/activity/?person={manager.pk}")
    about_owner = browser.get(f"/dashboard/activity/?person={owner.pk}")
    failures = browser.get("/dashboard/activity/?kind=failed_sign_ins")
    since_yesterday = browser.get(f"/dashboard/activity/?since={today - timedelta(days=1)}")
    before = browser.get(f"/dashboard/activity/?until={today - timedelta(days=5)}")

    assert _rows(by_manager) == ["sign_in.succeeded"]
    assert _rows(about_owner) == ["sign_in.succeeded", "sign_in.failed"]
    assert _rows(failures) == ["sign_in.failed"]
    assert _rows(since_yesterday) == ["sign_in.succeeded", "sign_in.failed"]
    assert _rows(before) == ["sign_in.succeeded"]
    assert manager.email in _text(before)


@pytest.mark.parametrize(
    "query",
    [
        "person=abc",
        "person=999999",
        "kind=nonsense",
        "since=2024-13-40",
        "since=1000-01-01",
        "until=99999-01-01",
        "since=2026-05-02&until=2026-05-01",
        "page=-1&kind=x",
    ],
)
def test_bad_filters_are_a_form_error_not_a_500(alpha, owner, query):
    page = signed_in(alpha, owner).get(f"/dashboard/activity/?{query}")

    assert page.status_code == 400
    assert 'class="errorlist' in page.content.decode()


def test_a_page_number_out_of_range_is_the_last_page(alpha, owner):
    page = signed_in(alpha, owner).get("/dashboard/activity/?page=999")

    assert page.status_code == 200 and _rows(page) == ["sign_in.succeeded"]


@pytest.mark.parametrize(
    "role, status", [(Role.MANAGER, 403), (Role.BOX_OFFICE, 403), (Role.SCANNER, 403)]
)
def test_only_owners_read_the_activity_log(alpha, make_user, role, status):
    user = make_user(alpha, role=role)

    page = signed_in(alpha, user).get("/dashboard/activity/")

    assert page.status_code == status
    assert b"sign_in.succeeded" not in page.content


def test_customers_and_strangers_are_sent_to_the_login(alpha, make_user):
    customer = make_user(alpha, role=Role.CUSTOMER)
    browser = _browser(alpha)
    refused = browser.post("/dashboard/login/", {"username": customer.email, "password": PASSWORD})

    page = browser.get("/dashboard/activity/")

    assert refused.status_code == 200  # the form again: customers are not staff
    assert page.status_code == 302 and "/dashboard/login/" in page["Location"]


def test_another_chains_entries_never_show(alpha, beta, owner, make_user):
    beta_owner = make_user(beta, role=Role.OWNER, email="only-at-beta@beta.test")
    signed_in(beta, beta_owner)
    with schema_context("beta"):
        assert AuditEntry.objects.filter(action="sign_in.succeeded").exists()

    browser = signed_in(alpha, owner)

    page = browser.get("/dashboard/activity/")
    at_beta = browser.get("/dashboard/activity/", HTTP_HOST=host_of(beta))

    assert "only-at-beta" not in page.content.decode()
    assert _rows(page) == ["sign_in.succeeded"]
    assert at_beta.status_code == 302  # alpha's session is no sign-in at beta


def test_a_shows_prices_changed_count_as_prices(alpha, programme, owner):
    from venue_apps.shows.services import show_update

    with schema_context("alpha"):
        show_update(programme["show"], prices={"regular": 76_000}, actor=owner)
        show_update(programme["show"], audio_language="hi", actor=owner)

    page = signed_in(alpha, owner).get("/dashboard/activity/?kind=prices")

    assert _rows(page, kinds=("show",)) == ["show.changed"]
    assert "regular: ₹760.00" in _text(page)
