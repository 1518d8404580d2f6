"""WhiteNoise, with "for ever" meaning one year.

Files that pass `ticketing_platform.static.immutable_file_test` are sent with
`Cache-Control: max-age=31536000, public, immutable`: a year, the longest HTTP/1.1
caches were meant to honour, rather than WhiteNoise's ten.
"""

from __future__ import annotations

from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    FOREVER = 365 * 24 * 60 * 60
