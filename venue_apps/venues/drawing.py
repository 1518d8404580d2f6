"""An auditorium's seat map as a picture: server-rendered inline SVG for the dashboard.

Seats are drawn at their grid `x`/`y` (a couple seat `width` places wide) in their
category's colour; gaps between them are the aisles; each row's label stands at both
ends of the row; a bar marks the screen (or stage) at `screen_y`. Blocked seats are
crossed out, wheelchair places carry a ring. Every text that comes from the chain (seat
labels, rows, category names) is escaped: the picture is built with `format_html`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

CELL = 22  # pixels per grid unit
SEAT = 18  # a seat's side, leaving a gap between neighbours
MARGIN = 36  # room for the row labels on both sides


@dataclass(frozen=True)
class DrawnSeat:
    label: str
    row: str
    x: int
    y: int
    width: int
    category: str
    colour: str
    is_wheelchair: bool = False
    is_blocked: bool = False


def _colour(value: str) -> str:
    # Colours are validated `#rrggbb` on the model; anything else draws as grey.
    if len(value) == 7 and value.startswith("#"):
        try:
            int(value[1:], 16)
        except ValueError:
            return "#94a3b8"
        return value
    return "#94a3b8"


def seat_map_svg(
    seats: Sequence[DrawnSeat], *, screen_y: int = -2, screen_label: str = "Screen"
) -> SafeString:
    """The seats as one `<svg>`: a `<g class="seat" data-seat="A1">` per seat with its
    label as its `<title>`, row labels, a legend of the categories and the screen."""
    if not seats:
        return format_html('<p class="seat-map-empty">{}</p>', "No seats on this map yet.")
    low_x = min(seat.x for seat in seats)
    high_x = max(seat.x + seat.width for seat in seats)
    top = min(min(seat.y for seat in seats), screen_y)
    bottom = max(seat.y for seat in seats) + 1
    width = (high_x - low_x) * CELL + 2 * MARGIN
    legend_y = (bottom - top) * CELL + 24
    height = legend_y + 28

    def left(x: int) -> int:
        return MARGIN + (x - low_x) * CELL

    def down(y: int) -> int:
        return 8 + (y - top) * CELL

    screen = format_html(
        '<rect class="screen" x="{}" y="{}" width="{}" height="6" rx="3" fill="#64748b"/>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#475569">{}</text>',
        left(low_x),
        down(screen_y) + 4,
        (high_x - low_x) * CELL,
        width // 2,
        down(screen_y) + 22,
        screen_label,
    )
    drawn = format_html_join(
        "", "{}", ((_seat(seat, left(seat.x), down(seat.y)),) for seat in seats)
    )
    rows = format_html_join(
        "",
        '<text class="row-label" x="{}" y="{}" text-anchor="end" font-size="11" '
        'fill="#475569">{}</text><text class="row-label" x="{}" y="{}" font-size="11" '
        'fill="#475569">{}</text>',
        (
            (MARGIN - 8, down(y) + 13, row, width - MARGIN + 8, down(y) + 13, row)
            for y, row in _rows(seats)
        ),
    )
    legend = format_html_join(
        "",
        '<rect x="{}" y="{}" width="12" height="12" rx="2" fill="{}"/>'
        '<text x="{}" y="{}" font-size="11" fill="#334155">{}</text>',
        (
            (
                MARGIN + index * 110,
                legend_y,
                _colour(colour),
                MARGIN + index * 110 + 16,
                legend_y + 10,
                name,
            )
            for index, (name, colour) in enumerate(_categories(seats))
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="seat-map" role="img" '
        'aria-label="{}" viewBox="0 0 {} {}" width="{}" height="{}" '
        'font-family="system-ui, sans-serif">{}{}{}{}</svg>',
        f"Seat map: {len(seats)} seats",
        width,
        height,
        width,
        height,
        screen,
        rows,
        drawn,
        legend,
    )


def _seat(seat: DrawnSeat, x: int, y: int) -> SafeString:
    side = SEAT + (seat.width - 1) * CELL
    marks = ""
    if seat.is_blocked:
        marks = format_html(
            '<path d="M{} {}l{} {}M{} {}l{} {}" stroke="#1e293b" stroke-width="1.5"/>',
            x + 3,
            y + 3,
            side - 6,
            SEAT - 6,
            x + side - 3,
            y + 3,
            6 - side,
            SEAT - 6,
        )
    elif seat.is_wheelchair:
        marks = format_html(
            '<circle cx="{}" cy="{}" r="5" fill="none" stroke="#fff" stroke-width="1.5"/>',
            x + side // 2,
            y + SEAT // 2,
        )
    state = " blocked" if seat.is_blocked else ""
    return format_html(
        '<g class="seat{}" data-seat="{}"><title>{} ({})</title>'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="{}" '
        'fill-opacity="{}"/>{}</g>',
        state,
        seat.label,
        seat.label,
        seat.category,
        x,
        y,
        side,
        SEAT,
        _colour(seat.colour),
        "0.35" if seat.is_blocked else "1",
        marks,
    )


def _rows(seats: Iterable[DrawnSeat]) -> list[tuple[int, str]]:
    found: dict[int, str] = {}
    for seat in seats:
        found.setdefault(seat.y, seat.row)
    return sorted(found.items())


def _categories(seats: Iterable[DrawnSeat]) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for seat in seats:
        found.setdefault(seat.category, seat.colour)
    return list(found.items())
