"""Readable text on a chain's brand colours (WCAG 2.x contrast), pure functions.

A chain picks its primary and accent colours freely; text and icons drawn on them must
stay readable whatever they picked, so the storefront is told which of two text colours
contrasts more with each.
"""

from __future__ import annotations

import re

LIGHT_TEXT = "#ffffff"
DARK_TEXT = "#111827"  # near-black, softer than #000 on screens
_HEX = re.compile(r"^#([0-9a-fA-F]{6})$")


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of `#rrggbb`, from 0 (black) to 1 (white)."""
    match = _HEX.match(colour or "")
    if match is None:
        raise ValueError(f"{colour!r} is not a colour like #1a2b3c.")
    digits = match.group(1)
    red, green, blue = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def readable_text_on(background: str) -> str:
    """#ffffff or #111827, whichever contrasts more with `background` (white on a tie)."""
    light = contrast_ratio(LIGHT_TEXT, background)
    dark = contrast_ratio(DARK_TEXT, background)
    return LIGHT_TEXT if light >= dark else DARK_TEXT


def mixed_with(colour: str, other: str, share: float) -> str:
    """`colour` with `share` (0 to 1) of `other` mixed in, as `#rrggbb`."""
    first, second = (_HEX.match(value) for value in (colour, other))
    if first is None or second is None:
        raise ValueError(f"{colour!r} or {other!r} is not a colour like #1a2b3c.")
    channels = [
        round(
            int(first.group(1)[i : i + 2], 16) * (1 - share)
            + int(second.group(1)[i : i + 2], 16) * share
        )
        for i in (0, 2, 4)
    ]
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def readable_on(colour: str, background: str, *, ratio: float = 4.5) -> str:
    """`colour`, or the nearest shade of it (towards black or white, whichever
    `background` is not) that contrasts at least `ratio` with `background`: links in a
    chain's colour on a white page."""
    towards = DARK_TEXT if readable_text_on(background) == DARK_TEXT else LIGHT_TEXT
    for step in range(11):
        shade = mixed_with(colour, towards, step / 10)
        if contrast_ratio(shade, background) >= ratio:
            return shade
    return towards
