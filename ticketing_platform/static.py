"""Static files: which ones browsers may cache for ever (WHITENOISE_IMMUTABLE_FILE_TEST).

Imported by the settings, so it imports nothing of Django's apps.
"""

from __future__ import annotations

import re

# Vite names its build's files `<name>-<8 character hash>.<ext>` under the storefront's
# `assets/` (served at /static/app/assets/); a new build means new names, so each file
# is immutable. The manifest (/static/app/.vite/manifest.json) keeps its name across
# builds and is therefore never immutable.
VITE_HASHED = re.compile(r"^/static/app/assets/[^/]+-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$")
# ManifestStaticFilesStorage (production) names a copy of every file with 12 hex digits
# of its content's hash: WhiteNoise's own test, which this one replaces, said the same.
DJANGO_HASHED = re.compile(r"^/static/.+\.[0-9a-f]{12}\.[A-Za-z0-9]+$")


def immutable_file_test(path: str, url: str) -> bool:
    return bool(VITE_HASHED.match(url) or DJANGO_HASHED.match(url))
