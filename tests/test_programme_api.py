"""The programme API: venues, auditoriums, titles, shows, seats and showtimes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tests.fixtures import QueryLog
from tests.programme import build_programme, next_weekday
from venue_apps.accounts.models import Role
from venue_apps.catalog.models import Title
from venue_apps.shows.models import Show

pytestmark = pytest.mark.django_db


def test_anyone_reads_the_programme(as_role, programme):
    client = as_role(None)

    for path in (
        "/api/v1/venues/",
        "/api/v1/auditoriums/",
        "/api/v1/titles/",
        "/api/v1/shows/",
        "/api/v1/price-cards/",
        "/api/v1/seat-categories/",
    ):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    "role, expected, code",
    [
        (None, 401, "not_authenticated"),
        (Role.CUSTOMER, 403, "permission_denied"),
        (Role.SCANNER, 403, "permission_denied"),
        (Role.BOX_OFFICE, 403, "permission_denied"),
        (Role.MANAGER, 201, None),
        (Role.OWNER, 201, None),
    ],
)
def test_only_owners_and_managers_write(alpha, as_role, role, expected, code):
    response = as_role(role).post(
        "/api/v1/titles/", {"name": "Night Train", "runtime_minutes": 95}, format="json"
    )

    assert response.status_code == expected, response.content
    if code is not None:
        assert response.json()["code"] == code
        with schema_context(alpha.schema_name):
            assert not Title.objects.filter(name="Night Train").exists()


def test_venue_create_and_validation(as_role):
    manager = as_role(Role.MANAGER)
    payload = {
        "name": "Aurora Orion",
        "address_line1": "26/1 Dr Rajkumar Road",
        "city": "Bengaluru",
        "country": "IN",
        "timezone": "Asia/Kolkata",
    }

    created = manager.post("/api/v1/venues/", payload, format="json")
    duplicate = manager.post("/api/v1/venues/", payload, format="json")
    bad_zone = manager.post(
        "/api/v1/venues/", {**payload, "name": "X", "timezone": "Mars/Base"}, format="json"
    )

    assert created.status_code == 201
    assert created.json()["timezone"] == "Asia/Kolkata"
    assert duplicate.status_code == 409
    assert bad_zone.status_code == 400
    assert bad_zone.json()["detail"]


def test_auditorium_from_a_text_layout(as_role, programme):
    manager = as_role(Role.MANAGER)

    response = manager.post(
        "/api/v1/auditoriums/",
        {"venue": programme["venue"].pk, "name": "Audi 2", "layout": "A: RRR.RRR\nB: LL.LL"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert [seat["label"] for seat in body["seats"]] == [
        "A1",
        "A2",
        "A3",
        "A4",
        "A5",
        "A6",
        "B1",
        "B2",
        "B3",
        "B4",
    ]
    assert body["rows"] == ["A", "B"]
    assert body["seats"][6]["category"] == "recliner"


def test_bad_layout_is_a_400_naming_the_line(as_role, programme):
    response = as_role(Role.MANAGER).post(
        "/api/v1/auditoriums/",
        {"venue": programme["venue"].pk, "name": "Audi 3", "layout": "A: RRR\nB: R?R"},
        format="json",
    )

    assert response.status_code == 400
    assert "line 2" in response.json()["detail"]


def test_title_filters(as_role, programme):
    client = as_role(None)

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/titles/{query}")
        assert response.status_code == 200, response.content
        return [title["name"] for title in response.json()["results"]]

    show_day = programme["show"].local_date.isoformat()
    assert names("") == ["The Monsoon Heist", "Waiting for Godot"]
    assert names("?kind=play") == ["Waiting for Godot"]
    assert names("?genre=thriller") == ["The Monsoon Heist"]
    assert names("?language=hi") == ["The Monsoon Heist"]
    assert names("?format=imax") == ["The Monsoon Heist"]
    assert names("?q=monsoo") == ["The Monsoon Heist"]
    assert names("?q=arjun") == ["The Monsoon Heist"]
    assert names("?q=robbery") == ["The Monsoon Heist"]
    assert names("?q=forgers robbery") == ["The Monsoon Heist"]
    assert names("?q=forgers zebra") == []
    assert names(f"?date={show_day}") == ["The Monsoon Heist"]
    assert names(f"?venue={programme['venue'].pk}") == ["The Monsoon Heist"]
    assert client.get("/api/v1/titles/?date=tomorrow").status_code == 400
    assert client.get("/api/v1/titles/?format=8k").status_code == 400


def test_title_writes_invalidate_the_cached_list(
    as_role, programme, django_capture_on_commit_callbacks
):
    client = as_role(None)
    manager = as_role(Role.MANAGER)
    assert len(client.get("/api/v1/titles/").json()["results"]) == 2

    # The cache is invalidated when the write commits; run those callbacks here.
    with django_capture_on_commit_callbacks(execute=True):
        manager.post("/api/v1/titles/", {"name": "Kites", "runtime_minutes": 100}, format="json")

    assert len(client.get("/api/v1/titles/").json()["results"]) == 3


def test_show_is_priced_from_the_card_by_local_time(as_role, programme):
    manager = as_role(Role.MANAGER)
    saturday = next_weekday(
        6, programme["show"].starts_at.astimezone().time().replace(hour=11), "Asia/Kolkata"
    )

    response = manager.post(
        "/api/v1/shows/",
        {
            "title": programme["film"].pk,
            "auditorium": programme["auditorium"].pk,
            "starts_at": saturday.isoformat(),
            "format": "imax",
            "price_card": programme["price_card"].pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["prices"]["regular"] == 25000
    assert body["prices"]["premium"] == 30000
    assert body["starts_at"].endswith("+05:30")
    assert body["currency"] == "INR"
    assert body["venue"] == programme["venue"].pk


def test_overlapping_show_is_a_409_naming_the_clash(as_role, programme):
    show = programme["show"]
    # Inside the first show's cleaning time: it ends at +140 min, the screen is busy 20 more.
    response = as_role(Role.MANAGER).post(
        "/api/v1/shows/",
        {
            "title": programme["play"].pk,
            "auditorium": programme["auditorium"].pk,
            "starts_at": (show.starts_at + timedelta(minutes=150)).isoformat(),
            "format": "live",
            "price_card": programme["price_card"].pk,
        },
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "show_overlap"
    assert "The Monsoon Heist" in response.json()["detail"]
    assert Show.objects.count() == 1


def test_show_without_a_price_for_every_category_is_refused(as_role, programme):
    response = as_role(Role.MANAGER).post(
        "/api/v1/shows/",
        {
            "title": programme["film"].pk,
            "auditorium": programme["auditorium"].pk,
            "starts_at": (programme["show"].starts_at + timedelta(days=1)).isoformat(),
            "prices": {"regular": 100},
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "price_missing"
    assert "premium" in response.json()["detail"]


def test_seat_map_of_a_show(as_role, programme):
    body = as_role(None).get(f"/api/v1/shows/{programme['show'].pk}/seats/").json()

    assert body["version"] == 1
    seats = {seat["label"]: seat for seat in body["seats"]}
    assert len(seats) == 30
    assert {seat["state"] for seat in seats.values()} == {"available"}
    assert seats["D1"]["wheelchair"] is True
    assert seats["D1"]["companion"] == seats["D2"]["id"]
    assert seats["D3"]["width"] == 2
    assert set(seats["A1"]) >= {"id", "label", "row", "number", "category", "state", "x", "y"}


def test_seat_map_says_where_the_screen_is(as_role, programme):
    body = as_role(None).get(f"/api/v1/shows/{programme['show'].pk}/seats/").json()

    assert list(body) == ["version", "seats", "screen"]
    assert body["screen"] == {"y": programme["auditorium"].screen_y, "label": "Screen"}


def test_seat_map_of_a_performance_shows_a_stage(as_role, programme, alpha):
    with schema_context(alpha.schema_name):
        from venue_apps.inventory.services import show_put_on_sale
        from venue_apps.shows.services import show_create
        from venue_apps.venues.models import Auditorium

        Auditorium.objects.filter(pk=programme["auditorium"].pk).update(screen_y=-4)
        play = show_create(
            title=programme["play"],
            auditorium=Auditorium.objects.get(pk=programme["auditorium"].pk),
            starts_at=programme["show"].starts_at + timedelta(days=1),
            format="live",
            price_card=programme["price_card"],
        )
        show_put_on_sale(play)

    body = as_role(None).get(f"/api/v1/shows/{play.pk}/seats/").json()

    assert body["screen"] == {"y": -4, "label": "Stage"}


@pytest.mark.parametrize(
    "kind, label",
    [("film", "Screen"), ("play", "Stage"), ("concert", "Stage"), ("sport", "Stage")],
)
def test_screen_label(kind, label):
    from venue_apps.inventory.selectors import screen_label

    assert screen_label(kind) == label


def test_seat_map_query_count_does_not_grow_with_seats(as_role, programme, alpha):
    client = as_role(None)
    with QueryLog(connection) as log:
        client.get(f"/api/v1/shows/{programme['show'].pk}/seats/")
    # host lookup, inventory version, seats (see the 400-seat case in the auditorium test)
    assert len(log.statements) == 3, log.statements
    with QueryLog(connection) as cached_log:
        client.get(f"/api/v1/shows/{programme['show'].pk}/seats/")
    assert len(cached_log.statements) == 1, cached_log.statements


def test_show_list_has_no_n_plus_one(as_role, programme):
    client = as_role(None)
    with schema_context("alpha"):
        from venue_apps.shows.services import show_create

        for day in range(1, 6):
            show_create(
                title=programme["film"],
                auditorium=programme["auditorium"],
                starts_at=programme["show"].starts_at + timedelta(days=day),
                price_card=programme["price_card"],
            )
    with QueryLog(connection) as log:
        body = client.get("/api/v1/shows/").json()
    assert body["count"] == 6
    # host lookup, count, page with title/auditorium/venue joined
    assert len(log.statements) == 3, log.statements


def test_showtime_grid(as_role, programme):
    show = programme["show"]
    body = as_role(None).get(f"/api/v1/showtimes/?date={show.local_date.isoformat()}").json()

    assert body["date"] == show.local_date.isoformat()
    [title] = body["titles"]
    assert title["name"] == "The Monsoon Heist"
    [venue] = title["venues"]
    assert venue["name"] == "Aurora Phoenix"
    assert [entry["id"] for entry in venue["shows"]] == [show.pk]
    assert as_role(None).get("/api/v1/showtimes/").status_code == 400


def test_cancelled_show_frees_its_time(as_role, programme):
    manager = as_role(Role.MANAGER)
    show = programme["show"]
    with schema_context("alpha"):
        Show.objects.filter(pk=show.pk).update(status="scheduled")
        show.seats.all().delete()

    cancelled = manager.post(f"/api/v1/shows/{show.pk}/cancel/")
    again = manager.post(
        "/api/v1/shows/",
        {
            "title": programme["play"].pk,
            "auditorium": programme["auditorium"].pk,
            "starts_at": show.starts_at.isoformat(),
            "format": "live",
            "price_card": programme["price_card"].pk,
        },
        format="json",
    )

    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 201


def test_programme_of_one_tenant_is_invisible_to_another(api, alpha, beta, programme):
    show = programme["show"]
    # Fill alpha's caches first: a cache shared between tenants would then leak.
    for path in ("/api/v1/titles/", f"/api/v1/shows/{show.pk}/seats/", "/api/v1/shows/"):
        assert api(alpha).get(path).status_code == 200
    client = api(beta)

    assert client.get("/api/v1/titles/").json()["results"] == []
    assert client.get("/api/v1/shows/").json()["results"] == []
    day = show.local_date.isoformat()
    assert client.get(f"/api/v1/showtimes/?date={day}").json()["titles"] == []
    assert client.get(f"/api/v1/shows/{programme['show'].pk}/").status_code == 404
    assert client.get(f"/api/v1/shows/{programme['show'].pk}/seats/").status_code == 404


def test_titles_list_query_count_is_constant(as_role, programme, alpha):
    with schema_context(alpha.schema_name):
        from venue_apps.catalog.services import title_create

        for index in range(8):
            title_create(name=f"Film {index}", runtime_minutes=90 + index, genres=["drama"])
    with QueryLog(connection) as log:
        body = as_role(None).get("/api/v1/titles/?genre=drama").json()

    assert body["count"] == 9
    assert len(log.statements) == 3, log.statements  # host, count, page


def test_auditorium_seat_map_query_count_is_constant(as_role, alpha):
    from tests.programme import big_layout

    programme = build_programme(alpha.schema_name, layout=big_layout())
    with QueryLog(connection) as log:
        body = as_role(None).get(f"/api/v1/auditoriums/{programme['auditorium'].pk}/").json()

    assert len(body["seats"]) >= 380
    assert len(log.statements) == 4, log.statements  # host, auditorium, sections, seats


def test_price_cards_are_changed_without_repricing_scheduled_shows(manager, programme, alpha):
    card = programme["price_card"]

    changed = manager.patch(
        f"/api/v1/price-cards/{card.pk}/",
        {"name": "Standard 2027", "rules": [{"category": "regular", "amount": 99900}]},
        format="json",
    )
    show = manager.get(f"/api/v1/shows/{programme['show'].pk}/").json()
    clash = manager.post("/api/v1/price-cards/", {"name": "Other", "rules": []}, format="json")
    renamed_onto = manager.patch(
        f"/api/v1/price-cards/{card.pk}/", {"name": "Other"}, format="json"
    )

    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "Standard 2027"
    assert changed.json()["rules"] == [
        {
            "category": "regular",
            "amount": 99900,
            "weekdays": [],
            "starts_at": None,
            "ends_at": None,
            "priority": 0,
        }
    ]
    assert show["prices"]["regular"] == 20000  # priced when scheduled
    assert clash.status_code == 201
    assert renamed_onto.status_code == 409


def test_seat_categories_are_renamed_but_keep_their_code(manager, programme, alpha):
    categories = manager.get("/api/v1/seat-categories/").json()
    recliner = next(category for category in categories if category["code"] == "recliner")

    renamed = manager.patch(
        f"/api/v1/seat-categories/{recliner['id']}/",
        {"name": "Luxury recliner", "colour": "#000000"},
        format="json",
    )
    recoded = manager.patch(
        f"/api/v1/seat-categories/{recliner['id']}/", {"code": "lux"}, format="json"
    )

    assert renamed.status_code == 200
    assert (renamed.json()["code"], renamed.json()["name"]) == ("recliner", "Luxury recliner")
    assert recoded.status_code == 400
    assert recoded.json()["code"] == "code_fixed"


def test_venue_can_be_closed_and_country_is_upper_cased(manager, programme):
    venue = programme["venue"]

    closed = manager.patch(f"/api/v1/venues/{venue.pk}/", {"is_active": False}, format="json")
    created = manager.post(
        "/api/v1/venues/",
        {
            "name": "Aurora Kochi",
            "address_line1": "MG Road",
            "city": "Kochi",
            "country": "in",
            "timezone": "Asia/Kolkata",
        },
        format="json",
    )

    assert closed.json()["is_active"] is False
    assert created.status_code == 201, created.content
    assert created.json()["country"] == "IN"
    assert [v["name"] for v in manager.get("/api/v1/venues/").json()["results"]] == ["Aurora Kochi"]


def _release_dates(alpha, dates: dict[str, str | None]) -> None:
    from datetime import date

    from venue_apps.catalog.services import title_create

    with schema_context(alpha.schema_name):
        for name, day in dates.items():
            title_create(
                name=name,
                runtime_minutes=100,
                release_date=date.fromisoformat(day) if day else None,
            )


def test_coming_soon_means_released_after_today_in_the_chains_zone(as_role, alpha):
    import time_machine

    _release_dates(
        alpha,
        {"Yesterday": "2030-01-01", "Today": "2030-01-02", "Later": "2030-01-20", "Undated": None},
    )
    client = as_role(None)
    # 20:00 UTC on 1 January is already 2 January in Kolkata (alpha's zone).
    with time_machine.travel("2030-01-01T20:00:00Z", tick=False):
        soon = client.get("/api/v1/titles/?coming_soon=true").json()["results"]
        out = client.get("/api/v1/titles/?coming_soon=false").json()["results"]
        every = client.get("/api/v1/titles/").json()["results"]

    assert [title["name"] for title in soon] == ["Later"]
    assert {title["name"] for title in out} == {"Yesterday", "Today", "Undated"}
    assert len(every) == 4


def test_coming_soon_is_a_cached_answer_of_the_chains_day(as_role, alpha):
    import time_machine

    _release_dates(alpha, {"Tomorrow": "2030-01-03"})
    client = as_role(None)
    with time_machine.travel("2030-01-02T12:00:00+05:30", tick=False):
        before = client.get("/api/v1/titles/?coming_soon=true").json()["results"]
    with time_machine.travel("2030-01-03T00:05:00+05:30", tick=False):
        after = client.get("/api/v1/titles/?coming_soon=true").json()["results"]

    assert [title["name"] for title in before] == ["Tomorrow"]
    assert after == []


def test_coming_soon_must_be_a_boolean(as_role):
    response = as_role(None).get("/api/v1/titles/?coming_soon=perhaps")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_coming_soon_is_documented(as_role):
    import json

    answer = as_role(None).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = json.loads(answer.content)
    parameters = schema["paths"]["/api/v1/titles/"]["get"]["parameters"]

    (coming_soon,) = [p for p in parameters if p["name"] == "coming_soon"]
    assert coming_soon["schema"]["type"] == "boolean"
    assert "time zone" in coming_soon["description"]


def test_a_credit_without_its_person_is_a_400_on_patch_too(as_role, programme):
    # Found by schemathesis: PATCH validates partially, nested credits included, and a
    # credit without `person` reached the service (TypeError, a 500).
    title = programme["film"]
    manager = as_role(Role.MANAGER)

    response = manager.patch(
        f"/api/v1/titles/{title.pk}/",
        {"credits": [{"role": "director", "character": ""}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "required"
    # The same shape as a POST's: DRF keys the bad items of a list by their index.
    assert response.json()["errors"] == {"credits": {"0": {"person": ["This field is required."]}}}
    with schema_context("alpha"):
        assert [credit.person for credit in title.credits.all()] == ["Meera Nair", "Arjun Rao"]
