"""What follows from account events, wherever they happen."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from venue_apps.accounts.services.sessions import user_tokens_revoke
from venue_apps.accounts.signals import password_changed


@receiver(password_changed)
def sessions_end_with_the_old_password(sender: Any, user: Any, **kwargs: Any) -> None:
    """Every refresh token of the account is revoked (its access tokens stop working at
    once too: they carry a digest of the password hash, `CHECK_REVOKE_TOKEN`). A caller
    that changes its own password is handed a new pair afterwards."""
    user_tokens_revoke(user)
