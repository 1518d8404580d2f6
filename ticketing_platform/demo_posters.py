"""Posters for the demo's titles, drawn with Pillow: a 2:3 JPEG with a gradient in two
colours that come from the title's name (so each title keeps its look from one seed to
the next), the name set large in a bold face, and the kind, formats and certificate
small at the foot.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

SIZE = (480, 720)
QUALITY = 82
_BOLD_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
)


def _font_files() -> list[str]:
    files = list(_BOLD_FONTS)
    try:
        import reportlab

        files.append(str(Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf"))
    except ImportError:  # pragma: no cover - reportlab is a dependency
        pass
    return [path for path in files if Path(path).is_file()]


def bold_font(size: int) -> Any:
    """A bold TrueType face at `size` (DejaVu, Liberation, Noto or ReportLab's Vera,
    whichever is there), else Pillow's own font."""
    for path in _font_files():
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def colours_for(name: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Two deep colours, a third of the wheel apart, picked by the name's hash."""
    digest = hashlib.blake2b(name.encode(), digest_size=4).digest()
    hue = digest[0] / 255
    second = (hue + 0.28 + digest[1] / 255 * 0.1) % 1

    def rgb(h: float, lightness: float) -> tuple[int, int, int]:
        red, green, blue = colorsys.hls_to_rgb(h, lightness, 0.65)
        return round(red * 255), round(green * 255), round(blue * 255)

    return rgb(hue, 0.42), rgb(second, 0.14)


def _gradient(top: Sequence[int], bottom: Sequence[int]) -> Image.Image:
    height = SIZE[1]
    column = Image.new("RGB", (1, height))
    for y in range(height):
        share = y / (height - 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))
        )
    return column.resize(SIZE)


def _title_lines(draw: ImageDraw.ImageDraw, name: str) -> tuple[list[str], Any]:
    """The name in the largest size whose lines fit the width, four lines at most."""
    for size in range(76, 27, -4):
        font = bold_font(size)
        chars = max(4, int(400 / (size * 0.6)))
        lines = textwrap.wrap(name.upper(), width=chars) or [name]
        if len(lines) <= 4 and all(draw.textlength(line, font=font) <= 416 for line in lines):
            return lines, font
    font = bold_font(28)
    return textwrap.wrap(name.upper(), width=22)[:4], font


def poster_jpeg(*, name: str, kind: str, formats: Sequence[str], certificate: str) -> bytes:
    """The poster as JPEG bytes (480x720, quality 82: some tens of kilobytes)."""
    top, bottom = colours_for(name)
    image = _gradient(top, bottom)
    draw = ImageDraw.Draw(image)
    lines, font = _title_lines(draw, name)
    line_height = font.size * 1.1 if hasattr(font, "size") else 40
    y = SIZE[1] * 0.38 - len(lines) * line_height / 2
    for line in lines:
        width = draw.textlength(line, font=font)
        draw.text(((SIZE[0] - width) / 2 + 3, y + 3), line, font=font, fill=(0, 0, 0))
        draw.text(((SIZE[0] - width) / 2, y), line, font=font, fill=(255, 255, 255))
        y += line_height
    small = bold_font(20)
    facts = " · ".join(
        part for part in (kind.upper(), *(f.upper() for f in formats), certificate) if part
    )
    width = draw.textlength(facts, font=small)
    draw.line([(40, SIZE[1] - 96), (SIZE[0] - 40, SIZE[1] - 96)], fill=(255, 255, 255), width=2)
    draw.text(((SIZE[0] - width) / 2, SIZE[1] - 78), facts, font=small, fill=(235, 235, 235))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()
