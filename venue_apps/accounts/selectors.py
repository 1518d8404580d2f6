"""Reads of user accounts in the current schema."""

from __future__ import annotations

from venue_apps.accounts.models import User


def user_find_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=(email or "").strip()).first()
