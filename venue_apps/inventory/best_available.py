"""Best available seats: which seats of one show to hold for a party of `count` people.

Pure Python (no Django): the caller loads every seat of the show as a `Candidate`, of
every category, available or not, since taken seats matter for adjacency and stranding.
`best_available` returns the sorted ids to hold, or None when no acceptable block exists.

The rule
--------

1. Only available seats of the requested category are chosen, all in one row, as one
   block of adjacent seats. A row is the seats sharing a row label (and y). Seats are
   adjacent when the next seat's x equals this seat's x + width; an aisle or gap in x
   breaks the block, and so does an unavailable seat, a seat of another category, or a
   companion seat kept for a wheelchair user (rule 3).
2. `count` counts places (people), and a seat holds `width` places: a couple seat (width
   2) seats two, so `count=4` of category "couple" is two adjacent couple seats. The
   block's places must add up to `count` exactly: an odd count of couple seats is None.
   A seat is never split. `count <= 0` is None.
3. Wheelchair places. A request for the category of the wheelchair places
   ("wheelchair" by default) picks one wheelchair place (`is_wheelchair`) and no other
   seat of that category: `count=1` is the place alone, `count=2` the place and its
   companion seat (`companion_id`), which must then be available, whatever its category;
   a place without an available companion is skipped. Any other count is None.
   For every other category, a companion seat (one that some seat's `companion_id`
   points to) whose wheelchair place is still available is kept for the wheelchair user:
   it is never chosen, and counts as unavailable (a block-breaker, never stranded). Once
   its wheelchair place is taken, it is an ordinary seat of its category.
4. Every acceptable block gets a score, compared as a tuple, lower is better:
   (stranding, row distance, centre distance, y, x).

   a. stranding: +1 for each side of the block where exactly one selectable seat (as in
      rule 1) is left between the block and a block-breaker (gap, unavailable seat,
      seat of another category, kept companion seat, row end); so 0, 1 or 2. Leaving
      none, or two or more, costs nothing. A wheelchair request always scores 0.
   b. row distance: |y - ideal_y|, in rows (units of y), where the ideal row lies 2/3 of
      the way from the front row (smallest y of all the show's seats) to the back row
      (largest y): ideal_y = (front + 2 * back) / 3. Exact, not rounded.
   c. centre distance: |block centre - row centre| in grid units. The block runs from
      its first seat's x to its last seat's x + width; the row from the smallest x to
      the largest x + width of all seats of that row, in any state. For a wheelchair
      request the block is the place (and its companion, with `count=2`).
   d. ties: smaller y (nearer the screen), then smaller x (the block's first place),
      then the smaller first seat id, so that the answer never depends on input order.

   Distances are compared exactly (internally scaled to integers: thirds of a row, half
   grid units).

`screen_y` is accepted for the callers' convenience (it is the auditorium's screen
position) but does not change the score: rows are measured from the front row of seats.

Cost: one sort of the seats by row and x, then one pass over each row, for
O(n log n) whatever `count`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Candidate", "best_available"]

_Score = tuple[int, int, int, int, int, int]


@dataclass(frozen=True)
class Candidate:
    """One seat of a show, as the picker sees it."""

    id: int  # show seat id
    row: str  # row label
    number: int
    x: int  # position along the row (grid units; a couple seat of width 2 covers x and x+1)
    y: int  # distance from the screen grows with y
    width: int = 1
    category: str = "regular"
    is_wheelchair: bool = False
    companion_id: int | None = None  # id of the companion seat paired with a wheelchair place
    available: bool = True


def best_available(
    seats: Sequence[Candidate], *, count: int, category: str, screen_y: int = -2
) -> list[int] | None:
    """Ids (sorted) of the best block of `count` places of `category`, or None.

    `seats` is every seat of the show. See the module docstring for the rule.
    """
    del screen_y  # Part of the signature; the score measures rows from the front row.
    if count <= 0 or not seats:
        return None
    ys = [seat.y for seat in seats]
    # ideal_y = (front + 2 * back) / 3; row distances are kept in thirds of a row.
    ideal_y3 = min(ys) + 2 * max(ys)
    rows = _rows(seats)
    of_category = [seat for seat in seats if seat.category == category]
    # The wheelchair rule is for a category of wheelchair places only; a category that
    # merely contains some (a layout legend can do that) is picked as ordinary seats.
    if of_category and all(seat.is_wheelchair for seat in of_category):
        return _best_wheelchair(seats, rows, count=count, category=category, ideal_y3=ideal_y3)
    return _best_block(seats, rows, count=count, category=category, ideal_y3=ideal_y3)


def _rows(seats: Sequence[Candidate]) -> dict[tuple[str, int], list[Candidate]]:
    """Seats grouped by (row label, y), each row sorted along x."""
    rows: dict[tuple[str, int], list[Candidate]] = {}
    for seat in seats:
        rows.setdefault((seat.row, seat.y), []).append(seat)
    for row in rows.values():
        row.sort(key=lambda seat: (seat.x, seat.id))
    return rows


def _row_span2(row: list[Candidate]) -> int:
    """Twice the row's centre x: smallest x plus largest x + width, of all its seats."""
    return min(seat.x for seat in row) + max(seat.x + seat.width for seat in row)


def _best_block(
    seats: Sequence[Candidate],
    rows: dict[tuple[str, int], list[Candidate]],
    *,
    count: int,
    category: str,
    ideal_y3: int,
) -> list[int] | None:
    # Companion seats whose wheelchair place is still available are kept (rule 3).
    kept: set[int] = {
        seat.companion_id for seat in seats if seat.companion_id is not None and seat.available
    }
    best: _Score | None = None
    best_block: list[Candidate] = []
    for (_label, y), row in rows.items():
        row_distance = abs(3 * y - ideal_y3)
        if best is not None and row_distance > best[1] and best[0] == 0:
            continue  # This row cannot beat a non-stranding block in a better row.
        row_span2 = _row_span2(row)
        for segment in _segments(row, category=category, kept=kept):
            for start, end in _windows(segment, count):
                stranded = (start == 1) + (len(segment) - end == 2)
                first, last = segment[start], segment[end]
                centre_distance = abs(first.x + last.x + last.width - row_span2)
                score = (stranded, row_distance, centre_distance, y, first.x, first.id)
                if best is None or score < best:
                    best = score
                    best_block = segment[start : end + 1]
    if best is None:
        return None
    return sorted(seat.id for seat in best_block)


def _segments(row: list[Candidate], *, category: str, kept: set[int]) -> list[list[Candidate]]:
    """Maximal runs of adjacent selectable seats of a row (rule 1)."""
    segments: list[list[Candidate]] = []
    current: list[Candidate] = []
    end: int | None = None  # x + width of the previous selectable seat
    for seat in row:
        selectable = seat.available and seat.category == category and seat.id not in kept
        if not selectable:
            end = None
            if current:
                segments.append(current)
                current = []
            continue
        if end is not None and seat.x != end and current:
            segments.append(current)
            current = []
        current.append(seat)
        end = seat.x + seat.width
    if current:
        segments.append(current)
    return segments


def _windows(segment: list[Candidate], count: int) -> list[tuple[int, int]]:
    """(start, end) index pairs, end inclusive, of runs whose widths add up to `count`."""
    windows: list[tuple[int, int]] = []
    start = 0
    places = 0
    for end, seat in enumerate(segment):
        places += seat.width
        while places > count:
            places -= segment[start].width
            start += 1
        if places == count:
            windows.append((start, end))
    return windows


def _best_wheelchair(
    seats: Sequence[Candidate],
    rows: dict[tuple[str, int], list[Candidate]],
    *,
    count: int,
    category: str,
    ideal_y3: int,
) -> list[int] | None:
    if count not in (1, 2):
        return None
    by_id = {seat.id: seat for seat in seats}
    best: _Score | None = None
    best_ids: list[int] = []
    for place in seats:
        if not (place.is_wheelchair and place.available and place.category == category):
            continue
        block = [place]
        if count == 2:
            companion = by_id.get(place.companion_id) if place.companion_id is not None else None
            if companion is None or not companion.available or companion.id == place.id:
                continue
            block.append(companion)
        start = min(seat.x for seat in block)
        end = max(seat.x + seat.width for seat in block)
        row_span2 = _row_span2(rows[place.row, place.y])
        score = (
            0,
            abs(3 * place.y - ideal_y3),
            abs(start + end - row_span2),
            place.y,
            start,
            place.id,
        )
        if best is None or score < best:
            best = score
            best_ids = sorted(seat.id for seat in block)
    return best_ids if best is not None else None
