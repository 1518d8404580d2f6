"""The demo chains' programme: venues, multiplex and theatre seat maps, a week of shows;
and the browser tests' small chain, quickstep (one screen, one film, two days of shows).

Used by `manage.py seed_demo`. Everything goes through the services, like staff input.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from tenants.error_codes import DomainError
from tenants.models import Tenant
from tenants.services import tenant_logo_set
from ticketing_platform.demo_logos import LOGOS
from ticketing_platform.demo_posters import poster_jpeg
from venue_apps.catalog.services import CreditSpec, title_create, title_poster_set
from venue_apps.inventory.services import show_put_on_sale
from venue_apps.shows.services import RuleSpec, price_card_create, show_create
from venue_apps.venues.services import auditorium_create, venue_create

ROW_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def multiplex_layout(*, rows: int, per_side: int, recliner_rows: int = 2) -> str:
    """Two blocks of seats either side of a centre aisle: regular at the front, premium in
    the middle, recliners at the back, a couple row, and wheelchair places with companions
    on the front row's ends."""
    letters = iter(ROW_LETTERS)
    block = "{0}..{0}"
    lines = ["[Classic]"]
    regular_rows = max(1, (rows - recliner_rows - 1) // 2)
    premium_rows = rows - recliner_rows - 1 - regular_rows
    lines.append(f"{next(letters)}: WM{'R' * (per_side - 2)}..{'R' * (per_side - 2)}MW")
    lines += [f"{next(letters)}: {block.format('R' * per_side)}" for _ in range(regular_rows - 1)]
    lines.append("-")
    lines.append("[Prime]")
    lines += [f"{next(letters)}: {block.format('P' * per_side)}" for _ in range(premium_rows)]
    couples = "C" * (per_side - per_side % 2)
    lines.append(f"{next(letters)}: {block.format(couples)}")
    lines.append("-")
    lines.append("[Recliners]")
    recliners = "L" * (per_side // 2)
    lines += [f"{next(letters)}: {block.format(recliners)}" for _ in range(recliner_rows)]
    return "\n".join(lines)


def theatre_layout(*, stalls: int, circle: int, per_row: int) -> str:
    letters = iter(ROW_LETTERS)
    lines = ["[Stalls]", f"{next(letters)}: WM{'R' * (per_row - 4)}MW"]
    lines += [f"{next(letters)}: {'R' * per_row}" for _ in range(stalls - 1)]
    lines += ["-", "-", "[Dress Circle]"]
    lines += [f"{next(letters)}: {'P' * (per_row - 2)}" for _ in range(circle)]
    return "\n".join(lines)


@dataclass(frozen=True)
class DemoTitle:
    name: str
    kind: str
    runtime: int
    certificate: str
    genres: tuple[str, ...]
    languages: tuple[str, ...]
    formats: tuple[str, ...]
    synopsis: str
    director: str
    cast: tuple[str, ...]


AURORA_TITLES = (
    DemoTitle(
        "The Monsoon Heist",
        "film",
        148,
        "U/A 13+",
        ("thriller", "action"),
        ("hi",),
        ("2d", "imax"),
        "Retired forgers plan one last robbery while Mumbai floods.",
        "Meera Nair",
        ("Arjun Rao", "Kavya Menon"),
    ),
    DemoTitle(
        "Starfall Protocol",
        "film",
        162,
        "U/A 13+",
        ("science-fiction", "adventure"),
        ("en", "hi"),
        ("2d", "3d", "imax"),
        "A salvage crew finds a signal inside a falling star.",
        "Dana Whitfield",
        ("Idris Cole", "Priya Shah"),
    ),
    DemoTitle(
        "Kites Over Kochi",
        "film",
        131,
        "U",
        ("drama", "romance"),
        ("ml",),
        ("2d",),
        "Two rival kite makers share a rooftop for one festival season.",
        "Anil Thomas",
        ("Nimisha Joseph", "Fahad Karim"),
    ),
    DemoTitle(
        "Thunder Over Deccan",
        "film",
        171,
        "A",
        ("action", "period"),
        ("te", "hi"),
        ("2d", "imax"),
        "A mercenary switches sides on the eve of a siege.",
        "S. Raghavan",
        ("Vikram Reddy", "Lakshmi Iyer"),
    ),
    DemoTitle(
        "Jungle Jamboree",
        "film",
        98,
        "U",
        ("animation", "family"),
        ("en", "hi", "ta"),
        ("2d", "3d"),
        "The animals of a forest school put on a show.",
        "Tara Bose",
        ("Voice cast",),
    ),
    DemoTitle(
        "Rangoli",
        "film",
        124,
        "U/A 7+",
        ("drama", "family"),
        ("mr",),
        ("2d",),
        "Three generations of women, one courtyard, one Diwali.",
        "Sai Kulkarni",
        ("Mrinal Joshi", "Ketaki Patil"),
    ),
)

BLUEBIRD_TITLES = (
    DemoTitle(
        "Waiting for Godot",
        "play",
        150,
        "12",
        ("drama", "comedy"),
        ("en",),
        ("live",),
        "Two tramps wait by a tree for someone who may never come.",
        "Siobhan Kelly",
        ("Declan Byrne", "Eoin Walsh"),
    ),
    DemoTitle(
        "The Importance of Being Earnest",
        "play",
        140,
        "PG",
        ("comedy",),
        ("en",),
        ("live",),
        "Wilde's comedy of double lives and a handbag.",
        "Aoife Murphy",
        ("Ciara Doyle", "Conor Healy"),
    ),
    DemoTitle(
        "Swan Lake",
        "dance",
        155,
        "G",
        ("ballet",),
        ("en",),
        ("live",),
        "Tchaikovsky's ballet in a new production.",
        "Elena Petrova",
        ("Irish National Ballet",),
    ),
    DemoTitle(
        "A Christmas Carol",
        "play",
        120,
        "PG",
        ("drama", "family"),
        ("en",),
        ("live",),
        "Scrooge meets three ghosts on Christmas Eve.",
        "Niamh Brennan",
        ("Padraig O'Neill",),
    ),
)


def _titles(titles: tuple[DemoTitle, ...]):
    return [
        title_create(
            name=title.name,
            kind=title.kind,
            runtime_minutes=title.runtime,
            certificate=title.certificate,
            genres=list(title.genres),
            languages=list(title.languages),
            formats=list(title.formats),
            synopsis=title.synopsis,
            credits=[CreditSpec(title.director, "director")]
            + [CreditSpec(person, "cast") for person in title.cast],
        )
        for title in titles
    ]


def _days(zone: str, count: int) -> list[date]:
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(zone)).date()
    return [today + timedelta(days=offset) for offset in range(count)]


def aurora_programme(*, days: int = 7, on_sale_days: int = 3) -> int:
    """Three multiplexes of four screens (150 to 400 seats); five shows a screen a day."""
    card = price_card_create(
        name="Standard",
        rules=[
            RuleSpec("regular", 22000),
            RuleSpec("premium", 32000),
            RuleSpec("recliner", 65000),
            RuleSpec("couple", 90000),
            RuleSpec("wheelchair", 22000),
            RuleSpec("regular", 26000, weekdays=(5, 6, 7)),
            RuleSpec("premium", 38000, weekdays=(5, 6, 7)),
            RuleSpec("regular", 15000, starts_at=time(9), ends_at=time(12), priority=1),
        ],
        description="Weekend evenings dearer; morning shows discounted.",
    )
    titles = _titles(AURORA_TITLES)
    sites = [
        ("Aurora Phoenix Palladium", "462 Senapati Bapat Marg, Lower Parel", "Mumbai", "400013"),
        ("Aurora Orion Mall", "26/1 Dr Rajkumar Road, Rajajinagar", "Bengaluru", "560055"),
        ("Aurora Select Citywalk", "A-3 District Centre, Saket", "New Delhi", "110017"),
    ]
    screens = [
        ("IMAX", dict(rows=20, per_side=11, recliner_rows=3), "imax"),  # 392 seats
        ("Audi 2", dict(rows=14, per_side=9, recliner_rows=2), "2d"),
        ("Audi 3", dict(rows=11, per_side=8, recliner_rows=2), "3d"),
        ("Insignia", dict(rows=10, per_side=10, recliner_rows=3), "2d"),  # 160 seats
    ]
    slots = [time(9, 30), time(13, 0), time(16, 30), time(20, 0), time(23, 30)]
    shows = 0
    for site_index, (name, street, city, postcode) in enumerate(sites):
        venue = venue_create(
            name=name,
            address_line1=street,
            city=city,
            postal_code=postcode,
            country="IN",
            timezone="Asia/Kolkata",
        )
        for screen_index, (screen, shape, preferred) in enumerate(screens):
            auditorium = auditorium_create(
                venue=venue, name=screen, layout=multiplex_layout(**shape), cleaning_minutes=20
            )
            for day_index, day in enumerate(_days(venue.timezone, days)):
                for slot_index, slot in enumerate(slots):
                    if datetime.combine(day, slot, tzinfo=venue.zone) <= timezone.now():
                        continue  # seeded late in the day: today's earlier shows are over
                    film = titles[
                        (site_index + screen_index + day_index + slot_index) % len(titles)
                    ]
                    film_format = preferred if preferred in film.formats else "2d"
                    show = show_create(
                        title=film,
                        auditorium=auditorium,
                        starts_at=datetime.combine(day, slot, tzinfo=venue.zone),
                        format=film_format,
                        audio_language=film.languages[0],
                        subtitle_language="en" if film.languages[0] != "en" else "",
                        attributes=["recliners"] if screen == "Insignia" else [],
                        price_card=card,
                        extra_minutes=15,
                    )
                    if day_index < on_sale_days:
                        show_put_on_sale(show)
                    shows += 1
    return shows


def bluebird_programme(*, days: int = 7, on_sale_days: int = 3) -> int:
    """Two theatres; an evening performance daily and matinees at weekends."""
    card = price_card_create(
        name="Theatre",
        rules=[
            RuleSpec("regular", 3500),
            RuleSpec("premium", 5500),
            RuleSpec("wheelchair", 3500),
            RuleSpec("regular", 2500, starts_at=time(12), ends_at=time(17)),
        ],
        description="Matinees cheaper in the stalls.",
    )
    titles = _titles(BLUEBIRD_TITLES)
    theatres = [
        (
            "Bluebird Gaiety",
            "South King Street",
            "Dublin",
            "D02",
            dict(stalls=14, circle=8, per_row=20),
        ),
        (
            "Bluebird Opera House",
            "Emmet Place",
            "Cork",
            "T12",
            dict(stalls=12, circle=6, per_row=18),
        ),
    ]
    shows = 0
    for index, (name, street, city, postcode, shape) in enumerate(theatres):
        venue = venue_create(
            name=name,
            address_line1=street,
            city=city,
            postal_code=postcode,
            country="IE",
            timezone="Europe/Dublin",
        )
        stage = auditorium_create(
            venue=venue, name="Main Stage", layout=theatre_layout(**shape), cleaning_minutes=45
        )
        for day_index, day in enumerate(_days(venue.timezone, days)):
            title = titles[(index + day_index // 2) % len(titles)]
            starts = [time(19, 30)] + ([time(14, 30)] if day.isoweekday() >= 6 else [])
            for start in starts:
                if datetime.combine(day, start, tzinfo=venue.zone) <= timezone.now():
                    continue  # seeded late in the day: this performance is over
                show = show_create(
                    title=title,
                    auditorium=stage,
                    starts_at=datetime.combine(day, start, tzinfo=venue.zone),
                    format="live",
                    audio_language="en",
                    price_card=card,
                    extra_minutes=20,  # the interval
                )
                if day_index < on_sale_days:
                    show_put_on_sale(show)
                shows += 1
    return shows


# --- quickstep, the browser tests' chain (`seed_demo --e2e`) ------------------------------

QUICKSTEP_TITLE = DemoTitle(
    "The Night Conductor",
    "film",
    92,
    "12A",
    ("comedy", "adventure"),
    ("en",),
    ("2d",),
    "A sleeper train, a lost ticket and a conductor who never forgets a face.",
    "Harriet Vale",
    ("Sam Okafor", "Lucy Marsh"),
)
# A show every two hours, for two days: 92 minutes, 10 of trailers and 15 of cleaning
# fit in the gap, so the auditorium's overlap constraint never refuses one.
QUICKSTEP_EVERY = timedelta(hours=2)
QUICKSTEP_DAYS = 2


def quickstep_programme() -> int:
    """One venue with one screen (152 seats of every category), one film, and its shows
    (`quickstep_shows_ensure`). Returns the shows made."""
    price_card_create(
        name="Standard",
        rules=[
            RuleSpec("regular", 950),
            RuleSpec("premium", 1250),
            RuleSpec("recliner", 1850),
            RuleSpec("couple", 2600),
            RuleSpec("wheelchair", 950),
        ],
        description="One price all day.",
    )
    _titles((QUICKSTEP_TITLE,))
    venue = venue_create(
        name="Quickstep Holloway",
        address_line1="12 Camden Road",
        city="London",
        postal_code="N7 0AA",
        country="GB",
        timezone="Europe/London",
    )
    auditorium_create(
        venue=venue,
        name="Screen 1",
        layout=multiplex_layout(rows=11, per_side=8, recliner_rows=2),
        cleaning_minutes=15,
    )
    return quickstep_shows_ensure()


def quickstep_shows_ensure(*, days: int = QUICKSTEP_DAYS) -> int:
    """Shows of quickstep's film every two hours, from the next full hour to `days`
    days ahead, all on sale. Idempotent, and it keeps the schedule full: a later seed
    carries on two hours after the last show still to come, so the browser tests
    always find shows on sale. Returns the shows made."""
    from venue_apps.catalog.models import Title
    from venue_apps.shows.models import PriceCard, Show
    from venue_apps.venues.models import Auditorium

    auditorium = Auditorium.objects.select_related("venue").order_by("id").first()
    title = Title.objects.filter(name=QUICKSTEP_TITLE.name).first()
    card = PriceCard.objects.filter(is_active=True).order_by("id").first()
    if auditorium is None or title is None or card is None:
        return 0
    now = timezone.now()
    last = (
        Show.objects.filter(auditorium=auditorium, starts_at__gt=now)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    starts = (
        last + QUICKSTEP_EVERY
        if last
        else now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    )
    made = 0
    while starts < now + timedelta(days=days):
        show = show_create(
            title=title,
            auditorium=auditorium,
            starts_at=starts,
            format="2d",
            audio_language="en",
            price_card=card,
            extra_minutes=10,
        )
        show_put_on_sale(show)
        made += 1
        starts += QUICKSTEP_EVERY
    return made


# --- posters, logos and what is coming soon (run on every seed, so older demo chains get
# them) ---


@dataclass(frozen=True)
class ComingSoon:
    title: DemoTitle
    starts: tuple[time, ...]
    show_format: str


COMING_SOON = {
    "aurora": ComingSoon(
        DemoTitle(
            "Neon Tide",
            "film",
            128,
            "U/A 13+",
            ("science-fiction", "thriller"),
            ("en", "hi"),
            ("2d", "imax"),
            "A night-shift diver finds the harbour's lights answering back.",
            "Ishaan Varma",
            ("Rhea Kapoor", "Tom Ashdown"),
        ),
        (time(13, 0), time(20, 0)),
        "imax",
    ),
    "bluebird": ComingSoon(
        DemoTitle(
            "Hamlet",
            "play",
            180,
            "12",
            ("drama", "tragedy"),
            ("en",),
            ("live",),
            "The prince of Denmark, his father's ghost, and a play to catch a king.",
            "Orla Quinn",
            ("Cian Farrell", "Maeve Gallagher"),
        ),
        (time(19, 0),),
        "live",
    ),
}
# About two weeks ahead: well after the week the programme sells (three days on sale).
COMING_SOON_DAYS = 14


def coming_soon_ensure(slug: str) -> int:
    """One title of each demo chain released in two weeks, with shows on its first two
    days scheduled but not on sale (they open later, as a real release would). A title
    plays from its release, so the shows sit after the on-sale window rather than in
    it. Idempotent: a chain that has the title keeps it as it is. Quickstep, the
    browser tests' chain, keeps to its one film. Returns the shows made."""
    from venue_apps.catalog.models import Title
    from venue_apps.shows.models import PriceCard
    from venue_apps.venues.models import Auditorium

    spec = COMING_SOON.get(slug)
    if spec is None or Title.objects.filter(name=spec.title.name).exists():
        return 0
    auditorium = Auditorium.objects.select_related("venue").order_by("venue_id", "id").first()
    card = PriceCard.objects.filter(is_active=True).order_by("id").first()
    if auditorium is None or card is None:
        return 0
    venue = auditorium.venue
    release = timezone.now().astimezone(venue.zone).date() + timedelta(days=COMING_SOON_DAYS)
    demo = spec.title
    title = title_create(
        name=demo.name,
        kind=demo.kind,
        runtime_minutes=demo.runtime,
        certificate=demo.certificate,
        genres=list(demo.genres),
        languages=list(demo.languages),
        formats=list(demo.formats),
        synopsis=demo.synopsis,
        release_date=release,
        credits=[CreditSpec(demo.director, "director")]
        + [CreditSpec(person, "cast") for person in demo.cast],
    )
    made = 0
    for day in (release, release + timedelta(days=1)):
        for start in spec.starts:
            try:
                show_create(
                    title=title,
                    auditorium=auditorium,
                    starts_at=datetime.combine(day, start, tzinfo=venue.zone),
                    format=spec.show_format,
                    audio_language=title.languages[0],
                    price_card=card,
                )
            except DomainError:
                continue  # staff scheduled something there: the demo makes do
            made += 1
    return made


def posters_ensure() -> int:
    """A generated poster for every title without one; returns how many were made."""
    from venue_apps.catalog.models import Title

    made = 0
    for title in Title.objects.filter(poster="").order_by("id"):
        image = poster_jpeg(
            name=title.name,
            kind=title.kind,
            formats=title.formats,
            certificate=title.certificate,
        )
        title_poster_set(title, image=image, filename=f"{title.slug}.jpg")
        made += 1
    return made


def logo_ensure(tenant: Tenant) -> bool:
    """A generated logo (demo_logos) for a demo chain that has none, in the chain's own
    colours; a logo the chain has, uploaded or drawn, stays. Returns whether one was
    made. Runs in the public schema, where the chain's row is."""
    draw = LOGOS.get(tenant.slug)
    if draw is None or tenant.logo:
        return False
    image = draw(primary=tenant.primary_colour, accent=tenant.accent_colour)
    tenant_logo_set(tenant, image=image, filename="logo.png")
    return True
