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


# Who may do what with orders and money (API.md's roles).
BUYER_ROLES = (Role.CUSTOMER, Role.BOX_OFFICE, Role.OWNER)
ORDER_STAFF_ROLES = (Role.OWNER, Role.MANAGER, Role.BOX_OFFICE)
# Orders, payments and tickets are read by their buyer and by order staff (the door's
# scanners see tickets only through check-in).
ORDER_READER_ROLES = (*ORDER_STAFF_ROLES, Role.CUSTOMER)
REFUND_ROLES = (Role.OWNER, Role.MANAGER)


def is_order_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.role in ORDER_STAFF_ROLES)


class ReadAnyoneWriteRoles(BasePermission):
    """Anyone reads; the given roles of this tenant write. Subclass and set `roles`."""

    roles: tuple[Role, ...] = (Role.OWNER, Role.MANAGER)
    message = "Your role may not change this."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        return bool(
            user and user.is_authenticated and not in_public_schema() and user.role in self.roles
        )


class PerMethodRoles(BasePermission):
    """Roles per HTTP method: set `roles_by_method` on the view, e.g.
    `{"GET": (...), "POST": (...)}`; a method not listed is refused."""

    message = "Your role may not do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        method = "GET" if request.method == "HEAD" else request.method
        allowed = getattr(view, "roles_by_method", {}).get(method)
        if allowed is None:
            return False
        return bool(
            user and user.is_authenticated and not in_public_schema() and user.role in allowed
        )


class Holders(BasePermission):
    """Who may hold seats: anonymous carts and customers online, box office staff and
    owners for walk-ins; not managers (the programme) nor scanners (the door)."""

    message = "Your role does not sell seats."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return True
        return user.role in BUYER_ROLES and not in_public_schema()
