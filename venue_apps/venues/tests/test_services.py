"""Venue services (and the seat-map reads built on what they write), on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.error_codes import Conflict, DomainError, NotFound
from tests.fixtures import QueryLog
from venue_apps.catalog.models import Title
from venue_apps.inventory.models import ShowSeat
from venue_apps.shows.models import Show
from venue_apps.venues import selectors
from venue_apps.venues.layout import SeatSpec
from venue_apps.venues.models import Auditorium, Seat, SeatCategory, Section, Venue
from venue_apps.venues.services import (
    auditorium_create,
    auditorium_layout_replace,
    auditorium_update,
    seat_block,
    seat_categories_ensure_defaults,
    seat_category_create,
    venue_create,
    venue_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_alpha(alpha):
    with schema_context(alpha.schema_name):
        yield alpha


@pytest.fixture
def venue(in_alpha) -> Venue:
    return venue_create(
        name="Forum Mall",
        address_line1="Hosur Road",
        city="Bengaluru",
        country="IN",
        timezone="Asia/Kolkata",
    )


def make_venue(name: str) -> Venue:
    return venue_create(
        name=name, address_line1="1 Road", city="Chennai", country="IN", timezone="Asia/Kolkata"
    )


# About 400 seats in three sections: 397 = 220 stalls + 132 executive + 45 recliners.
STALLS = [f"{row}: RRRRRRRRRR..RRRRRRRRRRRR" for row in "ABCDEFGHI"]
BIG_LAYOUT = "\n".join(
    [
        "[Stalls]",
        *STALLS,
        "J: WMRRRRRRRR..RRRRRRRRRRMW",
        "-",
        "[Executive]",
        "numbering: right-to-left",
        *(f"{row}: PPPPPPPPPP..PPPPPPPPPPPP" for row in "KLMNOP"),
        "numbering: left-to-right",
        "[Recliners]",
        "Q: LLLLLL..CCCCCC..LLLLLL",
        "R: LLLLLL..CCCCCC..LLLLLL",
        "S: LLLLLX..CCCCCC..LLLLLL",
    ]
)


def seat_rows(auditorium: Auditorium) -> list[tuple]:
    """Everything about an auditorium's seats, retired ones included, for before/after."""
    return list(
        Seat.objects.filter(auditorium=auditorium)
        .order_by("pk")
        .values_list(
            "pk",
            "label",
            "section__name",
            "category__code",
            "row",
            "number",
            "x",
            "y",
            "width",
            "is_wheelchair",
            "is_blocked",
            "is_active",
            "companion__label",
        )
    )


def statements_of(action) -> list[str]:
    with QueryLog(connection) as log:
        action()
    return log.statements


def show_seat_for(seat: Seat) -> ShowSeat:
    """The least a show needs to hold on to a seat: a title, a show, its copy of the seat."""
    show = Show.objects.filter(auditorium=seat.auditorium).first() or show_create(seat)
    return ShowSeat.objects.create(
        show=show,
        seat=seat,
        section=seat.section.name,
        row=seat.row,
        number=seat.number,
        label=seat.label,
        category=seat.category.code,
        x=seat.x,
        y=seat.y,
    )


def show_create(seat: Seat) -> Show:
    now = timezone.now()
    starts_at = now + timedelta(days=2)
    title = Title.objects.get_or_create(
        slug="test-film", defaults={"name": "Test Film", "runtime_minutes": 120}
    )[0]
    return Show.objects.create(
        title=title,
        auditorium=seat.auditorium,
        venue=seat.auditorium.venue,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=120),
        busy_until=starts_at + timedelta(minutes=135),
        local_date=starts_at.date(),
        sales_open_at=now,
        sales_close_at=starts_at,
    )


# Seat categories ---------------------------------------------------------------------


def test_default_categories_are_created_once_and_edits_survive(in_alpha):
    SeatCategory.objects.create(code="premium", name="Gold", rank=25, colour="#ffd700")

    first = seat_categories_ensure_defaults()
    second = seat_categories_ensure_defaults()

    expected = [
        ("regular", "Regular", 10, "#64748b"),
        ("premium", "Gold", 25, "#ffd700"),
        ("recliner", "Recliner", 30, "#b45309"),
        ("couple", "Couple", 40, "#db2777"),
        ("wheelchair", "Wheelchair", 50, "#2563eb"),
    ]
    assert [(c.code, c.name, c.rank, c.colour) for c in first] == expected
    assert [c.pk for c in second] == [c.pk for c in first]
    assert SeatCategory.objects.count() == 5


def test_a_category_code_is_unique(in_alpha):
    seat_category_create(code="sofa", name="Sofa", rank=60, colour="#112233")
    with pytest.raises(Conflict) as error:
        seat_category_create(code="sofa", name="Another sofa")
    assert error.value.code == "category_taken"
    assert list(SeatCategory.objects.values_list("code", "name")) == [("sofa", "Sofa")]


# Venues ------------------------------------------------------------------------------


def test_venue_create_normalises_what_it_stores(in_alpha):
    venue = venue_create(
        name="  PVR Forum ",
        address_line1=" Hosur Road ",
        city="Bengaluru",
        country="in",
        timezone="Asia/Kolkata",
        latitude=12.9344,
        longitude="77.6112345",
    )
    stored = Venue.objects.get(pk=venue.pk)
    assert (stored.name, stored.address_line1, stored.country, stored.timezone) == (
        "PVR Forum",
        "Hosur Road",
        "IN",
        "Asia/Kolkata",
    )
    assert (stored.latitude, stored.longitude) == (Decimal("12.934400"), Decimal("77.611235"))
    assert (venue.latitude, venue.longitude) == (stored.latitude, stored.longitude)


def test_a_venue_name_is_taken_whatever_its_case(venue):
    with pytest.raises(Conflict) as error:
        make_venue("forum mall")
    assert (error.value.code, error.value.status_code) == ("name_taken", 409)
    assert list(Venue.objects.values_list("name", flat=True)) == ["Forum Mall"]


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("timezone", "Asia/Bangalore", "timezone_invalid"),
        ("timezone", "", "timezone_invalid"),
        ("timezone", "localtime", "timezone_invalid"),  # whatever the server's zone is
        ("timezone", "Factory", "timezone_invalid"),
        ("country", "IND", "country_invalid"),
        ("name", "   ", "name_invalid"),
        ("latitude", 91, "coordinates_invalid"),
        ("longitude", "east", "coordinates_invalid"),
    ],
)
def test_venue_create_refuses_invalid_values(in_alpha, field, value, code):
    values = {
        "name": "Forum Mall",
        "address_line1": "Hosur Road",
        "city": "Bengaluru",
        "country": "IN",
        "timezone": "Asia/Kolkata",
        field: value,
    }
    with pytest.raises(DomainError) as error:
        venue_create(**values)
    assert (error.value.code, error.value.status_code) == (code, 400)
    assert not Venue.objects.exists()


def test_venue_update_changes_the_given_fields(venue):
    updated = venue_update(venue, city="Bangalore", timezone="UTC", is_active=False)
    stored = Venue.objects.get(pk=venue.pk)
    assert (stored.city, stored.timezone, stored.is_active, stored.name) == (
        "Bangalore",
        "UTC",
        False,
        "Forum Mall",
    )
    assert (updated.city, updated.timezone, updated.is_active) == ("Bangalore", "UTC", False)


def test_venue_update_refuses_a_bad_time_zone_and_changes_nothing(venue):
    with pytest.raises(DomainError) as error:
        venue_update(venue, city="Mysuru", timezone="Mars/Olympus")
    assert error.value.code == "timezone_invalid"
    stored = Venue.objects.get(pk=venue.pk)
    assert (stored.city, stored.timezone) == ("Bengaluru", "Asia/Kolkata")


def test_venue_update_refuses_the_name_of_another_venue(venue):
    other = make_venue("Phoenix")
    with pytest.raises(Conflict) as error:
        venue_update(other, name="FORUM MALL")
    assert error.value.code == "name_taken"
    assert Venue.objects.get(pk=other.pk).name == "Phoenix"
    # Renaming a venue to another spelling of its own name is no conflict.
    assert venue_update(venue, name="FORUM MALL").name == "FORUM MALL"


def test_venue_update_knows_only_venue_fields(venue):
    with pytest.raises(TypeError):
        venue_update(venue, colour="#ffffff")


# Creating auditoriums ----------------------------------------------------------------


def test_a_three_section_map_of_about_400_seats(venue):
    auditorium = auditorium_create(venue=venue, name="Screen 1", layout=BIG_LAYOUT)

    seats = Seat.objects.filter(auditorium=auditorium).select_related("category", "section")
    assert seats.count() == 397
    assert list(Section.objects.filter(auditorium=auditorium).values_list("name", "position")) == [
        ("Stalls", 0),
        ("Executive", 1),
        ("Recliners", 2),
    ]
    assert Counter(seat.section.name for seat in seats) == {
        "Stalls": 220,
        "Executive": 132,
        "Recliners": 45,
    }
    assert Counter(seat.category.code for seat in seats) == {
        "regular": 219,
        "wheelchair": 2,
        "premium": 132,
        "recliner": 35,
        "couple": 9,
    }
    by_label = {seat.label: seat for seat in seats}
    assert len(by_label) == 397
    # Executive rows are numbered from the right; row K sits after the gap row.
    assert (by_label["K22"].x, by_label["K22"].y, by_label["K1"].x) == (0, 11, 23)
    assert [(seat.label, seat.x, seat.width) for seat in seats if seat.row == "Q"][6:9] == [
        ("Q7", 8, 2),
        ("Q8", 10, 2),
        ("Q9", 12, 2),
    ]
    assert (by_label["S6"].is_blocked, by_label["S6"].category.code) == (True, "regular")
    assert [
        (seat.label, seat.companion.label)
        for seat in seats.filter(companion__isnull=False).select_related("companion")
    ] == [("J1", "J2"), ("J22", "J21")]
    assert (by_label["J1"].is_wheelchair, by_label["J2"].is_wheelchair) == (True, False)
    assert auditorium.layout_version == 1


def test_creating_a_map_takes_the_same_few_queries_whatever_its_size(venue):
    seat_categories_ensure_defaults()
    small = statements_of(
        lambda: auditorium_create(venue=venue, name="Small", layout="A: WMRR\nB: CCRR")
    )
    large = statements_of(lambda: auditorium_create(venue=venue, name="Big", layout=BIG_LAYOUT))
    assert len(large) == len(small) <= 15


def test_a_map_can_be_given_as_seats(venue):
    seats = [
        SeatSpec(
            "Box", "A", 1, "BOX-1", "wheelchair", 0, 0, is_wheelchair=True, companion_label="BOX-2"
        ),
        SeatSpec("Box", "A", 2, "BOX-2", "regular", 3, 0),
    ]
    auditorium = auditorium_create(venue=venue, name="Box", seats=seats, cleaning_minutes=30)
    assert [row[1:] for row in seat_rows(auditorium)] == [
        ("BOX-1", "Box", "wheelchair", "A", 1, 0, 0, 1, True, False, True, "BOX-2"),
        ("BOX-2", "Box", "regular", "A", 2, 3, 0, 1, False, False, True, None),
    ]
    assert (auditorium.cleaning_minutes, auditorium.screen_y) == (30, -2)


def test_unknown_categories_are_named_and_nothing_is_created(venue):
    with pytest.raises(DomainError) as error:
        auditorium_create(
            venue=venue, name="Screen 1", layout="legend: S=sofa T=throne\nA: RST\nB: TS"
        )
    assert (error.value.code, error.value.detail) == (
        "category_unknown",
        "Unknown seat categories: sofa, throne. Create them before using them.",
    )
    assert (Auditorium.objects.count(), Section.objects.count(), Seat.objects.count()) == (0, 0, 0)


def test_categories_the_chain_created_can_be_used(venue):
    seat_category_create(code="sofa", name="Sofa")
    auditorium = auditorium_create(venue=venue, name="Lounge", layout="legend: S=sofa\nA: SS")
    assert {row[3] for row in seat_rows(auditorium)} == {"sofa"}


def test_a_layout_error_names_its_line_and_nothing_is_created(venue):
    with pytest.raises(DomainError) as error:
        auditorium_create(venue=venue, name="Screen 1", layout="A: RRR\nB: RWR")
    assert (error.value.code, error.value.detail) == (
        "layout_invalid",
        "line 2: row B, place 1: wheelchair place W has no companion seat M right next to it",
    )
    assert (Auditorium.objects.count(), Seat.objects.count()) == (0, 0)


@pytest.mark.parametrize("layout, seats", [(None, None), ("A: R", [])])
def test_exactly_one_of_layout_and_seats(venue, layout, seats):
    with pytest.raises(DomainError) as error:
        auditorium_create(venue=venue, name="Screen 1", layout=layout, seats=seats)
    assert error.value.code == "layout_invalid"
    assert not Auditorium.objects.exists()


def test_an_auditorium_name_is_unique_within_its_venue(venue):
    auditorium_create(venue=venue, name="Screen 1", layout="A: RR")
    with pytest.raises(Conflict) as error:
        auditorium_create(venue=venue, name="screen 1", layout="A: RRRR")
    assert error.value.code == "name_taken"
    assert list(Auditorium.objects.values_list("name", flat=True)) == ["Screen 1"]
    assert Seat.objects.count() == 2

    elsewhere = auditorium_create(venue=make_venue("Phoenix"), name="Screen 1", layout="A: R")
    assert elsewhere.name == "Screen 1"


# Replacing seat maps -----------------------------------------------------------------


def test_seats_that_move_keep_their_identity(venue):
    auditorium = auditorium_create(venue=venue, name="Screen 1", layout="A: RRR\nB: RRR")
    before = {row[1]: row[0] for row in seat_rows(auditorium)}

    replaced = auditorium_layout_replace(auditorium, layout="-\nA: .RRR\n[Back]\nB: PPP")

    after = seat_rows(auditorium)
    assert [(row[0], row[1], row[2], row[3], row[6], row[7]) for row in after] == [
        (before["A1"], "A1", "Main", "regular", 1, 1),
        (before["A2"], "A2", "Main", "regular", 2, 1),
        (before["A3"], "A3", "Main", "regular", 3, 1),
        (before["B1"], "B1", "Back", "premium", 0, 2),
        (before["B2"], "B2", "Back", "premium", 1, 2),
        (before["B3"], "B3", "Back", "premium", 2, 2),
    ]
    assert replaced.layout_version == 2
    assert Auditorium.objects.get(pk=auditorium.pk).layout_version == 2


def test_seats_can_swap_places(venue):
    auditorium = auditorium_create(venue=venue, name="Screen 1", layout="A: RRRR")
    ids = {row[1]: row[0] for row in seat_rows(auditorium)}

    # Reversing the numbering puts A1 where A4 was and the other way round.
    auditorium_layout_replace(auditorium, layout="numbering: right-to-left\nA: RRRR")

    assert [(row[0], row[1], row[6]) for row in seat_rows(auditorium)] == [
        (ids["A1"], "A1", 3),
        (ids["A2"], "A2", 2),
        (ids["A3"], "A3", 1),
        (ids["A4"], "A4", 0),
    ]


def test_wheelchair_places_can_swap_companions(venue):
    def seats(pairs: dict[str, str]) -> list[SeatSpec]:
        return [
            SeatSpec(
                "Main",
                "A",
                1,
                "A1",
                "wheelchair",
                0,
                0,
                is_wheelchair=True,
                companion_label=pairs["A1"],
            ),
            SeatSpec("Main", "A", 2, "A2", "regular", 1, 0),
            SeatSpec(
                "Main",
                "A",
                3,
                "A3",
                "wheelchair",
                2,
                0,
                is_wheelchair=True,
                companion_label=pairs["A3"],
            ),
            SeatSpec("Main", "A", 4, "A4", "regular", 3, 0),
        ]

    auditorium = auditorium_create(
        venue=venue, name="Screen 1", seats=seats({"A1": "A2", "A3": "A4"})
    )
    auditorium_layout_replace(auditorium, seats=seats({"A1": "A4", "A3": "A2"}))
    assert [(row[1], row[12]) for row in seat_rows(auditorium)] == [
        ("A1", "A4"),
        ("A2", None),
        ("A3", "A2"),
        ("A4", None),
    ]


def test_removed_seats_are_retired_if_a_show_has_them_and_deleted_otherwise(venue):
    auditorium = auditorium_create(
        venue=venue, name="Screen 1", layout="A: WMRR\n[Balcony]\nB: RR\n[Box]\nC: RR"
    )
    seats = {seat.label: seat for seat in Seat.objects.filter(auditorium=auditorium)}
    show_seat_for(seats["A2"])  # the companion
    show_seat_for(seats["C1"])

    auditorium_layout_replace(auditorium, layout="A: WMR\nB: RR")

    rows = seat_rows(auditorium)
    assert [(row[0], row[1], row[2], row[11], row[12]) for row in rows] == [
        (seats["A1"].pk, "A1", "Main", True, "A2"),
        (seats["A2"].pk, "A2", "Main", True, None),
        (seats["A3"].pk, "A3", "Main", True, None),
        (seats["B1"].pk, "B1", "Main", True, None),
        (seats["B2"].pk, "B2", "Main", True, None),
        (seats["C1"].pk, "C1", "Box", False, None),
    ]
    # A4 and C2 had no show: gone. "Balcony" lost its seats; "Box" keeps a retired one.
    assert list(Section.objects.filter(auditorium=auditorium).values_list("name", "position")) == [
        ("Main", 0),
        ("Box", 2),
    ]
    assert ShowSeat.objects.get(seat=seats["C1"]).label == "C1"


def test_a_retired_label_can_return_as_a_new_seat(venue):
    auditorium = auditorium_create(venue=venue, name="Screen 1", layout="A: RR")
    old = Seat.objects.get(auditorium=auditorium, label="A2")
    show_seat_for(old)
    auditorium_layout_replace(auditorium, layout="A: R")

    auditorium_layout_replace(auditorium, layout="A: RP")

    assert [(row[0] == old.pk, row[1], row[3], row[11]) for row in seat_rows(auditorium)][1:] == [
        (True, "A2", "regular", False),
        (False, "A2", "premium", True),
    ]
    assert Auditorium.objects.get(pk=auditorium.pk).layout_version == 3


def test_a_refused_replacement_changes_nothing(venue):
    auditorium = auditorium_create(venue=venue, name="Screen 1", layout="A: RRR\n[Back]\nB: RR")
    before = seat_rows(auditorium)
    sections = list(
        Section.objects.filter(auditorium=auditorium).values_list("pk", "name", "position")
    )

    with pytest.raises(DomainError) as error:
        auditorium_layout_replace(auditorium, layout="legend: S=sofa\nA: SR\n[Front]\nB: R")
    assert error.value.code == "category_unknown"
    with pytest.raises(DomainError) as error:
        auditorium_layout_replace(auditorium, layout="A: RR\nB: CCC")
    assert (error.value.code, error.value.detail) == (
        "layout_invalid",
        "line 2: row B, places 0-2: a couple seat takes two C places, and this run has 3",
    )

    assert seat_rows(auditorium) == before
    assert (
        list(Section.objects.filter(auditorium=auditorium).values_list("pk", "name", "position"))
        == sections
    )
    assert Auditorium.objects.get(pk=auditorium.pk).layout_version == 1


def test_replacing_a_map_takes_a_bounded_number_of_queries(venue):
    auditorium = auditorium_create(venue=venue, name="Screen 1", layout=BIG_LAYOUT)
    show_seat_for(Seat.objects.get(auditorium=auditorium, label="A22"))
    changed = BIG_LAYOUT.replace("A: RRRR", "A: .RRR").replace("[Recliners]", "[Lounge]")

    statements = statements_of(lambda: auditorium_layout_replace(auditorium, layout=changed))

    assert len(statements) <= 20
    assert Seat.objects.filter(auditorium=auditorium, is_active=True).count() == 396
    assert Seat.objects.get(auditorium=auditorium, label="A22").is_active is False


def test_replacing_the_map_of_a_missing_auditorium(venue):
    with pytest.raises(NotFound) as error:
        auditorium_layout_replace(Auditorium(pk=999_999, venue=venue), layout="A: RR")
    assert error.value.code == "auditorium_not_found"
    assert not Seat.objects.exists()


# Auditorium settings and blocked seats -----------------------------------------------


def test_auditorium_update_changes_settings_but_not_the_map_version(venue):
    auditorium = auditorium_create(venue=venue, name="Screen 1", layout="A: R")
    updated = auditorium_update(auditorium, name="IMAX", cleaning_minutes=25, screen_y=-4)
    stored = Auditorium.objects.get(pk=auditorium.pk)
    assert (stored.name, stored.cleaning_minutes, stored.screen_y, stored.is_active) == (
        "IMAX",
        25,
        -4,
        True,
    )
    assert (updated.name, stored.layout_version) == ("IMAX", 1)


@pytest.mark.parametrize(
    "change, code",
    [
        ({"name": "screen 2"}, "name_taken"),
        ({"name": " "}, "name_invalid"),
        ({"cleaning_minutes": -5}, "cleaning_time_invalid"),
    ],
)
def test_auditorium_update_refusals_change_nothing(venue, change, code):
    auditorium_create(venue=venue, name="Screen 2", layout="A: R")
    auditorium = auditorium_create(venue=venue, name="Screen 1", layout="A: R")
    with pytest.raises(DomainError) as error:
        auditorium_update(auditorium, **change, screen_y=5)
    assert error.value.code == code
    stored = Auditorium.objects.get(pk=auditorium.pk)
    assert (stored.name, stored.cleaning_minutes, stored.screen_y) == ("Screen 1", 15, -2)


def test_blocking_a_seat_bumps_the_layout_version_once(venue):
    auditorium = auditorium_create(venue=venue, name="Screen 1", layout="A: RR")
    seat = Seat.objects.get(auditorium=auditorium, label="A2")

    assert seat_block(seat, blocked=True).is_blocked is True
    assert seat_block(seat, blocked=True).is_blocked is True
    assert (
        Seat.objects.get(pk=seat.pk).is_blocked,
        Auditorium.objects.get(pk=auditorium.pk).layout_version,
    ) == (True, 2)

    seat_block(seat, blocked=False)
    assert (
        Seat.objects.get(pk=seat.pk).is_blocked,
        Auditorium.objects.get(pk=auditorium.pk).layout_version,
    ) == (False, 3)


def test_a_retired_seat_cannot_be_blocked(venue):
    auditorium = auditorium_create(venue=venue, name="Screen 1", layout="A: RR")
    seat = Seat.objects.get(auditorium=auditorium, label="A2")
    show_seat_for(seat)
    auditorium_layout_replace(auditorium, layout="A: R")

    with pytest.raises(NotFound) as error:
        seat_block(seat, blocked=True)
    assert error.value.code == "seat_not_found"
    assert Seat.objects.get(pk=seat.pk).is_blocked is False
    assert Auditorium.objects.get(pk=auditorium.pk).layout_version == 2


# Reads (selectors) over maps the services wrote --------------------------------------


def test_the_seat_map_read_takes_three_queries_and_leaves_retired_seats_out(venue):
    auditorium = auditorium_create(
        venue=venue, name="Screen 1", layout="[Front]\nA: RWM\n[Back]\nB: CC"
    )
    show_seat_for(Seat.objects.get(auditorium=auditorium, label="B1"))
    auditorium_layout_replace(auditorium, layout="[Back]\nB: RR\n[Front]\nA: MWR")

    with QueryLog(connection) as log:
        seat_map = selectors.auditorium_seat_map(auditorium.pk)
        drawn = [
            (
                seat.label,
                seat.x,
                seat.y,
                seat.category.code,
                seat.companion and seat.companion.label,
            )
            for seat in seat_map.active_seats
        ]
        sections = [(section.name, section.position) for section in seat_map.sections.all()]
    assert len(log.statements) == 3
    assert drawn == [
        ("B1", 0, 0, "regular", None),
        ("B2", 1, 0, "regular", None),
        ("A1", 0, 1, "regular", None),
        ("A2", 1, 1, "wheelchair", "A1"),
        ("A3", 2, 1, "regular", None),
    ]
    assert sections == [("Back", 0), ("Front", 1)]


def test_the_seat_map_of_a_missing_auditorium(in_alpha):
    with pytest.raises(NotFound) as error:
        selectors.auditorium_seat_map(999_999)
    assert error.value.code == "auditorium_not_found"


def test_auditorium_list_counts_active_seats(venue):
    first = auditorium_create(venue=venue, name="Screen 1", layout="A: RRR")
    show_seat_for(Seat.objects.get(auditorium=first, label="A3"))
    auditorium_layout_replace(first, layout="A: RR")
    other = auditorium_create(venue=make_venue("Phoenix"), name="Audi 1", layout="A: CCCC")

    assert [(a.venue.name, a.name, a.seat_count) for a in selectors.auditorium_list()] == [
        ("Forum Mall", "Screen 1", 2),
        ("Phoenix", "Audi 1", 2),
    ]
    assert [a.pk for a in selectors.auditorium_list(venue_id=other.venue_id)] == [other.pk]


def test_venue_list_leaves_closed_venues_out_unless_asked(venue):
    closed = venue_update(make_venue("Closed Cinema"), is_active=False)
    assert list(selectors.venue_list()) == [venue]
    assert list(selectors.venue_list(active_only=False)) == [closed, venue]


def test_seat_categories_are_listed_by_rank(in_alpha):
    seat_category_create(code="sofa", name="Sofa", rank=15)
    seat_categories_ensure_defaults()
    assert [c.code for c in selectors.seat_category_list()] == [
        "regular",
        "sofa",
        "premium",
        "recliner",
        "couple",
        "wheelchair",
    ]
