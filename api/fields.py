"""Serializer fields shared by the API's areas."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string", "nullable": True, "example": "/media/tenants/x/a.jpg"})
class MediaPathField(serializers.Field):
    """An uploaded file (a title's poster, a chain's logo) as the URL its storage gives,
    which is a path on the chain's own host (`/media/tenants/<schema>/posters/a.jpg`,
    served by `api.storefront.media`), or None when there is no file.

    Never an absolute URL built from the request: the answers are cached per chain and a
    chain answers on several host names (its subdomain and custom domains), so a host
    baked into a cached answer would send one domain's visitors to another. A relative
    path works on every host; a CDN in front of the files is a MEDIA_URL away.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        if not value:
            return None
        return value.url
