"""The dashboard's tills and shifts: managers and owners make tills and see every
shift; a cashier sees their own; a shift's page is its report in currency units."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tests.checkout import hold, order, seat_ids
from tests.factories import TillFactory
from tests.fixtures import obtain_tokens
from tests.test_dashboards import signed_in
from venue_apps.accounts.models import Role
from venue_apps.audit.models import AuditEntry
from venue_apps.orders.selectors import money
from venue_apps.tills.models import Shift, Till
from venue_apps.tills.services import shift_close, shift_open

pytestmark = pytest.mark.django_db


def test_an_owner_adds_a_till_in_the_dashboard(alpha, make_user, programme):
    owner = make_user(alpha, role=Role.OWNER)
    venue = programme["venue"]

    page = signed_in(alpha, owner).post(
        "/dashboard/tills/till/add/", {"venue": venue.pk, "name": "Foyer", "is_active": "on"}
    )

    assert page.status_code == 302, page.content[:400]
    with schema_context("alpha"):
        till = Till.objects.get()
        assert (till.venue_id, till.name, till.is_active) == (venue.pk, "Foyer", True)
        assert AuditEntry.objects.filter(action="till.created", actor_id=owner.pk).count() == 1


def test_a_cashier_may_not_add_a_till(alpha, make_user, programme):
    cashier = make_user(alpha, role=Role.BOX_OFFICE)

    page = signed_in(alpha, cashier).post(
        "/dashboard/tills/till/add/", {"venue": programme["venue"].pk, "name": "Mine"}
    )

    assert page.status_code == 403
    with schema_context("alpha"):
        assert not Till.objects.exists()


@pytest.fixture
def two_shifts(api, alpha, make_user, programme):
    """Two cashiers' shifts at two tills; the first sold one seat for cash, then closed."""
    first, second = (make_user(alpha, role=Role.BOX_OFFICE) for _ in range(2))
    tills = [TillFactory(schema="alpha", venue=programme["venue"]) for _ in range(2)]
    with schema_context("alpha"):
        mine = shift_open(tills[0], float_amount=100_000, currency=alpha.currency, actor=first)
        theirs = shift_open(tills[1], float_amount=0, currency=alpha.currency, actor=second)
    client = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, first.email)['access']}")
    show = programme["show"]
    sold = order(client, hold(client, show, seat_ids("alpha", show, ["A1"]))["id"], "cash")
    assert sold.status_code == 201, sold.content
    with schema_context("alpha"):
        mine = shift_close(mine, counted=100_000 + sold.json()["total"] - 500, actor=first)
    return {"first": first, "mine": mine, "theirs": theirs, "total": sold.json()["total"]}


def test_a_cashier_sees_their_own_shifts_only(alpha, two_shifts):
    client = signed_in(alpha, two_shifts["first"])

    listing = client.get("/dashboard/tills/shift/")
    other = client.get(f"/dashboard/tills/shift/{two_shifts['theirs'].pk}/change/")

    assert listing.status_code == 200
    assert [shift.pk for shift in listing.context["cl"].result_list] == [two_shifts["mine"].pk]
    assert other.status_code == 302  # "no such shift", back to the index
    with schema_context("alpha"):
        assert Shift.objects.count() == 2


def test_a_shift_page_is_its_report_in_currency_units(alpha, make_user, two_shifts):
    manager = make_user(alpha, role=Role.MANAGER)
    client = signed_in(alpha, manager)
    shift = two_shifts["mine"]

    listing = client.get("/dashboard/tills/shift/")
    page = client.get(f"/dashboard/tills/shift/{shift.pk}/change/")

    assert {row.pk for row in listing.context["cl"].result_list} == {
        shift.pk,
        two_shifts["theirs"].pk,
    }
    assert page.status_code == 200
    text = page.content.decode()
    total, currency = two_shifts["total"], alpha.currency
    for label, amount in [
        ("Float", 100_000),
        ("Cash sales", total),
        ("Expected in the drawer", 100_000 + total),
        ("Counted", 100_000 + total - 500),
        ("Variance", -500),
    ]:
        assert f'<th scope="row">{label}</th><td>{money(amount, currency)}</td>' in text, label
    assert "window.print()" in text
