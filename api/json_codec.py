"""The API's JSON, encoded and decoded with orjson: the same bytes as DRF's JSONRenderer
(compact, UTF-8 unescaped, U+2028/U+2029 escaped, its formats for datetimes, times,
decimals and the rest), in a fraction of the CPU.

orjson writes the JSON types itself; everything DRF's encoder formats its own way
(datetime, date, time, Decimal, timedelta, lazy strings, querysets, ...) is handed to
DRF's encoder (`OPT_PASSTHROUGH_DATETIME` keeps orjson from writing datetimes its own
way: microseconds and `+00:00`, where DRF writes milliseconds and `Z`). An answer
orjson refuses (an integer beyond 64 bits, a dict with keys that are not strings) or
one asked for indented (`Accept: application/json; indent=4`) goes through DRF's
renderer as before.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.utils.encoders import JSONEncoder

_ENCODER = JSONEncoder()
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME
# DRF escapes these two (valid JSON, but line ends in JavaScript); so do we.
_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


def _default(value: Any) -> Any:
    return _ENCODER.default(value)


class ORJSONRenderer(renderers.JSONRenderer):
    """DRF's JSONRenderer, encoding with orjson."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            encoded = orjson.dumps(data, default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in encoded:
            for raw, escaped in _SEPARATORS:
                encoded = encoded.replace(raw, escaped)
        return encoded


class ORJSONParser(BaseParser):
    """DRF's JSONParser, decoding with orjson (UTF-8; NaN and Infinity refused, as DRF's
    strict parser does)."""

    media_type = "application/json"
    renderer_class = ORJSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return orjson.loads(stream.read())
        except orjson.JSONDecodeError as error:
            raise ParseError(f"JSON parse error - {error}") from error
