"""`/media/<path>` on a chain's host: the chain's own uploaded images (titles' posters,
its logo), straight from MEDIA_ROOT.

Only files under `tenants/<this chain's schema>/` in the folders listed in
PUBLIC_FOLDERS are served; anything else, another chain's files included, is a 404
that says nothing about whether the file exists. Paths are taken apart and resolved
(symbolic links too) before anything is opened, so `..`, doubled slashes, backslashes
and NUL bytes never leave the chain's folder.

Production can put object storage or nginx in front of this (MEDIA_URL pointing at a
CDN, or nginx serving `/media/tenants/<schema>/` from the same volume); this view is
what makes a single process serve a working storefront with posters on its own.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

# The folders of a chain's path that hold public files (tenants.models.tenant_logo_path,
# catalog.models.poster_path). A folder added later for private files (exports, say)
# stays private until it is listed here.
PUBLIC_FOLDERS = frozenset({"posters", "branding"})
# Uploaded images change under a new name (Django never overwrites a file), so a day
# of caching is safe; ETag and Last-Modified make a revalidation cheap.
MAX_AGE = 86400
# A file opened on its own (not as an image) runs nothing and loads nothing.
MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _chain_file(schema: str, path: str) -> Path:
    parts = path.split("/")
    if (
        "\\" in path
        or "\x00" in path
        or len(parts) < 4
        or parts[:2] != ["tenants", schema]
        or parts[2] not in PUBLIC_FOLDERS
        or any(part in ("", ".", "..") or part.startswith(".") for part in parts)
    ):
        raise Http404("No such file.")
    root = Path(settings.MEDIA_ROOT).resolve() / "tenants" / schema / parts[2]
    try:
        full = (Path(settings.MEDIA_ROOT) / path).resolve(strict=True)
    except (OSError, RuntimeError, ValueError) as error:  # missing, a link loop, too long
        raise Http404("No such file.") from error
    if not full.is_relative_to(root) or not full.is_file():
        raise Http404("No such file.")
    return full


@require_safe
def media_file(request: HttpRequest, path: str) -> HttpResponseBase:
    full = _chain_file(request.tenant.schema_name, path)
    stat = full.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    last_modified = int(stat.st_mtime)
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is None:
        content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
        response: HttpResponseBase = FileResponse(
            open(full, "rb"),  # noqa: SIM115 - FileResponse closes it
            content_type=content_type,
        )
        response["Content-Length"] = str(stat.st_size)
    else:
        response = not_modified
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Content-Security-Policy"] = MEDIA_CSP
    return response
