"""The e-ticket in other scripts: names and titles in Hindi, Tamil or Polish print in
a font that has their letters, and the Indian scripts are shaped (HarfBuzz), so vowel
signs sit where a reader expects them. Needs the Noto fonts (make fonts)."""

from __future__ import annotations

import io
import logging

import pytest
from pypdf import PdfReader

from venue_apps.tickets import fonts
from venue_apps.tickets.pdf import TicketPage, tickets_pdf


@pytest.fixture(autouse=True)
def _fonts_reloaded():
    fonts._chain.cache_clear()
    yield
    fonts._chain.cache_clear()


def _page(**changes) -> TicketPage:
    values = dict(
        brand="Aurora Multiplex",
        primary_colour="#1e3a8a",
        accent_colour="#f59e0b",
        logo_path=None,
        title="Dune",
        details="IMAX · English · U/A",
        day="Monday 7 December 2026",
        time="18:00",
        venue="Aurora Mall",
        auditorium="Screen 1",
        seat="F12",
        category="Prime",
        reference="AUR-7KQ2",
        holder="Asha Rao",
        paid="1,370.80 INR",
        code="TK1.payload.signature",
        position="Ticket 1 of 1",
    )
    return TicketPage(**{**values, **changes})


def _embedded_fonts(pdf: bytes) -> set[str]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    names = (str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values())
    return {name.split("+")[-1].lstrip("/") for name in names}


def test_text_is_cut_into_runs_of_fonts_that_have_its_letters():
    hindi_then_latin = fonts.runs("सिनेमा घर Aurora", fonts.BOLD)
    polish = fonts.runs("Łukasz Żółw", fonts.REGULAR)
    tamil_name = fonts.runs("ராஜேஷ் குமார் 12", fonts.REGULAR)

    assert [(font.name, piece) for font, piece in hindi_then_latin] == [
        ("NotoSansDevanagari-bold", "सिनेमा घर "),
        ("VeraBd", "Aurora"),
    ]
    # Vera has Ł but no Ż: that word goes to Noto Sans, which has the rest of it too.
    assert [(font.name, piece) for font, piece in polish] == [
        ("Vera", "Łukasz "),
        ("NotoSans-regular", "Żółw"),
    ]
    # Spaces and digits stay in the run they are in.
    assert [(font.name, piece) for font, piece in tamil_name] == [
        ("NotoSansTamil-regular", "ராஜேஷ் குமார் 12")
    ]


@pytest.mark.parametrize(
    ("text", "base"),
    [("दि", "द"), ("செ", "ச")],  # the vowel sign is written first, before its consonant
)
def test_indian_scripts_are_shaped(text, base):
    ((font, piece),) = fonts.runs(text, fonts.REGULAR)
    shaped, width = fonts._shaped(font, piece, 10)

    assert font.shaped
    assert str(shaped)[-1] == base and str(shaped)[0] != base
    assert width > 0


def test_a_ticket_in_hindi_and_tamil_embeds_the_fonts_it_needs():
    latin = tickets_pdf([_page()], title="Dune")
    indian = tickets_pdf(
        [_page(title="दिलवाले दुल्हनिया ले जाएंगे", holder="ராஜேஷ் குமார்", venue="ಮಲ್ಟಿಪ್ಲೆಕ್ಸ್")],
        title="DDLJ",
    )

    assert _embedded_fonts(latin) <= {
        "BitstreamVeraSans-Bold",
        "BitstreamVeraSans-Roman",
        "Helvetica",
    }
    assert {
        "NotoSansDevanagari-Bold",
        "NotoSansTamil-Bold",
        "NotoSansKannada-Regular",
    } <= _embedded_fonts(indian)
    # The Latin parts read back as before.
    text = PdfReader(io.BytesIO(indian)).pages[0].extract_text()
    assert "F12" in text and "AUR-7KQ2" in text


def test_without_the_noto_fonts_the_ticket_still_renders(settings, caplog):
    settings.TICKET_FONT_DIRS = ["/nonexistent"]
    with caplog.at_level(logging.WARNING, logger="venue_apps.tickets.fonts"):
        pdf = tickets_pdf([_page(holder="ராஜேஷ்")], title="Dune")

    assert pdf.startswith(b"%PDF") and "F12" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "NotoSansTamil" in caplog.text and "print as boxes" in caplog.text


def test_a_damaged_font_file_is_skipped(settings, tmp_path, caplog):
    from shutil import copy

    real = "/usr/share/fonts/truetype/noto"
    (tmp_path / "NotoSans-Regular.ttf").write_bytes(b"\x00\x01\x00\x00 not a font")
    copy(f"{real}/NotoSansTamil-Bold.ttf", tmp_path)  # the holder is printed in bold
    settings.TICKET_FONT_DIRS = [str(tmp_path)]
    with caplog.at_level(logging.WARNING, logger="venue_apps.tickets.fonts"):
        pdf = tickets_pdf([_page(holder="ராஜேஷ்")], title="Dune")

    assert "NotoSansTamil-Bold" in _embedded_fonts(pdf)
    assert "could not be read" in caplog.text


def test_a_walk_in_without_a_name_gets_no_empty_name_line():
    def text(pdf: bytes) -> str:
        return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

    assert "NAME" in text(tickets_pdf([_page()], title="Dune"))
    nameless = text(tickets_pdf([_page(holder="")], title="Dune"))
    assert "NAME" not in nameless
    assert "BOOKING" in nameless and "PAID" in nameless
