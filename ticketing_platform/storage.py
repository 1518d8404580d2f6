"""Where uploaded posters and logos live: an S3-compatible bucket in production
(django-storages), the filesystem in the demo and the tests (settings: MEDIA_STORAGE).

Files are keyed by chain, `tenants/<schema>/{posters,branding}/<file>`, in the bucket
as on disk. What the API names them by (`poster`, `logo`) is whatever `url()` gives:

- a public domain is configured (a CDN, or a public-read bucket's own domain:
  MEDIA_S3_CUSTOM_DOMAIN): its absolute URL, the same for every visitor and every host
  of the chain, so answers cached per chain stay right;
- otherwise a path on the chain's own host (`/media/tenants/<schema>/posters/a.jpg`), the
  same as on the filesystem. `api.storefront.media` answers it, checking that the file
  is this chain's, by redirecting to a short-lived signed URL of the bucket: the bucket
  stays private, and no cached answer ever carries a signature that expires.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class ChainMediaS3Storage(S3Storage):
    """django-storages' S3 storage, naming files as the storefront needs them."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        if self.custom_domain:
            return super().url(name, parameters, expire, http_method)
        return "/" + settings.MEDIA_URL.strip("/") + "/" + filepath_to_uri(clean_name(name))

    def signed_url(self, name: str) -> str:
        """A URL of the bucket that opens the file for MEDIA_SIGNED_URL_SECONDS."""
        return super().url(name)

    @property
    def public(self) -> bool:
        """Whether url() is the file's own public address (not a path on our host)."""
        return bool(self.custom_domain)
