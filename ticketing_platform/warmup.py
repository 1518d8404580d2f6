"""Work a server process does once, at start, instead of on its first requests.

Django imports a URLconf, and with it every view, serializer and library those views
import, on the first request that resolves a path. In a server process that is the
first customer of the process, a few hundred milliseconds late; on an on-sale, with
every process new and every customer at once, it is all of them. The entry points call
`urlconfs_load` after the application exists, so a process answers its first request
as fast as its thousandth.
"""

from django.conf import settings
from django.urls import get_resolver


def urlconfs_load() -> None:
    """Import the tenant and the public URLconfs (and so every view module)."""
    for urlconf in {settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF}:
        get_resolver(urlconf).url_patterns  # noqa: B018 - the import is the point
