"""The PDF e-ticket: one page per ticket, in the chain's name, logo and colours.

Drawn with ReportLab on A4 (it prints at home and reads on a phone): a header band in
the chain's primary colour with its logo and name; the title, the day and time in the
venue's time zone, the venue and auditorium; the seat, large, in a box edged with the
chain's accent colour; the signed QR code; the booking reference and the fine print.
Bitstream Vera (shipped with ReportLab) is embedded, so every viewer shows the same;
names and titles in other scripts fall back to Noto fonts, shaped (tickets.fonts).
"""

from __future__ import annotations

import io
import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from venue_apps.tickets.fonts import BOLD, REGULAR, draw, fonts_ready, wrap

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TicketPage:
    """Everything printed on one ticket, as plain values (no database access here)."""

    brand: str
    primary_colour: str
    accent_colour: str
    logo_path: str | bytes | None  # a file's path, or the image itself (a bucket has no paths)
    title: str
    details: str  # "IMAX · English · U/A 13+"
    day: str  # "Monday 7 December 2026"
    time: str  # "18:00"
    venue: str
    auditorium: str
    seat: str
    category: str
    reference: str
    holder: str
    paid: str  # what this seat cost (not the whole order), or "Free"
    code: str
    position: str  # "Ticket 1 of 2"


def _colour(hex_colour: str, fallback: str) -> colors.Color:
    try:
        return colors.HexColor(hex_colour)
    except (ValueError, TypeError):
        return colors.HexColor(fallback)


def _qr(pdf: canvas.Canvas, code: str, x: float, y: float, size: float) -> None:
    """The QR code as one filled path of module runs (segno encodes it; drawing it as a
    path is ten times faster than ReportLab's widget and just as sharp)."""
    matrix = segno.make(code, error="m", micro=False, boost_error=False).matrix
    border = 2
    box = size / (len(matrix) + 2 * border)
    path = pdf.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + border + 1) * box
        column = 0
        for dark, run in itertools.groupby(row):
            length = len(list(run))
            if dark:
                path.rect(x + (column + border) * box, top, length * box, box)
            column += length
    pdf.setFillColor(colors.black)
    pdf.drawPath(path, stroke=0, fill=1)


def _page(pdf: canvas.Canvas, page: TicketPage) -> None:
    width, height = A4
    primary = _colour(page.primary_colour, "#1f2937")
    accent = _colour(page.accent_colour, "#f59e0b")
    margin = 40

    # Header band: logo and the chain's name.
    pdf.setFillColor(primary)
    pdf.rect(0, height - 96, width, 96, stroke=0, fill=1)
    pdf.setFillColor(accent)
    pdf.rect(0, height - 102, width, 6, stroke=0, fill=1)
    text_x = margin
    if page.logo_path:
        try:
            logo = ImageReader(
                io.BytesIO(page.logo_path) if isinstance(page.logo_path, bytes) else page.logo_path
            )
            pdf.drawImage(
                logo,
                margin,
                height - 84,
                width=72,
                height=72,
                preserveAspectRatio=True,
                mask="auto",
            )
            text_x = margin + 88
        except (OSError, ValueError):
            logger.warning("ticket PDF: the chain's logo could not be read")
    pdf.setFillColor(colors.white)
    draw(pdf, text_x, height - 56, page.brand, BOLD, 24)
    draw(pdf, text_x, height - 76, "E-TICKET", REGULAR, 10)
    draw(pdf, width - margin, height - 76, page.position, REGULAR, 10, align="right")

    # The show.
    y = height - 150
    pdf.setFillColor(colors.HexColor("#111827"))
    for line in wrap(page.title, BOLD, 22, 300)[:3]:
        draw(pdf, margin, y, line, BOLD, 22)
        y -= 26
    pdf.setFillColor(colors.HexColor("#4b5563"))
    if page.details:
        draw(pdf, margin, y, page.details, REGULAR, 10)
        y -= 28
    pdf.setFillColor(colors.HexColor("#111827"))
    draw(pdf, margin, y, page.day, REGULAR, 14)
    y -= 34
    draw(pdf, margin, y, page.time, BOLD, 30)
    y -= 28
    draw(pdf, margin, y, page.venue, REGULAR, 13)
    y -= 18
    draw(pdf, margin, y, page.auditorium, REGULAR, 13)

    # The seat, large, edged in the accent colour.
    box_y = y - 110
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(3)
    pdf.roundRect(margin, box_y, 260, 86, 10, stroke=1, fill=0)
    pdf.setFillColor(colors.HexColor("#6b7280"))
    draw(pdf, margin + 16, box_y + 64, "SEAT", REGULAR, 10)
    pdf.setFillColor(colors.HexColor("#111827"))
    draw(pdf, margin + 16, box_y + 22, page.seat, BOLD, 36)
    draw(pdf, margin + 244, box_y + 26, page.category, REGULAR, 12, align="right")

    # The signed code the door scans.
    qr_size = 205
    qr_x = width - margin - qr_size
    qr_y = height - 130 - qr_size
    _qr(pdf, page.code, qr_x, qr_y, qr_size)
    pdf.setFillColor(colors.HexColor("#4b5563"))
    draw(pdf, qr_x + qr_size / 2, qr_y - 12, "Scan at the door", REGULAR, 9, align="centre")

    # Booking, holder and the fine print.
    y = box_y - 50
    pdf.setStrokeColor(colors.HexColor("#e5e7eb"))
    pdf.setLineWidth(1)
    pdf.line(margin, y + 20, width - margin, y + 20)
    pdf.setFillColor(colors.HexColor("#111827"))
    for label, value in (
        ("Booking", page.reference),
        ("Name", page.holder),
        ("Paid", page.paid),
    ):
        if not value:
            continue  # a walk-in who gave no name: no empty "Name" line
        pdf.setFillColor(colors.HexColor("#6b7280"))
        draw(pdf, margin, y, label.upper(), REGULAR, 9)
        pdf.setFillColor(colors.HexColor("#111827"))
        draw(pdf, margin + 70, y, value, BOLD, 12)
        y -= 20
    pdf.setFillColor(colors.HexColor("#6b7280"))
    for line in (
        "Valid for one admission to the show above. The code is checked once at the door;",
        "a copy is refused after the first scan. Cancelled or refunded tickets are void.",
    ):
        draw(pdf, margin, y - 8, line, REGULAR, 8)
        y -= 11
    pdf.setFillColor(primary)
    pdf.rect(0, 0, width, 24, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    draw(pdf, margin, 9, page.brand, REGULAR, 8)
    draw(pdf, width - margin, 9, page.reference, REGULAR, 8, align="right")


def tickets_pdf(pages: Sequence[TicketPage], *, title: str) -> bytes:
    """One PDF with a page per ticket."""
    fonts_ready()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(title)
    pdf.setAuthor(pages[0].brand if pages else "")
    pdf.setCreator("Ticketing platform")
    for page in pages:
        _page(pdf, page)
        pdf.showPage()
    pdf.save()
    return out.getvalue()
