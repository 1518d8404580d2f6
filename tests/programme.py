"""Builders for a tenant's programme (venues, seat maps, titles, price cards, shows)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django_tenants.utils import schema_context

from venue_apps.catalog.services import CreditSpec

SMALL_LAYOUT = """
[Stalls]
A: RRRR.RRRR
B: RRRR.RRRR
-
[Premium]
C: PPPP.PPPP
D: WM.CC.CC.MW
"""


def big_layout(rows: int = 20, seats_per_side: int = 10) -> str:
    """A 400-seat multiplex map: regular, premium, recliners, couples and wheelchairs."""
    lines = ["[Stalls]"]
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    for index in range(rows - 4):
        letter = "P" if index >= rows - 8 else "R"
        lines.append(f"{letters[index]}: {letter * seats_per_side}..{letter * seats_per_side}")
    lines.append("[Recliners]")
    lines.append(f"{letters[rows - 4]}: {'L' * seats_per_side}..{'L' * seats_per_side}")
    lines.append(f"{letters[rows - 3]}: {'L' * seats_per_side}..{'L' * seats_per_side}")
    lines.append(
        f"{letters[rows - 2]}: WM{'C' * (seats_per_side - 2)}..{'C' * (seats_per_side - 2)}MW"
    )
    lines.append(f"{letters[rows - 1]}: {'R' * seats_per_side}..{'R' * seats_per_side}")
    return "\n".join(lines)


def next_weekday(weekday: int, at: time, zone: str) -> datetime:
    """The next date (after today) on ISO `weekday` at local time `at`."""
    today = datetime.now(ZoneInfo(zone)).date()
    days = (weekday - today.isoweekday()) % 7 or 7
    return datetime.combine(today + timedelta(days=days), at, tzinfo=ZoneInfo(zone))


def build_programme(schema: str, *, layout: str = SMALL_LAYOUT) -> dict:
    """A venue, a seat map, a price card, two titles and one show on sale (the film's,
    next Monday at 18:00 in Kolkata), made by the factories of tests/factories.py."""
    from tests.factories import (
        AuditoriumFactory,
        PriceCardFactory,
        ShowFactory,
        TitleFactory,
        VenueFactory,
    )

    venue = VenueFactory(schema=schema, name="Aurora Phoenix")
    audi = AuditoriumFactory(schema=schema, venue=venue, layout=layout)
    card = PriceCardFactory(schema=schema)
    film = TitleFactory(
        schema=schema,
        synopsis="A crew of retired forgers plans one last robbery during the rains.",
        credits=[
            CreditSpec("Meera Nair", "director"),
            CreditSpec("Arjun Rao", "cast", "Vikram"),
        ],
    )
    play = TitleFactory(
        schema=schema,
        name="Waiting for Godot",
        kind="play",
        runtime_minutes=150,
        certificate="",
        genres=["drama"],
        languages=["en"],
        formats=["live"],
    )
    show = ShowFactory(schema=schema, title=film, auditorium=audi, price_card=card)
    return {
        "venue": venue,
        "auditorium": audi,
        "price_card": card,
        "film": film,
        "play": play,
        "show": show,
    }


SALES_TABLES = (
    "tills_shift",
    "tills_till",
    "tickets_checkin",
    "tickets_ticketdelivery",
    "tickets_textmessage",
    "tickets_ticket",
    "tickets_emailtemplate",
    "payments_ledgerentry",
    "payments_webhookevent",
    "payments_frauddecision",
    "payments_refund",
    "payments_payment",
    "payments_sandboxcharge",
    "audit_auditentry",
    "payments_gatewayaccount",
    "payments_paymentsettings",
    "orders_promoredemption",
    "orders_ordernotice",
    "orders_orderline",
    "orders_order",
    "orders_promocode_titles",
    "orders_promocode_shows",
    "orders_promocode",
    "orders_cancellationtier",
    "orders_cancellationpolicy",
    "orders_checkoutsettings",
    "orders_taxrate",
)


def sales_delete(schema: str) -> None:
    """Remove every order, payment and ledger entry of a schema (tests that commit).

    The ledger refuses DELETE by design, so its tables are truncated: an operator's act
    on a whole schema, not a change of the books.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        tables = ", ".join(f'"{schema}"."{table}"' for table in SALES_TABLES)
        cursor.execute(f"TRUNCATE {tables}")


def programme_delete(schema: str) -> None:
    """Remove everything `build_programme` made (for tests that commit their data)."""
    sales_delete(schema)
    from venue_apps.catalog.models import Title
    from venue_apps.inventory.models import Hold, ShowInventory, ShowSeat
    from venue_apps.shows.models import PriceCard, Show
    from venue_apps.venues.models import Auditorium, Seat, SeatCategory, Section, Venue

    with schema_context(schema):
        for model in (
            ShowSeat,
            Hold,
            ShowInventory,
            Show,
            PriceCard,
            Title,
            Seat,
            Section,
            Auditorium,
            Venue,
            SeatCategory,
        ):
            model.objects.all().delete()
