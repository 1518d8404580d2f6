"""Logos for the demo chains, drawn with Pillow: 256x256 PNGs on a transparent ground, in
each chain's own colours and without text (the storefront sets the name beside them).

Aurora Multiplex: a rounded square in its primary colour crossed by three flowing aurora
bands (green, teal and its accent) with a soft glow. Bluebird Theatres: a disc in its
primary colour with a stylised bird in its accent colour.

Shapes are drawn four times larger and scaled down with a Lanczos filter, which gives
smooth edges at every size the storefront shows them (36 px in the header, 180 px as a
home-screen icon).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter

SIZE = 256
_SCALE = 4
_CANVAS = SIZE * _SCALE
Colour = tuple[int, int, int]
Point = tuple[float, float]


def _rgb(hex_colour: str) -> Colour:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.resize((SIZE, SIZE), Image.Resampling.LANCZOS).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@dataclass(frozen=True)
class Band:
    """An aurora band, in the 256-pixel logo's units: where its middle crosses the
    centre line, how far and how often it waves, and how thick it is at its thickest."""

    colour: Colour
    base: float
    amplitude: float
    waves: float
    phase: float
    thickness: float


# Every band rises to the right at the same angle (pixels up per pixel across).
_BAND_SLOPE = 0.3
_GREEN, _TEAL = (74, 222, 128), (45, 212, 191)


def _ribbon(band: Band) -> list[Point]:
    """The band along its sine wave, thickest in the middle and tapering to points at
    both ends, as a closed polygon (upper edge left to right, then lower edge back)."""
    steps = 160
    start, end = -0.1 * _CANVAS, 1.1 * _CANVAS
    upper: list[Point] = []
    lower: list[Point] = []
    for step in range(steps + 1):
        share = step / steps
        x = start + (end - start) * share
        wave = band.amplitude * math.sin(2 * math.pi * band.waves * share + band.phase)
        centre = (band.base + wave) * _SCALE - _BAND_SLOPE * (x - _CANVAS / 2)
        half = band.thickness * _SCALE / 2 * math.sin(math.pi * share) ** 0.8
        upper.append((x, centre - half))
        lower.append((x, centre + half))
    return upper + lower[::-1]


def aurora_logo_png(*, primary: str, accent: str) -> bytes:
    """Aurora Multiplex: three aurora bands across a rounded square, no text."""
    margin, radius = 4 * _SCALE, 58 * _SCALE
    square = Image.new("L", (_CANVAS, _CANVAS), 0)
    ImageDraw.Draw(square).rounded_rectangle(
        (margin, margin, _CANVAS - margin, _CANVAS - margin), radius=radius, fill=255
    )
    bands = Image.new("RGBA", (_CANVAS, _CANVAS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(bands)
    for band in (
        Band(_GREEN, base=88, amplitude=18, waves=1.2, phase=0.3, thickness=46),
        Band(_TEAL, base=140, amplitude=16, waves=1.1, phase=1.3, thickness=34),
        Band(_rgb(accent), base=189, amplitude=13, waves=1.0, phase=2.2, thickness=24),
    ):
        draw.polygon(_ribbon(band), fill=(*band.colour, 255))
    # A soft glow under the bands, as the sky around an aurora lights up.
    glow = bands.filter(ImageFilter.GaussianBlur(9 * _SCALE))
    glow.putalpha(glow.getchannel("A").point(lambda alpha: alpha * 3 // 5))

    logo = Image.new("RGBA", (_CANVAS, _CANVAS), (*_rgb(primary), 255))
    logo.alpha_composite(glow)
    logo.alpha_composite(bands)
    logo.putalpha(ImageChops.multiply(logo.getchannel("A"), square))
    return _png(logo)


def _rotated(points: list[Point], *, centre: Point, degrees: float) -> list[Point]:
    angle = math.radians(degrees)
    cos, sin = math.cos(angle), math.sin(angle)
    cx, cy = centre
    return [
        (cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos)
        for x, y in points
    ]


def _ellipse_points(centre: Point, rx: float, ry: float, steps: int = 120) -> list[Point]:
    cx, cy = centre
    return [
        (
            cx + rx * math.cos(2 * math.pi * step / steps),
            cy + ry * math.sin(2 * math.pi * step / steps),
        )
        for step in range(steps)
    ]


def bluebird_logo_png(*, primary: str, accent: str) -> bytes:
    """Bluebird Theatres: a bird in flight on a disc, no text."""
    logo = Image.new("RGBA", (_CANVAS, _CANVAS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    disc, bird = (*_rgb(primary), 255), (*_rgb(accent), 255)
    margin = 4 * _SCALE
    draw.ellipse((margin, margin, _CANVAS - margin, _CANVAS - margin), fill=disc)

    def at(x: float, y: float) -> Point:
        return x * _SCALE, y * _SCALE

    # Body: an ellipse tilted up towards the head, on the right.
    body_centre = at(122, 144)
    draw.polygon(
        _rotated(
            _ellipse_points(body_centre, 58 * _SCALE, 30 * _SCALE), centre=body_centre, degrees=-18
        ),
        fill=bird,
    )
    # Head, and a short beak pointing forward.
    draw.ellipse((*at(154, 88), *at(196, 130)), fill=bird)
    draw.polygon([at(192, 100), at(220, 110), at(192, 120)], fill=bird)
    # Tail: a forked wedge trailing down to the left.
    draw.polygon(
        [at(84, 150), at(36, 166), at(52, 178), at(40, 194), at(96, 172)],
        fill=bird,
    )
    # Wing: raised and swept back between two curves; a thin gap in the disc's colour
    # parts it from the body, so it reads as a wing at small sizes too.
    leading = _bezier(at(150, 124), at(136, 64), at(60, 48))
    trailing = _bezier(at(60, 48), at(100, 100), at(112, 140))
    base = _bezier(at(112, 140), at(136, 142), at(150, 124))
    wing = [*leading, *trailing[1:], *base[1:-1]]
    draw.line([*wing, wing[0]], fill=disc, width=6 * _SCALE, joint="curve")
    draw.polygon(wing, fill=bird)
    # The eye, in the disc's colour.
    draw.ellipse((*at(170, 101), *at(180, 111)), fill=disc)
    return _png(logo)


def _bezier(start: Point, control: Point, end: Point, steps: int = 40) -> list[Point]:
    """Points along a quadratic Bézier curve, both ends included."""
    points = []
    for step in range(steps + 1):
        t = step / steps
        points.append(
            (
                (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t**2 * end[0],
                (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t**2 * end[1],
            )
        )
    return points


LOGOS: dict[str, Callable[..., bytes]] = {
    "aurora": aurora_logo_png,
    "bluebird": bluebird_logo_png,
}
