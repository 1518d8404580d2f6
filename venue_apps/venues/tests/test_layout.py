"""The seat-map text format, the CSV import and rendering back to text (no database)."""

from __future__ import annotations

import string

import pytest

from venue_apps.venues.layout import (
    DEFAULT_LEGEND,
    MAX_SEATS,
    LayoutError,
    SeatSpec,
    layout_from_csv,
    layout_parse,
    layout_render,
    layout_validate,
)


def places(text: str) -> list[tuple[str, int, int, int, str]]:
    """(label, x, y, width, category) of each parsed seat, in parse order."""
    return [(s.label, s.x, s.y, s.width, s.category) for s in layout_parse(text)]


def row_label(index: int) -> str:
    """AA, AB, ...: letters only, since rows R1 and R11 would both have a seat R111."""
    return string.ascii_uppercase[index // 26] + string.ascii_uppercase[index % 26]


def parse_error(text: str) -> LayoutError:
    with pytest.raises(LayoutError) as error:
        layout_parse(text)
    return error.value


# Rows, places and letters -------------------------------------------------------------


def test_default_legend():
    assert DEFAULT_LEGEND == {
        "R": "regular",
        "P": "premium",
        "L": "recliner",
        "C": "couple",
        "W": "wheelchair",
        "M": "regular",
        "X": "regular",
    }


def test_a_row_of_regular_seats_is_numbered_from_the_left():
    assert layout_parse("A: RRR") == [
        SeatSpec(section="Main", row="A", number=1, label="A1", category="regular", x=0, y=0),
        SeatSpec(section="Main", row="A", number=2, label="A2", category="regular", x=1, y=0),
        SeatSpec(section="Main", row="A", number=3, label="A3", category="regular", x=2, y=0),
    ]


def test_gaps_are_places_without_seats_and_every_row_starts_at_x_0():
    text = "A: R.R_R R\nBB: .PL"
    assert places(text) == [
        ("A1", 0, 0, 1, "regular"),
        ("A2", 2, 0, 1, "regular"),
        ("A3", 4, 0, 1, "regular"),
        ("A4", 6, 0, 1, "regular"),
        ("BB1", 1, 1, 1, "premium"),
        ("BB2", 2, 1, 1, "recliner"),
    ]


def test_one_space_after_the_colon_is_optional_and_further_spaces_are_gaps():
    assert (
        places("A:RR")
        == places("A: RR")
        == [("A1", 0, 0, 1, "regular"), ("A2", 1, 0, 1, "regular")]
    )
    assert places("A:  R") == [("A1", 1, 0, 1, "regular")]


def test_row_labels_are_letters_and_digits_up_to_eight():
    assert [s.label for s in layout_parse("R12: RR\nabcdEFGH: R")] == ["R121", "R122", "abcdEFGH1"]


def test_blocked_seats_are_regular_seats_that_exist_and_count():
    seats = layout_parse("A: RXR")
    assert [(s.label, s.category, s.is_blocked) for s in seats] == [
        ("A1", "regular", False),
        ("A2", "regular", True),
        ("A3", "regular", False),
    ]


def test_two_c_places_make_one_couple_seat_of_width_two():
    assert places("A: CCRCCCC") == [
        ("A1", 0, 0, 2, "couple"),
        ("A2", 2, 0, 1, "regular"),
        ("A3", 3, 0, 2, "couple"),
        ("A4", 5, 0, 2, "couple"),
    ]


def test_an_odd_run_of_c_is_refused():
    error = parse_error("A: CC\nB: RCCC.R")
    assert (error.line, error.message) == (
        2,
        "row B, places 1-3: a couple seat takes two C places, and this run has 3",
    )


# Wheelchair places and companions ----------------------------------------------------


def pairs(text: str) -> list[tuple[str, str | None]]:
    return [(s.label, s.companion_label) for s in layout_parse(text) if s.is_wheelchair]


def test_a_wheelchair_place_pairs_with_the_companion_on_its_right():
    seats = layout_parse("A: WMR")
    assert [(s.label, s.category, s.is_wheelchair, s.companion_label) for s in seats] == [
        ("A1", "wheelchair", True, "A2"),
        ("A2", "regular", False, None),
        ("A3", "regular", False, None),
    ]


def test_a_wheelchair_place_pairs_with_the_companion_on_its_left():
    assert pairs("A: RMW") == [("A3", "A2")]


@pytest.mark.parametrize(
    "row, expected",
    [
        ("WMMW", [("A1", "A2"), ("A4", "A3")]),
        ("MWWM", [("A2", "A1"), ("A3", "A4")]),
        ("WMWM", [("A1", "A2"), ("A3", "A4")]),
        ("MWMW", [("A2", "A1"), ("A4", "A3")]),
        ("WM.MW", [("A1", "A2"), ("A4", "A3")]),
    ],
)
def test_every_wheelchair_place_gets_its_own_neighbour(row, expected):
    assert pairs(f"A: {row}") == expected


@pytest.mark.parametrize(
    "row, message",
    [
        (
            "RM",
            "row A, place 1: companion seat M has no unpaired wheelchair place W right next to it",
        ),
        (
            "M.W",
            "row A, place 0: companion seat M has no unpaired wheelchair place W right next to it",
        ),
        (
            "MWM",
            "row A, place 2: companion seat M has no unpaired wheelchair place W right next to it",
        ),
        ("WR", "row A, place 0: wheelchair place W has no companion seat M right next to it"),
        ("WMW", "row A, place 2: wheelchair place W has no companion seat M right next to it"),
        (
            "W.M",
            "row A, place 2: companion seat M has no unpaired wheelchair place W right next to it",
        ),
    ],
)
def test_unpaired_wheelchair_places_and_companions_are_refused(row, message):
    error = parse_error(f"# map\nA: {row}")
    assert (error.line, error.message) == (2, message)


# Numbering, rows and sections --------------------------------------------------------


def test_right_to_left_numbering_counts_seats_not_gaps_and_applies_to_following_rows():
    text = "A: RR\nnumbering: right-to-left\nB: RR.CC\nC: R\nnumbering: left-to-right\nD: RR"
    assert [(s.label, s.x) for s in layout_parse(text)] == [
        ("A1", 0),
        ("A2", 1),
        ("B3", 0),
        ("B2", 1),
        ("B1", 3),
        ("C1", 0),
        ("D1", 0),
        ("D2", 1),
    ]


def test_right_to_left_companion_labels_follow_the_numbers():
    assert pairs("numbering: right-to-left\nA: WMR") == [("A3", "A2")]


def test_gap_rows_take_a_y_and_comments_blank_lines_and_headers_do_not():
    text = "# screen\nA: R\n\n-\n[Back]\n  # aisle\nB: R\n-\n-\nC: R\n"
    assert [(s.label, s.y) for s in layout_parse(text)] == [("A1", 0), ("B1", 2), ("C1", 5)]


def test_sections_follow_headers_and_rows_before_any_header_are_main():
    text = "A: R\n[ Stalls ]\nB: R\n[Balcony]\nC: R\n[Stalls]\nD: R"
    assert [(s.label, s.section) for s in layout_parse(text)] == [
        ("A1", "Main"),
        ("B1", "Stalls"),
        ("C1", "Balcony"),
        ("D1", "Stalls"),
    ]


def test_a_legend_adds_and_overrides_letters_from_its_line_on():
    text = "A: PR\nlegend: S=sofa P=premium-plus\nB: PS\nC: SR"
    assert [(s.label, s.category) for s in layout_parse(text)] == [
        ("A1", "premium"),
        ("A2", "regular"),
        ("B1", "premium-plus"),
        ("B2", "sofa"),
        ("C1", "sofa"),
        ("C2", "regular"),
    ]


def test_overriding_a_role_letter_keeps_its_role():
    seats = layout_parse("legend: W=accessible X=premium C=sofa\nA: WMX.CC")
    assert [
        (s.label, s.category, s.width, s.is_wheelchair, s.companion_label, s.is_blocked)
        for s in seats
    ] == [
        ("A1", "accessible", 1, True, "A2", False),
        ("A2", "regular", 1, False, None, False),
        ("A3", "premium", 1, False, None, True),
        ("A4", "sofa", 2, False, None, False),
    ]


def test_directives_are_read_in_any_case():
    text = "Legend: S=sofa\nNUMBERING: Right-To-Left\nA: SR"
    assert [(s.label, s.category) for s in layout_parse(text)] == [
        ("A2", "sofa"),
        ("A1", "regular"),
    ]


def test_a_map_of_exactly_the_maximum_size_is_accepted():
    rows = "\n".join(f"{row_label(row)}: {'R' * 40}" for row in range(MAX_SEATS // 40))
    assert len(layout_parse(rows)) == MAX_SEATS


# Errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, line, message",
    [
        (
            "A: RR\nB: RQ",
            2,
            "row B, place 1: unknown seat letter 'Q' (known: CLMPRWX; gaps are '.', '_' or space)",
        ),
        (
            "A: R#R",
            1,
            "row A, place 1: unknown seat letter '#' (known: CLMPRWX; gaps are '.', '_' or space)",
        ),
        ("A: RRr", 1, "row A, place 2: seat letters are upper-case (R, not r)"),
        ("\n\nA: R\nB: R\nA: RR", 5, "row A is already defined on line 3"),
        (
            "A: R\nRow B: RR",
            2,
            "cannot read 'Row B: RR': expected a row like 'A: RRRR..RRRR', a section like "
            "'[Balcony]', '-', 'legend: ...' or 'numbering: ...'",
        ),
        (
            "A RRR",
            1,
            "cannot read 'A RRR': expected a row like 'A: RRRR..RRRR', a section like "
            "'[Balcony]', '-', 'legend: ...' or 'numbering: ...'",
        ),
        ("ABCDEFGHI: R", 1, "row label 'ABCDEFGHI' is longer than 8 characters"),
        ("[Balcony\nA: R", 1, "a section header looks like '[Balcony]', not '[Balcony'"),
        ("[  ]\nA: R", 1, "the section needs a name"),
        ("A: ..", 1, "row A has no seats; an empty row is a line with just '-'"),
        ("A: R\nlegend: s=sofa", 2, "legend letters are upper-case: S, not s"),
        (
            "legend: SS=sofa",
            1,
            "cannot read legend entry 'SS=sofa': write LETTER=category, e.g. S=sofa",
        ),
        (
            "legend: S=Sofa",
            1,
            "'Sofa' is not a category code: lower-case letters, digits, '-' and '_', at most 32 "
            "characters",
        ),
        ("legend:", 1, "the legend line names no letters, e.g. legend: S=sofa"),
        ("numbering: upwards", 1, "numbering is left-to-right or right-to-left, not 'upwards'"),
        # Row A1's first seat and row A's eleventh are both A11.
        ("A1: R\nA: RRRRRRRRRRR", 2, "seat label A11 is used twice (first on line 1)"),
    ],
)
def test_errors_name_the_line(text, line, message):
    error = parse_error(text)
    assert (error.line, error.message) == (line, message)
    assert str(error) == f"line {line}: {message}"


def test_a_layout_without_seats_is_refused_without_a_line():
    error = parse_error("# nothing yet\n[Stalls]\n-\n")
    assert (error.line, error.message, str(error)) == (
        None,
        "the seat map has no seats",
        "the seat map has no seats",
    )


def test_more_than_the_maximum_seats_is_refused_on_the_line_that_overflows():
    rows = [f"{row_label(row)}: {'R' * 40}" for row in range(MAX_SEATS // 40)]
    error = parse_error("\n".join([*rows[:10], "# overflow", "Z: RR", *rows[10:]]))
    assert (error.line, error.message) == (
        len(rows) + 2,
        f"a seat map has at most {MAX_SEATS} seats",
    )


# CSV ---------------------------------------------------------------------------------

CSV_HEADER = "section,row,number,label,category,x,y,width,wheelchair,companion,blocked\n"


def csv_error(text: str) -> LayoutError:
    with pytest.raises(LayoutError) as error:
        layout_from_csv(text)
    return error.value


def test_csv_with_every_column():
    text = CSV_HEADER + (
        "Stalls,A,1,A-01,wheelchair,0,0,1,yes,A-02,no\n"
        "Stalls,A,2,A-02,regular,1,0,,0,,\n"
        "Box, K ,1,K1,couple,-3,7,2,false,,TRUE\n"
    )
    assert layout_from_csv(text) == [
        SeatSpec("Stalls", "A", 1, "A-01", "wheelchair", 0, 0, 1, True, "A-02", False),
        SeatSpec("Stalls", "A", 2, "A-02", "regular", 1, 0, 1, False, None, False),
        SeatSpec("Box", "K", 1, "K1", "couple", -3, 7, 2, False, None, True),
    ]


def test_csv_optional_columns_may_be_left_out_in_any_order_and_blank_lines_skipped():
    text = "\ufeffLabel,Row,Number,Section,Category,Y,X\nB7,B,7,Main,premium,3,9\n\n,,,,,,\n"
    assert layout_from_csv(text) == [SeatSpec("Main", "B", 7, "B7", "premium", 9, 3)]


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("", 1, "the CSV is empty; it needs a header row"),
        (
            "section,row,number,label,category,x\n",
            1,
            "the header row must name the columns section,row,number,label,category,x,y and "
            "optionally width,wheelchair,companion,blocked, each once; missing: y",
        ),
        (
            "section,row,number,label,category,x,y,colour\n",
            1,
            "the header row must name the columns section,row,number,label,category,x,y and "
            "optionally width,wheelchair,companion,blocked, each once; unknown: colour",
        ),
        (CSV_HEADER + "Main,A,1,A1,regular,0,0\n", 2, "expected 11 columns, found 7"),
        (
            CSV_HEADER + "Main,A,1,A1,regular,0,0,,,,\nMain,A,2,A2,regular,x1,0,,,,\n",
            3,
            "x must be a whole number, not 'x1'",
        ),
        (
            CSV_HEADER + "Main,A,1,A1,regular,0,0,1_0,,,\n",
            2,
            "width must be a whole number, not '1_0'",
        ),
        (
            CSV_HEADER + "Main,A,1,A1,regular,0,0,,maybe,,\n",
            2,
            "wheelchair must be 1/0, true/false or yes/no, not 'maybe'",
        ),
        (
            CSV_HEADER + "Main,A,1,A1,regular,0,0,,,,\nMain,A,2,A1,regular,1,0,,,,\n",
            3,
            "seat label A1 is used twice (first on line 2)",
        ),
        (
            CSV_HEADER + "Main,A,1,A1,couple,0,0,2,,,\nMain,A,2,A2,regular,1,0,,,,\n",
            3,
            "seat A2 overlaps seat A1 at x=1, y=0",
        ),
        (
            CSV_HEADER + "Main,A,1,A1,wheelchair,0,0,,1,A9,\n",
            2,
            "the companion A9 of seat A1 is not on the map",
        ),
        (
            CSV_HEADER + "Main,A,1,A1,regular,0,0,,,A2,\nMain,A,2,A2,regular,1,0,,,,\n",
            2,
            "seat A1 has a companion but is not a wheelchair place",
        ),
        (
            CSV_HEADER + "Main,A,0,A0,Regular,0,0,,,,\n",
            2,
            "seat A0: the number 0 is not between 1 and 32767",
        ),
        (
            CSV_HEADER + "Main,A,1,A1,Regular,0,0,,,,\n",
            2,
            "'Regular' is not a category code: lower-case letters, digits, '-' and '_', at most 32 "
            "characters",
        ),
    ],
)
def test_csv_errors_name_the_line(text, line, message):
    error = csv_error(text)
    assert (error.line, error.message) == (line, message)


def test_csv_without_seats_is_refused():
    error = csv_error(CSV_HEADER)
    assert (error.line, error.message) == (None, "the seat map has no seats")


# Seats from elsewhere ----------------------------------------------------------------


def test_validate_refuses_two_wheelchair_places_sharing_a_companion():
    seats = [
        SeatSpec(
            "Main", "A", 1, "A1", "wheelchair", 0, 0, is_wheelchair=True, companion_label="A2"
        ),
        SeatSpec("Main", "A", 2, "A2", "regular", 1, 0),
        SeatSpec(
            "Main", "A", 3, "A3", "wheelchair", 2, 0, is_wheelchair=True, companion_label="A2"
        ),
    ]
    with pytest.raises(LayoutError) as error:
        layout_validate(seats)
    assert (error.value.line, error.value.message) == (
        None,
        "seat A2 is the companion of both A1 and A3",
    )


def test_validate_refuses_coordinates_off_the_grid():
    with pytest.raises(LayoutError) as error:
        layout_validate([SeatSpec("Main", "A", 1, "A1", "regular", 0, 10_000)])
    assert error.value.message == "seat A1: x and y must lie between -9999 and 9999"


# Rendering ---------------------------------------------------------------------------

FULL_LAYOUT = """\
# Screen 1
[Stalls]
A: RRRR..RRRR
B: RRXR..RRRR
-
numbering: right-to-left
C: WM.RRRRRR.MW
[Balcony]
legend: S=sofa W=accessible
D: PPPP..SSSS
numbering: left-to-right
E: CCCC..LLLL
-
-
F: MWWM.CC
"""


def test_render_round_trips_parse_output():
    seats = layout_parse(FULL_LAYOUT)
    text = layout_render(seats)
    assert layout_parse(text) == seats
    assert text == (
        "[Stalls]\n"
        "A: RRRR..RRRR\n"
        "B: RRXR..RRRR\n"
        "-\n"
        "numbering: right-to-left\n"
        "C: WM.RRRRRR.MW\n"
        "[Balcony]\n"
        "legend: S=sofa\n"
        "D: PPPP..SSSS\n"
        "numbering: left-to-right\n"
        "E: CCCC..LLLL\n"
        "-\n"
        "-\n"
        "legend: W=accessible\n"
        "F: MWWM.CC\n"
    )


def test_render_gives_new_categories_a_letter_of_their_own():
    seats = [
        SeatSpec("Main", "A", 1, "A1", "premium-plus", 0, 1),
        SeatSpec("Main", "A", 2, "A2", "sofa", 1, 1),
        SeatSpec("Main", "A", 3, "A3", "premium", 2, 1),
        SeatSpec("Main", "A", 4, "A4", "super", 3, 1, is_blocked=True),
    ]
    text = layout_render(seats)
    assert text == "-\n[Main]\nlegend: E=premium-plus S=sofa X=super\nA: ESPX\n"
    assert layout_parse(text) == seats


@pytest.mark.parametrize(
    "seat, message",
    [
        (
            SeatSpec("Main", "A", 1, "A-1", "regular", 0, 0),
            "seat A-1: text layouts label seats with row and number (A1)",
        ),
        (SeatSpec("Main", "A", 1, "A1", "regular", -1, 0), "seat A1 has a negative x"),
        (SeatSpec("Main", "A", 1, "A1", "regular", 0, -2), "row A has a negative y"),
        (
            SeatSpec("Main", "A", 1, "A1", "couple", 0, 0, width=2, is_blocked=True),
            "seat A1: a couple seat cannot be blocked in text",
        ),
        (
            SeatSpec("Main", "A", 1, "A1", "wheelchair", 0, 0, is_wheelchair=True),
            "seat A1: a wheelchair place in a text layout is one place wide, not blocked, and "
            "has a companion seat",
        ),
    ],
)
def test_render_refuses_what_the_text_format_cannot_express(seat, message):
    with pytest.raises(LayoutError) as error:
        layout_render([seat])
    assert error.value.message == message


def test_render_refuses_two_rows_on_one_line():
    seats = [
        SeatSpec("Main", "A", 1, "A1", "regular", 0, 0),
        SeatSpec("Main", "B", 1, "B1", "regular", 5, 0),
    ]
    with pytest.raises(LayoutError) as error:
        layout_render(seats)
    assert error.value.message == "row B shares its y (0) with another row"
