"""Reads of user accounts in the current schema."""

from __future__ import annotations

from venue_apps.accounts.models import Role, User


def user_find_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=(email or "").strip()).first()


def another_active_owner_exists(user: User) -> bool:
    """Whether the chain keeps an owner if this account stops being one."""
    return User.objects.filter(role=Role.OWNER, is_active=True).exclude(pk=user.pk).exists()
