"""django-vite, reading the storefront build's manifest again whenever it changes.

django-vite parses the manifest once per process. A new build (`make frontend` while
the server runs, or a build finished after the server started) would then name files
that no longer exist until a restart. One `stat` per page tells whether to read it
again; a missing or broken manifest leaves no entries, which the shell answers with a
503 saying how to build the storefront.
"""

from __future__ import annotations

import os
import threading

from django_vite.core.asset_loader import DjangoViteAppClient, ManifestClient, ManifestEntry
from django_vite.core.exceptions import DjangoViteManifestError


class ReloadingManifestClient(ManifestClient):
    def __init__(self, *args, **kwargs) -> None:
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        super().__init__(*args, **kwargs)
        self._stamp = self._file_stamp()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.manifest_path)
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _refresh(self) -> None:
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return
        with self._lock:
            try:
                entries, polyfills = self._parse_manifest()
            except DjangoViteManifestError:
                entries, polyfills = {}, None
            self._entries, self.legacy_polyfills_entry = entries, polyfills
            self._stamp = stamp

    def get(self, path: str) -> ManifestEntry:
        if not self.dev_mode:
            self._refresh()
        return super().get(path)


class StorefrontViteClient(DjangoViteAppClient):
    ManifestClient = ReloadingManifestClient
