"""What follows from account events, wherever they happen.

A new password ends the account's sessions through this receiver alone: no service
revokes them itself after a password change. The house style prefers explicit calls to
signals (STYLE.md rule 8); this is the exception, on purpose. Passwords also change in
code that is Django's, not ours (the admin's two password forms, `changepassword`), and
the only place every one of those ways passes through is `User.save`; a service call
instead would have to be repeated in each, and the next `set_password()` that forgot it
would leave stolen sessions alive without anyone noticing. Access tokens already end by
the same rule (they carry a digest of the password hash, `CHECK_REVOKE_TOKEN`).
tests/test_password_changes.py changes a password every way there is and checks that
the other sessions end, once.
"""

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
