"""`/media/<path>` on a chain's host: the chain's own uploaded images (titles' posters,
its logo), read from the media storage (ticketing_platform/storage.py).

Only files under `tenants/<this chain's schema>/` in the folders listed in
PUBLIC_FOLDERS are served; anything else, another chain's files included, is a 404
that says nothing about whether the file exists. Paths are taken apart before the
storage is asked, so `..`, doubled slashes, backslashes and NUL bytes never leave the
chain's folder; on a disk, symbolic links are resolved and must stay in it too.

- Filesystem storage (the demo, the tests, compose's volume): the file itself, with
  ETag, Last-Modified and a day's caching.
- A bucket (production): a redirect to the file's URL there: a signed one that opens
  it for MEDIA_SIGNED_URL_SECONDS (the bucket stays private), or its public address
  when a public domain serves the bucket (then the API names files by that address and
  this answers only old links). The file's bytes never pass through the app.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponseBase,
    HttpResponseRedirect,
)
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


def _chain_name(schema: str, path: str) -> str:
    """The storage name of a chain's public file, or 404 for anything else."""
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
    return path


def _local_file(storage: Storage, name: str, folder: str) -> Path | None:
    """The file on disk, resolved, when the storage keeps files on a disk; None when it
    does not (a bucket). 404 when it is missing or resolves out of the chain's folder."""
    try:
        location = storage.path(name)
    except NotImplementedError:
        return None
    schema = name.split("/")[1]
    root = Path(storage.path(f"tenants/{schema}/{folder}")).resolve()
    try:
        full = Path(location).resolve(strict=True)
    except (OSError, RuntimeError, ValueError) as error:  # missing, a link loop, too long
        raise Http404("No such file.") from error
    if not full.is_relative_to(root) or not full.is_file():
        raise Http404("No such file.")
    return full


def _from_bucket(storage: Storage, name: str) -> HttpResponseBase:
    if not storage.exists(name):
        raise Http404("No such file.")
    if getattr(storage, "public", False):
        response: HttpResponseBase = HttpResponseRedirect(storage.url(name))
        response["Cache-Control"] = f"public, max-age={MAX_AGE}"
        return response
    response = HttpResponseRedirect(storage.signed_url(name))  # type: ignore[attr-defined]
    # The browser may reuse the redirect while the signature has time left, not after.
    response["Cache-Control"] = f"private, max-age={settings.MEDIA_SIGNED_URL_SECONDS // 2}"
    return response


@require_safe
def media_file(request: HttpRequest, path: str) -> HttpResponseBase:
    name = _chain_name(request.tenant.schema_name, path)  # type: ignore[attr-defined]
    storage = storages["default"]
    full = _local_file(storage, name, name.split("/")[2])
    if full is None:
        return _from_bucket(storage, name)
    size = storage.size(name)
    modified = storage.get_modified_time(name)
    etag = f'"{int(modified.timestamp() * 1e9):x}-{size:x}"'
    last_modified = int(modified.timestamp())
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is None:
        content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
        response: HttpResponseBase = FileResponse(
            storage.open(name, "rb"), content_type=content_type
        )
        response["Content-Length"] = str(size)
    else:
        response = not_modified
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Content-Security-Policy"] = MEDIA_CSP
    return response
