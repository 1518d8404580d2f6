"""An invoice as a PDF: the platform as issuer, the chain as customer, the number and
month, the lines, the total in currency units and the status.

Drawn with ReportLab like the e-tickets, from the invoice's frozen fields only, with
ReportLab's invariant mode (no creation time, fixed document id): the same invoice in
the same status is the same file, byte for byte. Bitstream Vera (shipped with
ReportLab) is embedded; amounts are written with the currency's code (`1,250.00 INR`)
since Vera has no rupee sign.
"""

from __future__ import annotations

import io
import zoneinfo
from functools import cache

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from tenants.billing.models import Invoice
from tenants.money import money

REGULAR, BOLD = "Vera", "VeraBd"
MARGIN = 48
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
BAND = colors.HexColor("#243b53")
STATUS_TEXT = {
    Invoice.Status.OPEN: "Open: charged to your saved card, or pay from your dashboard",
    Invoice.Status.PAID: "Paid",
    Invoice.Status.FAILED: "Payment failed: please pay from your dashboard",
    Invoice.Status.VOID: "Void",
}


@cache
def _fonts() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))


def issuer() -> dict[str, str]:
    """Who issues the platform's invoices (settings.BILLING_ISSUER)."""
    default = {
        "name": "Ticketing Platform",
        "address": "",
        "email": f"billing@{settings.PLATFORM_DOMAIN}",
    }
    return {**default, **getattr(settings, "BILLING_ISSUER", {})}


def _fit(pdf: canvas.Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    """`text` wrapped to `width` points."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and pdf.stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice's PDF (one A4 page; more when it has many lines)."""
    _fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1, pageCompression=1)
    width, height = A4
    platform = issuer()
    pdf.setTitle(f"Invoice {invoice.number}")
    pdf.setAuthor(platform["name"])
    pdf.setCreator(platform["name"])
    currency = invoice.currency
    zone = zoneinfo.ZoneInfo(invoice.tenant.timezone)

    def amount(value: int) -> str:
        return money(value, currency, symbol=False)

    pdf.setFillColor(BAND)
    pdf.rect(0, height - 90, width, 90, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.setFont(BOLD, 20)
    pdf.drawString(MARGIN, height - 50, platform["name"])
    pdf.setFont(REGULAR, 10)
    pdf.drawString(
        MARGIN, height - 68, " · ".join(filter(None, [platform["address"], platform["email"]]))
    )
    pdf.setFont(BOLD, 20)
    pdf.drawRightString(width - MARGIN, height - 50, "INVOICE")
    pdf.setFont(REGULAR, 11)
    pdf.drawRightString(width - MARGIN, height - 68, invoice.number)

    y = height - 130
    pdf.setFillColor(MUTED)
    pdf.setFont(REGULAR, 9)
    pdf.drawString(MARGIN, y, "BILLED TO")
    pdf.drawString(width / 2, y, "INVOICE")
    pdf.setFillColor(INK)
    pdf.setFont(BOLD, 12)
    pdf.drawString(MARGIN, y - 16, invoice.tenant.name)
    pdf.setFont(REGULAR, 10)
    pdf.drawString(MARGIN, y - 31, f"{invoice.tenant.slug}.{settings.PLATFORM_DOMAIN}")
    details = [
        ("Number", invoice.number),
        ("Month", f"{invoice.month:%B %Y}"),
        ("Issued", f"{invoice.issued_at.astimezone(zone):%d %B %Y}"),
        ("Due", f"{invoice.due_on:%d %B %Y}"),
        ("Plan", invoice.plan_name),
        ("Currency", currency),
    ]
    for index, (label, value) in enumerate(details):
        row = y - 16 - index * 14
        pdf.setFont(REGULAR, 10)
        pdf.setFillColor(MUTED)
        pdf.drawString(width / 2, row, label)
        pdf.setFillColor(INK)
        pdf.drawString(width / 2 + 70, row, value)

    y -= 16 + len(details) * 14 + 24
    columns = (MARGIN, width - MARGIN - 240, width - MARGIN - 130, width - MARGIN)
    pdf.setFont(BOLD, 9)
    pdf.setFillColor(MUTED)
    pdf.drawString(columns[0], y, "DESCRIPTION")
    pdf.drawRightString(columns[1] + 30, y, "QUANTITY")
    pdf.drawRightString(columns[2] + 30, y, "UNIT")
    pdf.drawRightString(columns[3], y, f"AMOUNT ({currency})")
    pdf.setStrokeColor(MUTED)
    pdf.line(MARGIN, y - 6, width - MARGIN, y - 6)
    y -= 22
    pdf.setFillColor(INK)
    for line in invoice.lines.all():
        wrapped = _fit(pdf, line.description, REGULAR, 10, columns[1] - columns[0] - 30)
        if y - 13 * len(wrapped) < 120:
            pdf.showPage()
            y = height - MARGIN
        pdf.setFont(REGULAR, 10)
        pdf.drawRightString(columns[1] + 30, y, f"{line.quantity:,}")
        pdf.drawRightString(columns[2] + 30, y, amount(line.unit_amount))
        pdf.drawRightString(columns[3], y, amount(line.amount))
        for text in wrapped:
            pdf.drawString(columns[0], y, text)
            y -= 13
        y -= 6
    # The total's label well left of its figure, whatever the figure's width.
    pdf.line(columns[1] - 10, y, width - MARGIN, y)
    y -= 20
    pdf.setFont(BOLD, 13)
    pdf.drawString(columns[1] - 10, y, "Total")
    pdf.drawRightString(columns[3], y, money(invoice.total, currency, symbol=False))

    y -= 40
    pdf.setFont(BOLD, 11)
    pdf.drawString(MARGIN, y, f"Status: {STATUS_TEXT.get(invoice.status, invoice.status)}")
    pdf.setFont(REGULAR, 10)
    if invoice.status == Invoice.Status.PAID and invoice.paid_at:
        note = f"Paid on {invoice.paid_at.astimezone(zone):%d %B %Y}"
        if invoice.payment_reference:
            note += f" ({invoice.payment_reference})"
        pdf.drawString(MARGIN, y - 15, note)
    elif invoice.status == Invoice.Status.VOID and invoice.voided_reason:
        pdf.drawString(MARGIN, y - 15, invoice.voided_reason[:110])

    pdf.setFont(REGULAR, 8)
    pdf.setFillColor(MUTED)
    pdf.drawString(
        MARGIN,
        36,
        "Tickets, gross and refunds are the chain's live sales from its ledger, in the "
        "chain's time zone. Amounts in " + currency + ".",
    )
    pdf.drawRightString(width - MARGIN, 24, invoice.number)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
