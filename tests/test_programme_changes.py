"""Changes to a programme already scheduled: what follows, what is refused, and caches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from tests.programme import next_weekday
from venue_apps.shows.models import Show

pytestmark = pytest.mark.django_db


def scheduled_show(manager, programme, **extra):
    body = {
        "title": programme["film"].pk,
        "auditorium": programme["auditorium"].pk,
        "starts_at": (programme["show"].starts_at + timedelta(days=1)).isoformat(),
        "price_card": programme["price_card"].pk,
        **extra,
    }
    response = manager.post("/api/v1/shows/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_cancelled_show_has_no_seat_map(
    manager, api, alpha, programme, django_capture_on_commit_callbacks
):
    show = programme["show"]
    assert api(alpha).get(f"/api/v1/shows/{show.pk}/seats/").status_code == 200  # cached

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = manager.post(f"/api/v1/shows/{show.pk}/cancel/")
    again = manager.post(f"/api/v1/shows/{show.pk}/cancel/")
    seats = api(alpha).get(f"/api/v1/shows/{show.pk}/seats/")

    assert cancelled.status_code == 200
    assert again.json()["status"] == "cancelled"
    assert seats.status_code == 404
    assert seats.json()["code"] == "show_not_on_sale"


def test_a_show_cannot_go_on_sale_with_unpriced_seats(manager, alpha, programme):
    show = scheduled_show(manager, programme)
    with schema_context(alpha.schema_name):
        from venue_apps.venues.services import auditorium_layout_replace, seat_category_create

        seat_category_create(code="sofa", name="Sofa")
        auditorium_layout_replace(programme["auditorium"], layout="legend: S=sofa\nA: RRRR\nB: SS")

    response = manager.post(f"/api/v1/shows/{show['id']}/on-sale/")

    assert response.status_code == 400
    assert response.json()["code"] == "price_missing"
    assert "sofa" in response.json()["detail"]
    with schema_context(alpha.schema_name):
        assert Show.objects.get(pk=show["id"]).status == "scheduled"


def test_venue_rename_reaches_cached_lists(
    manager, api, alpha, programme, django_capture_on_commit_callbacks
):
    venue = programme["venue"]
    assert api(alpha).get("/api/v1/shows/").json()["results"][0]["venue_name"] == "Aurora Phoenix"

    with django_capture_on_commit_callbacks(execute=True):
        renamed = manager.patch(
            f"/api/v1/venues/{venue.pk}/", {"name": "Aurora Lower Parel"}, format="json"
        )

    assert renamed.status_code == 200
    assert (
        api(alpha).get("/api/v1/shows/").json()["results"][0]["venue_name"] == "Aurora Lower Parel"
    )


def test_venue_time_zone_change_moves_each_shows_local_day(manager, alpha, programme):
    show = programme["show"]  # 18:00 in Kolkata is 12:30 UTC

    manager.patch(
        f"/api/v1/venues/{programme['venue'].pk}/",
        {"timezone": "Pacific/Kiritimati"},
        format="json",
    )

    with schema_context(alpha.schema_name):
        moved = Show.objects.get(pk=show.pk)
    # 12:30 UTC is 02:30 the next day at UTC+14.
    assert moved.local_date == show.local_date + timedelta(days=1)


def test_longer_runtime_extends_upcoming_shows_or_is_refused(manager, alpha, programme):
    film = programme["film"]
    show = programme["show"]

    longer = manager.patch(f"/api/v1/titles/{film.pk}/", {"runtime_minutes": 150}, format="json")
    with schema_context(alpha.schema_name):
        extended = Show.objects.get(pk=show.pk)
    follow_on = scheduled_show(manager, programme, starts_at=extended.busy_until.isoformat())
    refused = manager.patch(f"/api/v1/titles/{film.pk}/", {"runtime_minutes": 170}, format="json")

    assert longer.status_code == 200
    assert extended.busy_until - show.busy_until == timedelta(minutes=10)
    assert follow_on["id"]
    assert refused.status_code == 409
    with schema_context(alpha.schema_name):
        assert Show.objects.get(pk=show.pk).busy_until == extended.busy_until


def test_reschedule_reprices_and_moves_the_sales_window(manager, alpha, programme):
    show = scheduled_show(manager, programme)  # a Tuesday at 18:00 Kolkata: weekday price
    saturday = next_weekday(
        6, programme["show"].starts_at.astimezone(programme["venue"].zone).time(), "Asia/Kolkata"
    )

    moved = manager.patch(
        f"/api/v1/shows/{show['id']}/", {"starts_at": saturday.isoformat()}, format="json"
    )

    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert body["prices"]["regular"] == 25000  # the weekend rule
    assert body["starts_at"] == saturday.isoformat()
    with schema_context(alpha.schema_name):
        stored = Show.objects.get(pk=show["id"])
        assert stored.sales_close_at == stored.starts_at
        assert stored.ends_at - stored.starts_at == timedelta(minutes=140)


def test_a_refused_part_of_a_change_leaves_the_show_as_it_was(manager, alpha, programme):
    show = scheduled_show(manager, programme)
    later = programme["show"].starts_at + timedelta(days=2)

    response = manager.patch(
        f"/api/v1/shows/{show['id']}/",
        {"starts_at": later.isoformat(), "sales_open_at": (later + timedelta(days=1)).isoformat()},
        format="json",
    )

    assert response.status_code == 400
    with schema_context(alpha.schema_name):
        assert Show.objects.get(pk=show["id"]).starts_at.isoformat() != later.isoformat()


@pytest.mark.parametrize(
    "change, code",
    [
        ({"starts_at": "2030-01-01T18:30"}, "offset"),
        ({"starts_at": "9999-12-31T23:00:00Z"}, "show_invalid"),
        ({"starts_at": "2020-01-01T18:30:00+05:30"}, "show_invalid"),
        ({"prices": {"regular": 10**12}}, "max_value"),
        ({"prices": {"vip": 100}}, "price_missing"),
    ],
)
def test_bad_show_input_is_a_400_with_a_reason(manager, alpha, programme, change, code):
    with schema_context(alpha.schema_name):
        before = Show.objects.count()

    response = manager.post(
        "/api/v1/shows/",
        {
            "title": programme["film"].pk,
            "auditorium": programme["auditorium"].pk,
            "starts_at": (programme["show"].starts_at + timedelta(days=3)).isoformat(),
            "price_card": programme["price_card"].pk,
            **change,
        },
        format="json",
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    with schema_context(alpha.schema_name):
        assert Show.objects.count() == before


def test_huge_price_card_amount_is_a_400(manager):
    response = manager.post(
        "/api/v1/price-cards/",
        {"name": "Silly", "rules": [{"category": "regular", "amount": 10**10}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "max_value"
