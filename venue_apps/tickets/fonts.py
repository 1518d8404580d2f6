"""Text on the e-ticket in whatever script a chain's names and titles come in.

A chain in India sells "दिलवाले" to "ராஜேஷ் குமார்" at "ಮಲ್ಟಿಪ್ಲೆಕ್ಸ್". Each piece of text is cut into
runs, each run drawn in the first font of a fallback chain that has all its letters:
Bitstream Vera (shipped with ReportLab, the ticket's look), then Noto Sans (Latin
Extended, Greek, Cyrillic) and the Noto fonts of the Indian scripts. Runs in those
scripts are shaped with HarfBuzz (uharfbuzz), so conjuncts and vowel signs join as
they should. Spaces, digits and punctuation stay in the run they are in.

The Noto fonts are read from `TICKET_FONT_DIRS` (Debian's fonts-noto-core by default;
the image and `make fonts` install it). Without them the ticket still renders, in Vera,
with boxes for the letters it lacks, and a warning is logged once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, shapeStr

logger = logging.getLogger(__name__)

REGULAR, BOLD = "regular", "bold"
# The base font first: most tickets are all Latin-1 and never need another.
_BASE = {REGULAR: ("Vera", "Vera.ttf"), BOLD: ("VeraBd", "VeraBd.ttf")}
_FALLBACK_FAMILIES = (
    "NotoSans",
    "NotoSansDevanagari",
    "NotoSansBengali",
    "NotoSansGurmukhi",
    "NotoSansGujarati",
    "NotoSansOriya",
    "NotoSansTamil",
    "NotoSansTelugu",
    "NotoSansKannada",
    "NotoSansMalayalam",
)
_FILE_WEIGHT = {REGULAR: "Regular", BOLD: "Bold"}


@dataclass(frozen=True)
class _Font:
    name: str
    chars: frozenset[int]
    shaped: bool  # complex scripts go through HarfBuzz


@cache
def _chain(weight: str) -> tuple[_Font, ...]:
    """The fonts tried in order for this weight, registered with ReportLab once."""
    name, filename = _BASE[weight]
    base = TTFont(name, filename, shapable=False)
    pdfmetrics.registerFont(base)
    chain = [_Font(name, frozenset(base.face.charToGlyph), shaped=False)]
    missing = []
    for family in _FALLBACK_FAMILIES:
        path = _find(f"{family}-{_FILE_WEIGHT[weight]}.ttf")
        if path is None:
            missing.append(family)
            continue
        font_name = f"{family}-{weight}"
        try:
            font = TTFont(font_name, str(path))
        except Exception:  # a damaged file must not stop every ticket
            logger.exception("ticket PDF fonts: %s could not be read; skipped", path)
            missing.append(family)
            continue
        pdfmetrics.registerFont(font)
        # Noto Sans covers European scripts, which need no shaping; the Indian
        # scripts do, and HarfBuzz is there when uharfbuzz is installed.
        shaped = family != "NotoSans" and font.shapable
        chain.append(_Font(font_name, frozenset(font.face.charToGlyph), shaped=shaped))
    if missing:
        logger.warning(
            "ticket PDF fonts: %s not found in %s; those scripts print as boxes",
            ", ".join(missing),
            settings.TICKET_FONT_DIRS,
        )
    return tuple(chain)


def _find(filename: str) -> Path | None:
    for directory in settings.TICKET_FONT_DIRS:
        if not directory:
            continue
        path = Path(directory) / filename
        if path.is_file():
            return path
    return None


def fonts_ready() -> None:
    """Register every font now (at import of the PDF module's first use)."""
    _chain(REGULAR)
    _chain(BOLD)


def runs(text: str, weight: str) -> list[tuple[_Font, str]]:
    """`text` cut into (font, piece) runs: each character in the font of the run it is
    in when that font has it, else in the first font of the chain that has it."""
    chain = _chain(weight)
    pieces: list[tuple[_Font, list[str]]] = []
    for char in text:
        code = ord(char)
        if pieces and code in pieces[-1][0].chars:
            pieces[-1][1].append(char)
            continue
        font = next((f for f in chain if code in f.chars), chain[0])
        if pieces and pieces[-1][0] is font:
            pieces[-1][1].append(char)
        else:
            pieces.append((font, [char]))
    return [(font, "".join(chars)) for font, chars in pieces]


def _shaped(font: _Font, piece: str, size: float) -> tuple[str, float]:
    """The run as drawn (HarfBuzz's glyphs and positions for complex scripts) and its
    width. Shaped directly: canvas.drawString shapes only with rlbidi installed."""
    if font.shaped:
        shaped = shapeStr(piece, font.name, size)
        data = getattr(shaped, "__shapeData__", None)
        if data is not None:
            return shaped, sum(glyph.x_advance for glyph in data) * size / 1000
    return piece, pdfmetrics.stringWidth(piece, font.name, size)


def text_width(text: str, weight: str, size: float) -> float:
    return sum(_shaped(font, piece, size)[1] for font, piece in runs(text, weight))


def draw(pdf, x: float, y: float, text: str, weight: str, size: float, align: str = "left"):
    """Draw `text` with its baseline at y: from x (left), ending at x (right), or
    centred on x."""
    drawn = [(font, *_shaped(font, piece, size)) for font, piece in runs(text, weight)]
    total = sum(width for _, _, width in drawn)
    if align == "right":
        x -= total
    elif align == "centre":
        x -= total / 2
    for font, piece, width in drawn:
        line = pdf.beginText(x, y)
        line.setFont(font.name, size)
        line.textOut(piece)
        pdf.drawText(line)
        x += width


def wrap(text: str, weight: str, size: float, width: float) -> list[str]:
    """Greedy line breaks at spaces, measured with the runs' own fonts."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, weight, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines
