"""Who may call what. Roles are those of API.md; platform staff only on the apex domain."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from tenants.schemas import in_public_schema
from venue_apps.accounts.models import Role


class IsPlatformStaff(BasePermission):
    message = "Only platform staff may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and in_public_schema()
            and user.role == Role.PLATFORM_STAFF
        )


def role_required(*roles: Role) -> type[BasePermission]:
    """A permission class admitting authenticated users of this tenant with these roles."""

    class HasRole(BasePermission):
        message = "Your role may not do this."

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(
                user and user.is_authenticated and not in_public_schema() and user.role in roles
            )

    HasRole.__name__ = "HasRole_" + "_".join(str(role) for role in roles)
    return HasRole


class ReadAnyoneWriteManagers(BasePermission):
    """The programme: anyone reads (customers browse signed out); owners and managers write."""

    message = "Only the chain's owners and managers may change the programme."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and not in_public_schema()
            and user.role in (Role.OWNER, Role.MANAGER)
        )
