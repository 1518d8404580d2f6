"""The PDF e-ticket: one page per ticket, in the chain's name, logo and colours.

Drawn with ReportLab on A4 (it prints at home and reads on a phone): a header band in
the chain's primary colour with its logo and name; the title, the day and time in the
venue's time zone, the venue and auditorium; the seat, large, in a box edged with the
chain's accent colour; the signed QR code; the booking reference and the fine print.
Bitstream Vera (shipped with ReportLab) is embedded, so every viewer shows the same.
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
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

logger = logging.getLogger(__name__)
REGULAR, BOLD = "Vera", "VeraBd"
_fonts_ready = False


def _fonts() -> None:
    global _fonts_ready
    if not _fonts_ready:
        pdfmetrics.registerFont(TTFont(REGULAR, "Vera.ttf"))
        pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))
        _fonts_ready = True


@dataclass(frozen=True)
class TicketPage:
    """Everything printed on one ticket, as plain values (no database access here)."""

    brand: str
    primary_colour: str
    accent_colour: str
    logo_path: str | None
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
    paid: str
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
            logo = ImageReader(page.logo_path)
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
    pdf.setFont(BOLD, 24)
    pdf.drawString(text_x, height - 56, page.brand)
    pdf.setFont(REGULAR, 10)
    pdf.drawString(text_x, height - 76, "E-TICKET")
    pdf.drawRightString(width - margin, height - 76, page.position)

    # The show.
    y = height - 150
    pdf.setFillColor(colors.HexColor("#111827"))
    pdf.setFont(BOLD, 22)
    for line in simpleSplit(page.title, BOLD, 22, 300)[:3]:
        pdf.drawString(margin, y, line)
        y -= 26
    pdf.setFont(REGULAR, 10)
    pdf.setFillColor(colors.HexColor("#4b5563"))
    if page.details:
        pdf.drawString(margin, y, page.details)
        y -= 28
    pdf.setFillColor(colors.HexColor("#111827"))
    pdf.setFont(REGULAR, 14)
    pdf.drawString(margin, y, page.day)
    y -= 34
    pdf.setFont(BOLD, 30)
    pdf.drawString(margin, y, page.time)
    y -= 28
    pdf.setFont(REGULAR, 13)
    pdf.drawString(margin, y, page.venue)
    y -= 18
    pdf.drawString(margin, y, page.auditorium)

    # The seat, large, edged in the accent colour.
    box_y = y - 110
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(3)
    pdf.roundRect(margin, box_y, 260, 86, 10, stroke=1, fill=0)
    pdf.setFillColor(colors.HexColor("#6b7280"))
    pdf.setFont(REGULAR, 10)
    pdf.drawString(margin + 16, box_y + 64, "SEAT")
    pdf.setFillColor(colors.HexColor("#111827"))
    pdf.setFont(BOLD, 36)
    pdf.drawString(margin + 16, box_y + 22, page.seat)
    pdf.setFont(REGULAR, 12)
    pdf.drawRightString(margin + 244, box_y + 26, page.category)

    # The signed code the door scans.
    qr_size = 205
    qr_x = width - margin - qr_size
    qr_y = height - 130 - qr_size
    _qr(pdf, page.code, qr_x, qr_y, qr_size)
    pdf.setFont(REGULAR, 9)
    pdf.setFillColor(colors.HexColor("#4b5563"))
    pdf.drawCentredString(qr_x + qr_size / 2, qr_y - 12, "Scan at the door")

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
        pdf.setFont(REGULAR, 9)
        pdf.setFillColor(colors.HexColor("#6b7280"))
        pdf.drawString(margin, y, label.upper())
        pdf.setFont(BOLD, 12)
        pdf.setFillColor(colors.HexColor("#111827"))
        pdf.drawString(margin + 70, y, value)
        y -= 20
    pdf.setFont(REGULAR, 8)
    pdf.setFillColor(colors.HexColor("#6b7280"))
    for line in (
        "Valid for one admission to the show above. The code is checked once at the door;",
        "a copy is refused after the first scan. Cancelled or refunded tickets are void.",
    ):
        pdf.drawString(margin, y - 8, line)
        y -= 11
    pdf.setFillColor(primary)
    pdf.rect(0, 0, width, 24, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.setFont(REGULAR, 8)
    pdf.drawString(margin, 9, page.brand)
    pdf.drawRightString(width - margin, 9, page.reference)


def tickets_pdf(pages: Sequence[TicketPage], *, title: str) -> bytes:
    """One PDF with a page per ticket."""
    _fonts()
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
