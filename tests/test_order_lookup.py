"""The box office's order lookup: `GET /api/v1/orders/?q=` finds orders by part of a
name, email, booking reference or phone number, or by seat, for staff who read every
order; the dashboard's order search finds the same."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from pypdf import PdfReader

from tests.checkout import checkout, sandbox, seat_ids
from venue_apps.accounts.models import Role
from venue_apps.orders import selectors
from venue_apps.orders.models import Order, phone_digits

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(alpha, programme):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    return programme["show"]


@pytest.fixture
def box(as_role):
    return as_role(Role.BOX_OFFICE)


def sell(client, show, labels, **buyer) -> dict:
    """A walk-in sale at the box office, paid (through the sandbox)."""
    body = checkout(client, show, seat_ids("alpha", show, labels), **buyer)
    assert sandbox(client, body["payment"]["id"], "approve").json()["order_status"] == "paid"
    return body


@pytest.fixture
def sales(show, box) -> dict[str, dict]:
    return {
        "asha": sell(
            box,
            show,
            ["C7"],
            name="Asha Raman",
            email="asha.raman@example.com",
            phone="+91 98450-12345",
        ),
        "ben": sell(box, show, ["A2", "A3"], name="Ben Okafor", email="ben@okafor.example"),
        "chen": sell(box, show, ["B5"], name="Chen Wei", phone="020 7946 0958"),
    }


def found(client, query: str) -> list[str]:
    response = client.get("/api/v1/orders/", {"q": query})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_partial_name_finds_the_order_whatever_its_case(box, sales):
    assert found(box, "raman") == [sales["asha"]["id"]]
    assert found(box, "ASHA R") == [sales["asha"]["id"]]
    assert found(box, "  okaf  ") == [sales["ben"]["id"]]


def test_a_partial_email_finds_the_order(box, sales):
    assert found(box, "asha.raman@") == [sales["asha"]["id"]]
    assert found(box, "OKAFOR.EXAMPLE") == [sales["ben"]["id"]]


def test_part_of_the_booking_reference_finds_the_order_in_any_case(box, sales):
    reference = sales["chen"]["reference"]

    assert sales["chen"]["id"] in found(box, reference[2:7].lower())
    assert found(box, reference.lower()) == [sales["chen"]["id"]]


def test_the_phone_number_is_found_by_its_digits_however_it_is_typed(box, sales):
    assert found(box, "9845012345") == [sales["asha"]["id"]]
    assert found(box, "+91 98450 12345") == [sales["asha"]["id"]]
    assert found(box, "12345") == [sales["asha"]["id"]]
    assert found(box, "7946-0958") == [sales["chen"]["id"]]
    # Fewer than four digits are no phone number (and match nothing else here).
    assert found(box, "958") == []


def test_a_seat_label_finds_the_orders_with_that_seat(box, sales):
    # A query like "B5" also finds references containing it, and references are random:
    # these are fixed to ones without a seat's letter and digit next to each other.
    with schema_context("alpha"):
        for number, sale in enumerate(sales.values()):
            Order.objects.filter(pk=sale["id"]).update(reference=f"ZZZZZZZ{number + 2}")
    assert found(box, "B5") == [sales["chen"]["id"]]
    assert found(box, "a 3") == [sales["ben"]["id"]]
    assert found(box, "A-2") == [sales["ben"]["id"]]
    assert found(box, "C9") == []


def test_answers_are_newest_first(box, show, sales):
    again = sell(box, show, ["B6"], name="Asha Raman")

    assert found(box, "asha") == [again["id"], sales["asha"]["id"]]


def test_the_answer_is_bounded(box, show, monkeypatch):
    first = sell(box, show, ["C1"], name="Dana One")
    second = sell(box, show, ["C2"], name="Dana Two")
    monkeypatch.setattr(selectors, "SEARCH_LIMIT", 1)

    assert found(box, "dana") == [second["id"]]
    assert first["id"] != second["id"]


def test_managers_and_owners_search_too(as_role, sales):
    for role in (Role.MANAGER, Role.OWNER):
        assert found(as_role(role), "okafor") == [sales["ben"]["id"]]


def test_customers_cannot_search_they_list_their_own_orders(customer, sales, show):
    _, client = customer
    mine = checkout(client, show, seat_ids("alpha", show, ["C3"]))

    answer = client.get("/api/v1/orders/", {"q": "okafor"})

    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()["results"]] == [mine["id"]]


def test_scanners_may_not_list_orders(as_role, sales):
    assert as_role(Role.SCANNER).get("/api/v1/orders/", {"q": "okafor"}).status_code == 403


def test_another_chains_orders_are_never_found(api, beta, make_user, sales):
    from tests.fixtures import obtain_tokens

    client = api(beta)
    user = make_user(beta, role=Role.BOX_OFFICE)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, user.email)['access']}")

    for query in ("okafor", sales["ben"]["reference"], "9845012345", "A2"):
        assert found(client, query) == []


@pytest.mark.parametrize(
    "query, reason",
    [
        ("a", "at least 2"),
        ("x" * 101, "at most 100"),
        ("asha\x1b[0m", "control characters"),
        ("as\nha", "control characters"),
    ],
)
def test_bad_searches_are_a_400_with_a_reason(box, sales, query, reason):
    response = box.get("/api/v1/orders/", {"q": query})

    assert response.status_code == 400
    assert response.json()["code"] == "search_invalid"
    assert reason in response.json()["detail"]


def test_an_empty_search_lists_every_order(box, sales):
    assert box.get("/api/v1/orders/", {"q": "  "}).json()["count"] == 3


def test_each_kind_of_match_reads_its_index(alpha, sales):
    """The lookup's queries can use their trigram and seat indexes (they would, on a
    table large enough that the planner prefers them to reading it all)."""
    with schema_context(alpha.schema_name):
        with connection.cursor() as cursor:
            # Neither reading the table nor walking another index (say, newest first
            # with a filter) is an option: only an index that answers the condition.
            for kind in ("seqscan", "indexscan", "indexonlyscan"):
                cursor.execute(f"SET LOCAL enable_{kind} = off")
        plans = {
            "order_name_trgm": Order.objects.filter(name__icontains="asha").explain(),
            "order_email_trgm": Order.objects.filter(email__icontains="asha").explain(),
            "order_reference_trgm": Order.objects.filter(reference__contains="ABC").explain(),
            "order_phone_digits_trgm": Order.objects.alias(digits=phone_digits())
            .filter(digits__contains="12345")
            .explain(),
            "orderline_seat_label": Order.objects.filter(lines__seat_label="A2").explain(),
        }

    assert {index: index in plan for index, plan in plans.items()} == dict.fromkeys(plans, True)


def test_the_dashboards_order_search_finds_what_the_api_finds(alpha, make_user, sales):
    from tests.test_dashboards import signed_in

    desk = signed_in(alpha, make_user(alpha, role=Role.BOX_OFFICE))

    def listed(query: str) -> str:
        response = desk.get("/dashboard/orders/order/", {"q": query})
        assert response.status_code == 200
        return response.content.decode()

    by_phone = listed("98450 12345")
    by_seat = listed("A 2")
    too_short = listed("x")

    assert sales["asha"]["reference"] in by_phone
    assert sales["ben"]["reference"] not in by_phone
    assert sales["ben"]["reference"] in by_seat
    assert sales["chen"]["reference"] not in by_seat
    assert "Type at least 2 characters" in too_short
    assert sales["asha"]["reference"] not in too_short


# --- printing: all of an order's tickets in one PDF -------------------------------------


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_the_order_pdf_has_a_page_per_ticket_with_its_seat_and_the_reference(box, show):
    sale = sell(box, show, ["A5", "A6", "B7"], name="Asha Raman")

    pages = pdf_pages(box.get(f"/api/v1/orders/{sale['id']}/tickets/pdf/"))

    assert len(pages) == 3
    for number, (page, seat) in enumerate(zip(pages, ["A5", "A6", "B7"], strict=True), 1):
        assert f"\nSEAT\n{seat} " in page
        assert f"\nBOOKING {sale['reference']}\n" in page
        assert f"Ticket {number} of 3" in page


def test_the_customer_and_the_seller_print_the_order_and_others_get_a_404(
    show, customer, as_role, box
):
    _, client = customer
    bought = checkout(client, show, seat_ids("alpha", show, ["C4"]))
    sandbox(client, bought["payment"]["id"], "approve")
    sold = sell(box, show, ["C5", "C6"], name="Walk In")
    stranger = as_role(Role.CUSTOMER)

    assert len(pdf_pages(client.get(f"/api/v1/orders/{bought['id']}/tickets/pdf/"))) == 1
    assert len(pdf_pages(box.get(f"/api/v1/orders/{sold['id']}/tickets/pdf/"))) == 2
    assert (
        len(pdf_pages(as_role(Role.MANAGER).get(f"/api/v1/orders/{sold['id']}/tickets/pdf/"))) == 2
    )
    for order in (bought, sold):
        refused = stranger.get(f"/api/v1/orders/{order['id']}/tickets/pdf/")
        assert (refused.status_code, refused.json()["code"]) == (404, "order_not_found")
    assert client.get(f"/api/v1/orders/{sold['id']}/tickets/pdf/").status_code == 404
    assert as_role(Role.SCANNER).get(f"/api/v1/orders/{sold['id']}/tickets/pdf/").status_code == 403


def test_another_chains_staff_cannot_print_an_order(api, beta, make_user, box, show):
    from tests.fixtures import obtain_tokens

    sold = sell(box, show, ["C5"], name="Walk In")
    client = api(beta)
    owner = make_user(beta, role=Role.OWNER)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, owner.email)['access']}")

    assert client.get(f"/api/v1/orders/{sold['id']}/tickets/pdf/").status_code == 404
