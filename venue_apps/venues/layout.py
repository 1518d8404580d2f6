"""Seat maps as text: a compact layout format a manager can type, and a CSV import.

Pure Python: parsing turns text into `SeatSpec`s, which the venue services store.

The text format
---------------

One line per row of seats, read top (nearest the screen) to bottom::

    # Screen 1 (a comment: lines starting with # and blank lines are ignored)
    [Stalls]
    A: RRRR..RRRR
    B: RRRR..RRRR
    -
    numbering: right-to-left
    C: WM.RRRRRR.MW
    [Balcony]
    legend: S=sofa
    D: PPPP..SSSS
    E: CCCC..XRRR

- `[Section name]` starts (or goes back to) a section. Rows before any section header
  belong to the section "Main".
- A row line is `LABEL: cells`. LABEL is 1 to 8 letters or digits (`A`, `AA`, `R12`);
  it may appear only once in the whole layout. One optional space after the colon is
  ignored; every character after it is one place along the row, and a place's index is
  the seat's x (0 for the first place of every row). `.`, `_` and space are gaps and
  aisles.
- Letters of the default legend (`DEFAULT_LEGEND`):

  - `R` regular, `P` premium, `L` recliner.
  - `C` couple: two consecutive `C` places make ONE seat of width 2 (its x is the first
    place); a run of `C` of odd length is an error.
  - `W` wheelchair place (category `wheelchair`) and `M` its companion seat (category
    `regular`). Every `W` is paired with one `M` in the neighbouring place, left or
    right, and every `M` with one `W`; anything left unpaired is an error.
  - `X` a regular seat that exists but is blocked (never sold until unblocked).

- `legend: S=sofa P=premium-plus` adds or overrides letters from that line on: an
  upper-case letter, `=`, a category code (lower-case letters, digits, `-`, `_`).
  The roles of `C`, `W`, `M` and `X` stay with the letter, so `legend: W=accessible`
  makes wheelchair places of category "accessible".
- `numbering: right-to-left` (or `left-to-right`, the default) applies from that line
  on. Seats, not places, are numbered 1..n along the row; a seat's label is its row
  and number, e.g. `A12`.
- y is 0 for the first row and grows by 1 with every row line and with every line
  that is exactly `-` (an empty row, e.g. a cross aisle). Section headers, directives,
  comments and blank lines take no space.
- Directives (`legend:`, `numbering:`) are recognised in any case, so no row can be
  labelled `legend`.

Errors raise `LayoutError` with the 1-based line number (None when no line is to
blame, e.g. a layout without seats): unknown or lower-case letters, malformed lines,
duplicate row or seat labels, odd couple runs, unpaired `W`/`M`, no seats, more than
`MAX_SEATS` seats.
"""

from __future__ import annotations

import csv
import io
import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

MAX_SEATS = 2000
DEFAULT_SECTION = "Main"
# Coordinates stay well inside this bound so the services can park seats outside it
# while a seat map is rearranged.
MAX_COORDINATE = 9999

DEFAULT_LEGEND: dict[str, str] = {
    "R": "regular",
    "P": "premium",
    "L": "recliner",
    "C": "couple",
    "W": "wheelchair",
    "M": "regular",
    "X": "regular",
}

_COUPLE = "C"
_WHEELCHAIR = "W"
_COMPANION = "M"
_BLOCKED = "X"
_ROLE_LETTERS = frozenset({_COUPLE, _WHEELCHAIR, _COMPANION, _BLOCKED})
_GAPS = frozenset("._ ")

_SECTION_NAME_MAX = 60
_LABEL_MAX = 16
_ROW_LABEL = re.compile(r"[A-Za-z0-9]{1,8}")
_ROW_LINE = re.compile(r"([A-Za-z0-9]+):(.*)")
_DIRECTIVE = re.compile(r"(legend|numbering)\s*:(.*)", re.IGNORECASE)
_LEGEND_ENTRY = re.compile(r"([A-Za-z])=(\S+)")
_CATEGORY_CODE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
_CATEGORY_CODE_MAX = 32
_LEFT_TO_RIGHT = "left-to-right"
_RIGHT_TO_LEFT = "right-to-left"
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_T = TypeVar("_T")


@dataclass(frozen=True)
class SeatSpec:
    """One seat of a map, before it is stored: what the parsers produce."""

    section: str
    row: str
    number: int
    label: str
    category: str  # a SeatCategory code
    x: int
    y: int
    width: int = 1
    is_wheelchair: bool = False
    # Label of the companion seat paired with this wheelchair place.
    companion_label: str | None = None
    is_blocked: bool = False


class LayoutError(ValueError):
    """A seat map that cannot be read, with the 1-based line to blame (None if none)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line
        self.message = message


# Parsing text ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    x: int
    width: int
    letter: str


def layout_parse(text: str) -> list[SeatSpec]:
    """Read the text format (see the module docstring) into seats ordered by y, then x."""
    legend = dict(DEFAULT_LEGEND)
    numbering = _LEFT_TO_RIGHT
    section = DEFAULT_SECTION
    y = 0
    row_lines: dict[str, int] = {}
    specs: list[SeatSpec] = []
    lines: list[int] = []

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line == "-":
            y += 1
            continue
        if line.startswith("["):
            section = _section_name(line, number)
            continue
        directive = _DIRECTIVE.fullmatch(line)
        if directive:
            keyword, body = directive.group(1).lower(), directive.group(2).strip()
            if keyword == "legend":
                legend.update(_legend_entries(body, number))
            else:
                numbering = _numbering(body, number)
            continue
        row_line = _ROW_LINE.fullmatch(line)
        if not row_line:
            raise LayoutError(
                f"cannot read {line!r}: expected a row like 'A: RRRR..RRRR', a section "
                "like '[Balcony]', '-', 'legend: ...' or 'numbering: ...'",
                line=number,
            )
        row, cells = row_line.group(1), row_line.group(2)
        if not _ROW_LABEL.fullmatch(row):
            raise LayoutError(f"row label {row!r} is longer than 8 characters", line=number)
        if row in row_lines:
            raise LayoutError(f"row {row} is already defined on line {row_lines[row]}", line=number)
        row_lines[row] = number
        # The single space after the colon is layout, not a gap.
        cells = cells.removeprefix(" ")
        row_specs = _row_specs(
            row, cells, section=section, y=y, legend=legend, numbering=numbering, line=number
        )
        if len(specs) + len(row_specs) > MAX_SEATS:
            raise LayoutError(f"a seat map has at most {MAX_SEATS} seats", line=number)
        specs.extend(row_specs)
        lines.extend([number] * len(row_specs))
        y += 1

    return _validated(specs, lines)


def _section_name(line: str, number: int) -> str:
    if not line.endswith("]"):
        raise LayoutError(f"a section header looks like '[Balcony]', not {line!r}", line=number)
    name = line[1:-1].strip()
    if not name:
        raise LayoutError("the section needs a name", line=number)
    if len(name) > _SECTION_NAME_MAX:
        raise LayoutError(f"section names have at most {_SECTION_NAME_MAX} characters", line=number)
    return name


def _legend_entries(body: str, number: int) -> dict[str, str]:
    entries: dict[str, str] = {}
    for token in body.split():
        entry = _LEGEND_ENTRY.fullmatch(token)
        if not entry:
            raise LayoutError(
                f"cannot read legend entry {token!r}: write LETTER=category, e.g. S=sofa",
                line=number,
            )
        letter, code = entry.groups()
        if not letter.isupper():
            raise LayoutError(
                f"legend letters are upper-case: {letter.upper()}, not {letter}", line=number
            )
        _check_category_code(code, line=number)
        entries[letter] = code
    if not entries:
        raise LayoutError("the legend line names no letters, e.g. legend: S=sofa", line=number)
    return entries


def _numbering(body: str, number: int) -> str:
    direction = body.lower()
    if direction not in (_LEFT_TO_RIGHT, _RIGHT_TO_LEFT):
        raise LayoutError(
            f"numbering is {_LEFT_TO_RIGHT} or {_RIGHT_TO_LEFT}, not {body!r}", line=number
        )
    return direction


def _row_places(row: str, cells: str, *, legend: dict[str, str], line: int) -> list[_Place]:
    places: list[_Place] = []
    x = 0
    while x < len(cells):
        letter = cells[x]
        if letter in _GAPS:
            x += 1
            continue
        if letter in string.ascii_lowercase:
            raise LayoutError(
                f"row {row}, place {x}: seat letters are upper-case ({letter.upper()}, "
                f"not {letter})",
                line=line,
            )
        if letter not in legend:
            raise LayoutError(
                f"row {row}, place {x}: unknown seat letter {letter!r} (known: "
                f"{''.join(sorted(legend))}; gaps are '.', '_' or space)",
                line=line,
            )
        if letter == _COUPLE:
            run_end = x
            while run_end < len(cells) and cells[run_end] == _COUPLE:
                run_end += 1
            if (run_end - x) % 2:
                raise LayoutError(
                    f"row {row}, places {x}-{run_end - 1}: a couple seat takes two C "
                    f"places, and this run has {run_end - x}",
                    line=line,
                )
            places.extend(_Place(start, 2, _COUPLE) for start in range(x, run_end, 2))
            x = run_end
            continue
        places.append(_Place(x, 1, letter))
        x += 1
    if not places:
        raise LayoutError(
            f"row {row} has no seats; an empty row is a line with just '-'", line=line
        )
    return places


def _companions(row: str, places: list[_Place], *, line: int) -> dict[int, int]:
    """Pair each W with a neighbouring M: the x of each W mapped to the x of its M.

    Walking the M places left to right, each takes the free W on its left if there is
    one, else the one on its right. Along a row this greedy choice pairs everything
    whenever any pairing can: a W skipped by the M on its left has no other M left.
    """
    letters = {place.x: place.letter for place in places}
    companion_of: dict[int, int] = {}
    for place in places:
        if place.letter != _COMPANION:
            continue
        for neighbour in (place.x - 1, place.x + 1):
            if letters.get(neighbour) == _WHEELCHAIR and neighbour not in companion_of:
                companion_of[neighbour] = place.x
                break
        else:
            raise LayoutError(
                f"row {row}, place {place.x}: companion seat M has no unpaired wheelchair "
                "place W right next to it",
                line=line,
            )
    for place in places:
        if place.letter == _WHEELCHAIR and place.x not in companion_of:
            raise LayoutError(
                f"row {row}, place {place.x}: wheelchair place W has no companion seat M "
                "right next to it",
                line=line,
            )
    return companion_of


def _row_specs(
    row: str,
    cells: str,
    *,
    section: str,
    y: int,
    legend: dict[str, str],
    numbering: str,
    line: int,
) -> list[SeatSpec]:
    places = _row_places(row, cells, legend=legend, line=line)
    companion_of = _companions(row, places, line=line)
    count = len(places)
    numbers = {
        place.x: (index + 1 if numbering == _LEFT_TO_RIGHT else count - index)
        for index, place in enumerate(places)
    }
    return [
        SeatSpec(
            section=section,
            row=row,
            number=numbers[place.x],
            label=f"{row}{numbers[place.x]}",
            category=legend[place.letter],
            x=place.x,
            y=y,
            width=place.width,
            is_wheelchair=place.letter == _WHEELCHAIR,
            companion_label=(
                f"{row}{numbers[companion_of[place.x]]}" if place.x in companion_of else None
            ),
            is_blocked=place.letter == _BLOCKED,
        )
        for place in places
    ]


# Checks shared by every source of seats --------------------------------------------


def _check_category_code(code: str, *, line: int | None) -> None:
    if len(code) > _CATEGORY_CODE_MAX or not _CATEGORY_CODE.fullmatch(code):
        raise LayoutError(
            f"{code!r} is not a category code: lower-case letters, digits, '-' and '_', "
            f"at most {_CATEGORY_CODE_MAX} characters",
            line=line,
        )


def layout_validate(specs: Iterable[SeatSpec]) -> list[SeatSpec]:
    """Check seats from any source (a list built by an API client, say) as a whole map.

    The checks are those the database cannot make, or would make with an unhelpful
    message: sizes and ranges, unique labels, places that overlap (a couple seat covers
    two), and companions that name an existing, ordinary seat paired with only one
    wheelchair place. Raises LayoutError naming the seat; returns the seats as a list.
    """
    seats = list(specs)
    return _validated(seats, [None] * len(seats))


def _validated(specs: list[SeatSpec], lines: Sequence[int | None]) -> list[SeatSpec]:
    if not specs:
        raise LayoutError("the seat map has no seats")
    if len(specs) > MAX_SEATS:
        raise LayoutError(
            f"a seat map has at most {MAX_SEATS} seats, not {len(specs)}", line=lines[MAX_SEATS]
        )
    by_label: dict[str, SeatSpec] = {}
    label_lines: dict[str, int | None] = {}
    occupied: dict[tuple[int, int], str] = {}
    for spec, line in zip(specs, lines, strict=True):
        _check_spec(spec, line=line)
        if spec.label in by_label:
            first = label_lines[spec.label]
            where = f" (first on line {first})" if first is not None else ""
            raise LayoutError(f"seat label {spec.label} is used twice{where}", line=line)
        by_label[spec.label] = spec
        label_lines[spec.label] = line
        for x in range(spec.x, spec.x + spec.width):
            if (x, spec.y) in occupied:
                raise LayoutError(
                    f"seat {spec.label} overlaps seat {occupied[x, spec.y]} at x={x}, y={spec.y}",
                    line=line,
                )
            occupied[x, spec.y] = spec.label
    companion_taken: dict[str, str] = {}
    for spec, line in zip(specs, lines, strict=True):
        if spec.companion_label is None:
            continue
        companion = by_label.get(spec.companion_label)
        if not spec.is_wheelchair:
            raise LayoutError(
                f"seat {spec.label} has a companion but is not a wheelchair place", line=line
            )
        if companion is None:
            raise LayoutError(
                f"the companion {spec.companion_label} of seat {spec.label} is not on the map",
                line=line,
            )
        if companion.is_wheelchair:
            raise LayoutError(
                f"the companion {companion.label} of seat {spec.label} is itself a wheelchair "
                "place",
                line=line,
            )
        if companion.label in companion_taken:
            raise LayoutError(
                f"seat {companion.label} is the companion of both "
                f"{companion_taken[companion.label]} and {spec.label}",
                line=line,
            )
        companion_taken[companion.label] = spec.label
    return specs


def _check_spec(spec: SeatSpec, *, line: int | None) -> None:
    name = spec.label or f"{spec.row}{spec.number}"
    problems = []
    if not spec.section.strip() or len(spec.section) > _SECTION_NAME_MAX:
        problems.append(f"the section name needs 1 to {_SECTION_NAME_MAX} characters")
    if not _ROW_LABEL.fullmatch(spec.row):
        problems.append(f"the row {spec.row!r} is not 1 to 8 letters or digits")
    if not 1 <= spec.number <= 32767:
        problems.append(f"the number {spec.number} is not between 1 and 32767")
    if not spec.label.strip() or spec.label != spec.label.strip() or len(spec.label) > _LABEL_MAX:
        problems.append(f"the label {spec.label!r} is not 1 to {_LABEL_MAX} characters")
    if not (abs(spec.x) <= MAX_COORDINATE and abs(spec.y) <= MAX_COORDINATE):
        problems.append(f"x and y must lie between -{MAX_COORDINATE} and {MAX_COORDINATE}")
    if not 1 <= spec.width <= 100:
        problems.append(f"the width {spec.width} is not between 1 and 100")
    if problems:
        raise LayoutError(f"seat {name}: {'; '.join(problems)}", line=line)
    _check_category_code(spec.category, line=line)


# CSV ---------------------------------------------------------------------------------

_CSV_REQUIRED = ("section", "row", "number", "label", "category", "x", "y")
_CSV_OPTIONAL = ("width", "wheelchair", "companion", "blocked")
_TRUE = frozenset({"1", "true", "yes"})
_FALSE = frozenset({"0", "false", "no", ""})


def layout_from_csv(text: str) -> list[SeatSpec]:
    """Read seats from CSV with a header row, one seat per record.

    Columns: section, row, number, label, category, x, y (required) and width (default
    1), wheelchair, companion (a label), blocked (optional). Booleans are 1/0,
    true/false or yes/no, empty meaning false. Unlike the text format, coordinates are
    free and a wheelchair place need not have a companion, nor sit next to it.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        raise LayoutError("the CSV is empty; it needs a header row", line=1) from None
    except csv.Error as error:
        raise LayoutError(f"cannot read the CSV: {error}", line=1) from error
    unknown = [column for column in header if column not in _CSV_REQUIRED + _CSV_OPTIONAL]
    missing = [column for column in _CSV_REQUIRED if column not in header]
    if unknown or missing or len(set(header)) != len(header):
        raise LayoutError(
            "the header row must name the columns "
            f"{','.join(_CSV_REQUIRED)} and optionally {','.join(_CSV_OPTIONAL)}, each once"
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            + (f"; missing: {', '.join(missing)}" if missing else ""),
            line=1,
        )

    specs: list[SeatSpec] = []
    lines: list[int] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise LayoutError(f"expected {len(header)} columns, found {len(record)}", line=line)
            if len(specs) == MAX_SEATS:
                raise LayoutError(f"a seat map has at most {MAX_SEATS} seats", line=line)
            values = {column: cell.strip() for column, cell in zip(header, record, strict=True)}
            specs.append(_csv_spec(values, line=line))
            lines.append(line)
    except csv.Error as error:
        raise LayoutError(f"cannot read the CSV: {error}", line=reader.line_num) from error
    return _validated(specs, lines)


def _csv_spec(values: dict[str, str], *, line: int) -> SeatSpec:
    def whole(column: str, default: int | None = None) -> int:
        value = values.get(column, "")
        if value == "" and default is not None:
            return default
        if not _WHOLE_NUMBER.fullmatch(value):
            raise LayoutError(f"{column} must be a whole number, not {value!r}", line=line)
        return int(value)

    def flag(column: str) -> bool:
        value = values.get(column, "").lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise LayoutError(
            f"{column} must be 1/0, true/false or yes/no, not {values[column]!r}", line=line
        )

    return SeatSpec(
        section=values["section"],
        row=values["row"],
        number=whole("number"),
        label=values["label"],
        category=values["category"],
        x=whole("x"),
        y=whole("y"),
        width=whole("width", default=1),
        is_wheelchair=flag("wheelchair"),
        companion_label=values.get("companion") or None,
        is_blocked=flag("blocked"),
    )


# Rendering ---------------------------------------------------------------------------


def layout_render(specs: Iterable[SeatSpec]) -> str:
    """Write seats in the text format, so that parsing the result gives them back.

    Exact for whatever `layout_parse` produces. Other seat maps (from CSV or an API
    client) render when the format can express them: legend lines are added for other
    category codes and numbering lines for rows numbered right to left. What it cannot
    express (labels other than row + number, rows sharing a y, negative coordinates,
    blocked wheelchair or couple places, a wheelchair place without a companion next
    to it...) raises LayoutError rather than export a different map.
    """
    seats = sorted(layout_validate(specs), key=lambda spec: (spec.y, spec.x))
    rows: dict[str, list[SeatSpec]] = {}
    for spec in seats:
        rows.setdefault(spec.row, []).append(spec)
    companions = {spec.companion_label: spec for spec in seats if spec.companion_label}
    roles = {spec.label: _role_letter(spec, companions) for spec in seats}
    plain_letters = _plain_letters([spec.category for spec in seats if roles[spec.label] is None])

    lines: list[str] = []
    legend = dict(DEFAULT_LEGEND)
    numbering = _LEFT_TO_RIGHT
    section: str | None = None
    y = 0
    for row, row_seats in sorted(rows.items(), key=lambda item: item[1][0].y):
        row_y = _single(row, "y", {spec.y for spec in row_seats})
        row_section = _single(row, "section", {spec.section for spec in row_seats})
        if row_y < 0:
            raise LayoutError(f"row {row} has a negative y")
        if row_y < y:
            raise LayoutError(f"row {row} shares its y ({row_y}) with another row")
        lines.extend(["-"] * (row_y - y))
        y = row_y + 1
        if row_section != section:
            section = row_section
            lines.append(f"[{section}]")

        letters: dict[str, str] = {}
        cells = ["."] * max(spec.x + spec.width for spec in row_seats)
        for spec in row_seats:
            if spec.x < 0:
                raise LayoutError(f"seat {spec.label} has a negative x")
            letter = roles[spec.label] or plain_letters[spec.category]
            if letters.setdefault(letter, spec.category) != spec.category:
                raise LayoutError(
                    f"row {row} mixes categories {letters[letter]} and {spec.category} in "
                    f"places written {letter}"
                )
            cells[spec.x : spec.x + spec.width] = letter * spec.width
        changes = {letter: code for letter, code in letters.items() if legend.get(letter) != code}
        if changes:
            legend.update(changes)
            entries = (f"{letter}={code}" for letter, code in sorted(changes.items()))
            lines.append("legend: " + " ".join(entries))

        direction = _row_numbering(row, row_seats) or numbering
        if direction != numbering:
            numbering = direction
            lines.append(f"numbering: {numbering}")
        lines.append(f"{row}: {''.join(cells)}")

    text = "\n".join(lines) + "\n"
    # The checks above cover the usual cases; re-reading catches the rest (a pairing of
    # W and M the parser would make differently, say) instead of exporting another map.
    try:
        reparsed = layout_parse(text)
    except LayoutError as error:
        raise LayoutError(f"the seats cannot be written as a text layout: {error}") from error
    if reparsed != seats:
        differing = next(
            (old for old, new in zip(seats, reparsed, strict=False) if old != new), seats[-1]
        )
        raise LayoutError(f"seat {differing.label} cannot be written as a text layout")
    return text


def _role_letter(spec: SeatSpec, companions: dict[str, SeatSpec]) -> str | None:
    """The letter whose role this seat has (C, W, M, X), or None for a plain seat."""
    if spec.is_wheelchair:
        if spec.width != 1 or spec.is_blocked or spec.companion_label is None:
            raise LayoutError(
                f"seat {spec.label}: a wheelchair place in a text layout is one place wide, "
                "not blocked, and has a companion seat"
            )
        return _WHEELCHAIR
    if spec.label in companions:
        wheelchair = companions[spec.label]
        if (
            spec.width != 1
            or spec.is_blocked
            or spec.row != wheelchair.row
            or abs(spec.x - wheelchair.x) != 1
        ):
            raise LayoutError(
                f"seat {spec.label}: a companion seat in a text layout is one place wide, "
                f"not blocked, and right next to its wheelchair place {wheelchair.label}"
            )
        return _COMPANION
    if spec.width == 2:
        if spec.is_blocked:
            raise LayoutError(f"seat {spec.label}: a couple seat cannot be blocked in text")
        return _COUPLE
    if spec.width != 1:
        raise LayoutError(f"seat {spec.label}: only couple seats can be wider than one place")
    return _BLOCKED if spec.is_blocked else None


def _plain_letters(codes: Iterable[str]) -> dict[str, str]:
    """A letter for every category of plain seats: the default one, else a free one.

    Free letters are tried in the order of the code's own letters, then the alphabet,
    so `sofa` becomes S when S is not taken; default letters whose category is not
    used come last.
    """
    letters: dict[str, str] = {}
    wanted = list(dict.fromkeys(codes))
    defaults = {
        code: letter for letter, code in DEFAULT_LEGEND.items() if letter not in _ROLE_LETTERS
    }
    for code in wanted:
        if code in defaults:
            letters[code] = defaults[code]
    for code in wanted:
        if code in letters:
            continue
        taken = set(letters.values()) | _ROLE_LETTERS
        candidates = [c.upper() for c in code if c.isalpha()] + list(string.ascii_uppercase)
        # A letter the reader knows by default (R, P, L) is reused only as a last resort.
        candidates.sort(key=lambda candidate: candidate in DEFAULT_LEGEND)
        letter = next((c for c in candidates if c not in taken), None)
        if letter is None:
            raise LayoutError("too many seat categories to give each a letter")
        letters[code] = letter
    return letters


def _single(row: str, what: str, values: set[_T]) -> _T:
    if len(values) != 1:
        raise LayoutError(f"row {row} has seats with different {what}s: a text row has one")
    return next(iter(values))


def _row_numbering(row: str, seats: list[SeatSpec]) -> str | None:
    """The direction the row's seats are numbered in; None when one seat leaves it open."""
    numbers = [spec.number for spec in seats]
    for spec in seats:
        if spec.label != f"{row}{spec.number}":
            raise LayoutError(
                f"seat {spec.label}: text layouts label seats with row and number "
                f"({row}{spec.number})"
            )
    if len(seats) == 1 and numbers == [1]:
        return None
    if numbers == list(range(1, len(seats) + 1)):
        return _LEFT_TO_RIGHT
    if numbers == list(range(len(seats), 0, -1)):
        return _RIGHT_TO_LEFT
    raise LayoutError(f"row {row} is not numbered 1 to {len(seats)} along the row")
