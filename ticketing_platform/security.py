"""Response headers Django has no setting for."""

from __future__ import annotations

from django.conf import settings


class PermissionsPolicyMiddleware:
    """`Permissions-Policy`: what browser features a page may ask for (the camera for
    the door scanner, nothing else a ticketing page needs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
