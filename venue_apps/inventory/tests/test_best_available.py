"""The best-available seat picker (pure Python, no database)."""

from __future__ import annotations

import itertools
import random

import pytest

from venue_apps.inventory.best_available import Candidate, best_available

# Cell letters of the maps below: upper case free, lower case taken ("x" is a taken
# regular seat, like "r"). "." is a one-unit gap.
_CATEGORIES = {
    "r": "regular",
    "x": "regular",
    "p": "premium",
    "c": "couple",  # width 2
    "w": "wheelchair",  # paired with the neighbouring m, right first
    "m": "regular",  # a wheelchair place's companion seat
}


def seat_map(*rows: str) -> list[Candidate]:
    """Seats from lines like "A: RR.RRxR", one per row, y = the line's index.

    Each letter is one seat, numbered 1..n from the left; its x is where it starts (a
    couple seat covers two units). Ids run 1, 2, 3... over the whole map.
    """
    seats: list[Candidate] = []
    for y, line in enumerate(rows):
        label, cells = line.split(": ")
        x = 0
        row: list[tuple[int, str]] = []  # (x, letter)
        for letter in cells:
            if letter != ".":
                row.append((x, letter))
            x += 2 if letter.lower() == "c" else 1
        first_id = len(seats) + 1
        companions: dict[int, int] = {}  # index of a W -> index of its M
        for index, (_x, letter) in enumerate(row):
            if letter.lower() == "w":
                for other in (index + 1, index - 1):
                    if (
                        0 <= other < len(row)
                        and row[other][1].lower() == "m"
                        and other not in companions.values()
                    ):
                        companions[index] = other
                        break
        for index, (x, letter) in enumerate(row):
            companion = companions.get(index)
            seats.append(
                Candidate(
                    id=first_id + index,
                    row=label,
                    number=index + 1,
                    x=x,
                    y=y,
                    width=2 if letter.lower() == "c" else 1,
                    category=_CATEGORIES[letter.lower()],
                    is_wheelchair=letter.lower() == "w",
                    companion_id=None if companion is None else first_id + companion,
                    available=letter.isupper(),
                )
            )
    return seats


def pick(seats: list[Candidate], count: int, category: str = "regular") -> list[str] | None:
    """Labels (row + number) of the picked seats, in id order, or None."""
    ids = best_available(seats, count=count, category=category)
    if ids is None:
        return None
    by_id = {seat.id: seat for seat in seats}
    return [f"{by_id[i].row}{by_id[i].number}" for i in ids]


def empty_rows(count: int, cells: str = "RRRRRRRRRR") -> list[str]:
    return [f"{chr(ord('A') + y)}: {cells}" for y in range(count)]


# The ideal row and the centre --------------------------------------------------------


def test_centre_of_the_ideal_row_wins_on_an_empty_map():
    # Rows A..J (y 0..9): the ideal row is 2/3 of the way back, y = 6, row G.
    seats = seat_map(*empty_rows(10))
    assert pick(seats, 2) == ["G5", "G6"]
    assert pick(seats, 1) == ["G5"]  # x 4..5 and x 5..6 are as central: smaller x wins
    assert pick(seats, 3) == ["G4", "G5", "G6"]
    assert pick(seats, 10) == [f"G{n}" for n in range(1, 11)]


def test_ideal_row_between_two_rows_takes_the_nearer_one():
    # Rows A..I (y 0..8): the ideal y is 16/3, nearer row F (y 5) than row G (y 6).
    seats = seat_map(*empty_rows(9))
    assert pick(seats, 2) == ["F5", "F6"]


def test_row_distance_before_centrality():
    # Row G's centre is taken: an off-centre block in G beats the centre of F or H.
    rows = empty_rows(10)
    rows[6] = "G: RRRxxxxRRR"
    assert pick(seat_map(*rows), 3) == ["G1", "G2", "G3"]


def test_centre_is_that_of_the_whole_row_whatever_the_state_of_its_seats():
    # Row A runs x 0..12 (centre 6); the free seats sit right of it.
    seats = seat_map("A: xxxxxxRRRRRR")
    assert pick(seats, 2) == ["A7", "A8"]


def test_input_order_does_not_matter():
    seats = seat_map(*empty_rows(10, "RRRR.RRRR"))
    expected = pick(seats, 2)
    shuffled = list(seats)
    random.Random(7).shuffle(shuffled)
    assert pick(shuffled, 2) == expected
    assert pick(list(reversed(seats)), 2) == expected


# Blocks ------------------------------------------------------------------------------


def test_an_aisle_breaks_blocks():
    # x 0..3, aisle at 4, x 5..8: the centre (4.5) is the aisle.
    seats = seat_map("A: RRRR.RRRR")
    assert pick(seats, 2) == ["A3", "A4"]
    assert pick(seats, 4) == ["A1", "A2", "A3", "A4"]
    assert pick(seats, 5) is None


def test_unavailable_seats_break_blocks():
    seats = seat_map("A: RRRxRRR")
    assert pick(seats, 3) == ["A1", "A2", "A3"]
    assert pick(seats, 4) is None


def test_a_seat_of_another_category_breaks_blocks():
    seats = seat_map("A: RRRPRRR")
    assert pick(seats, 4) is None
    assert pick(seats, 1, "premium") == ["A4"]


def test_count_larger_than_any_block_is_none():
    seats = seat_map("A: RRR.RRR", "B: RRxRRRR", "C: rrrrrrr")
    assert pick(seats, 4) == ["B4", "B5", "B6", "B7"]
    assert pick(seats, 5) is None


@pytest.mark.parametrize("count", [0, -1, -10])
def test_count_zero_or_less_is_none(count):
    assert pick(seat_map(*empty_rows(3)), count) is None


def test_no_seats_is_none():
    assert best_available([], count=1, category="regular") is None


# Stranding ---------------------------------------------------------------------------


def test_a_block_that_strands_a_seat_loses_to_one_that_does_not():
    # Five free seats, x 2..6, centred in the row: the central block of three would
    # leave one seat alone on each side, so an end of the run wins.
    seats = seat_map("A: xxRRRRRxx")
    assert pick(seats, 3) == ["A3", "A4", "A5"]
    # Pairs: A4-A5 and A5-A6 are the most central but each strands A3 or A7; the end
    # pairs leave three seats on one side, which is fine.
    assert pick(seats, 2) == ["A3", "A4"]


def test_stranding_outweighs_the_ideal_row():
    # The ideal row C (y 2) has four free seats: any three strand one. Row D's three
    # free seats strand none.
    seats = seat_map("A: rrrrrrrr", "B: rrrrrrrr", "C: xxRRRRxx", "D: xxRRRxxx")
    assert pick(seats, 3) == ["D3", "D4", "D5"]


def test_stranding_counts_each_side():
    # Blocks of two in "RRRRR": the ends strand none, the middle ones strand one.
    seats = seat_map("A: RRRRR", "B: rrrrr", "C: rrrrr")
    assert pick(seats, 2) == ["A1", "A2"]


def test_a_seat_left_next_to_another_category_is_stranded():
    # Centre first would pick A4-A5 (x 3..5, centre 4 of 0..8); it strands A3 next to
    # the premium seat, so A3-A4 (as central as A5-A6, and further left) wins.
    seats = seat_map("A: RPRRRRRR")
    assert pick(seats, 2) == ["A3", "A4"]


# Couple seats ------------------------------------------------------------------------


def test_couple_seats_count_two_places_each():
    # Row B: a couple seat at x 0..1, aisle at 2, couple seats at x 3..4 and 5..6.
    seats = seat_map("A: RRRRRRR", "B: C.CC", "C: RRRRRRR")
    assert pick(seats, 4, "couple") == ["B2", "B3"]
    assert pick(seats, 2, "couple") is not None
    assert pick(seats, 3, "couple") is None
    assert pick(seats, 1, "couple") is None
    assert pick(seats, 6, "couple") is None


def test_a_taken_couple_seat_breaks_the_block():
    seats = seat_map("A: CcC")
    assert pick(seats, 4, "couple") is None
    assert pick(seats, 2, "couple") == ["A1"]


# Wheelchair places -------------------------------------------------------------------


def test_wheelchair_pair_is_the_place_and_its_companion():
    seats = seat_map("A: WMRRRRMW")
    assert pick(seats, 2, "wheelchair") == ["A1", "A2"]
    assert pick(seats, 1, "wheelchair") == ["A1"]


def test_wheelchair_place_with_taken_companion_is_skipped_for_two():
    seats = seat_map("A: WmRRRRMW")
    assert pick(seats, 2, "wheelchair") == ["A7", "A8"]
    # Alone, the place does not need its companion.
    assert pick(seats, 1, "wheelchair") == ["A1"]


def test_wheelchair_counts_other_than_one_or_two_are_none():
    seats = seat_map("A: WMWMRRRR")
    assert pick(seats, 3, "wheelchair") is None
    assert pick(seats, 4, "wheelchair") is None


def test_wheelchair_none_left():
    assert pick(seat_map("A: wMRRRRmW"), 2, "wheelchair") is None
    assert pick(seat_map("A: wMRRRRMw"), 1, "wheelchair") is None


def test_regular_requests_keep_companion_seats_of_free_wheelchair_places():
    seats = seat_map("A: WMRRRRMW")
    assert pick(seats, 4) == ["A3", "A4", "A5", "A6"]
    assert pick(seats, 5) is None
    # Never A2 or A7; A4 and A5 would strand A3 or A6.
    assert pick(seats, 1) == ["A3"]


def test_regular_requests_may_take_a_companion_once_its_place_is_taken():
    seats = seat_map("A: wMRRRRMW")
    assert pick(seats, 5) == ["A2", "A3", "A4", "A5", "A6"]
    assert pick(seats, 6) is None  # A7 is still kept for A8


def test_a_kept_companion_is_a_block_breaker_not_a_stranded_seat():
    # Without the rule, A3..A5 would strand A2 next to the free wheelchair place.
    seats = seat_map("A: WMRRRR")
    assert pick(seats, 3) == ["A3", "A4", "A5"]


# Category filter ---------------------------------------------------------------------


def test_only_the_requested_category_is_picked():
    rows = empty_rows(10)
    rows[0] = "A: PPPPPPPPPP"
    seats = seat_map(*rows)
    assert pick(seats, 2, "premium") == ["A5", "A6"]
    assert pick(seats, 2) == ["G5", "G6"]
    assert pick(seats, 2, "recliner") is None


# Size --------------------------------------------------------------------------------


def test_a_400_seat_map():
    # 20 rows of 20 seats with an aisle after the fourth, about a third of them taken.
    rng = random.Random(400)
    rows = []
    for y in range(20):
        cells = "".join("x" if rng.random() < 0.35 else "R" for _ in range(20))
        rows.append(f"R{y}: {cells[:4]}.{cells[4:]}")
    rows[19] = "R19: RRRR.RRRRRRRRRRRRRRRR"
    seats = seat_map(*rows)
    assert len(seats) == 400
    by_id = {seat.id: seat for seat in seats}
    for count in range(1, 11):
        ids = best_available(seats, count=count, category="regular")
        assert ids is not None
        block = sorted((by_id[i] for i in ids), key=lambda seat: seat.x)
        assert len(block) == count
        assert len({seat.row for seat in block}) == 1
        assert all(seat.available for seat in block)
        assert all(a.x + a.width == b.x for a, b in itertools.pairwise(block))


def test_a_category_that_merely_contains_a_wheelchair_place_is_picked_as_a_block():
    row = [
        Candidate(id=index, row="A", number=index, x=index, y=0, category="regular")
        for index in range(1, 8)
    ] + [
        Candidate(
            id=20,
            row="A",
            number=8,
            x=8,
            y=0,
            category="regular",
            is_wheelchair=True,
            companion_id=7,
        )
    ]

    picked = best_available(row, count=4, category="regular")

    assert picked is not None and len(picked) == 4
    assert 20 not in picked
