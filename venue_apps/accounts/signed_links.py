"""What the links in account emails carry: a signed token proving an address, or
Django's reset token for a password. Both are bound to the chain (schema) that sent
them, and both are read back here, into the account they are for."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from tenants.error_codes import DomainError
from tenants.schemas import current_schema_name
from venue_apps.accounts.error_codes import AccountErrorCode
from venue_apps.accounts.models import User

VERIFY_SALT = "accounts.verify-email"
VERIFY_MAX_AGE = 3 * 24 * 3600


class _ResetTokens(PasswordResetTokenGenerator):
    """Django's reset tokens (void once the password changes, or after
    PASSWORD_RESET_TIMEOUT), bound to the chain too."""

    key_salt = "venue_apps.accounts.password-reset"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{current_schema_name()}:{super()._make_hash_value(user, timestamp)}"


reset_tokens = _ResetTokens()


def email_verification_token(user: User) -> str:
    return signing.dumps(
        {"user": user.pk, "email": user.email, "schema": current_schema_name()},
        salt=VERIFY_SALT,
        compress=True,
    )


def verification_link_user(token: str, *, lock: bool = False) -> User:
    """The active account an address link is for (its row locked FOR UPDATE with
    `lock`); DomainError `token_invalid` if the link is bad, expired, from another
    chain, or the account's address changed since."""
    invalid = DomainError(AccountErrorCode.TOKEN_INVALID, "This link is invalid or has expired.")
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature as error:
        raise invalid from error
    if not isinstance(data, dict) or data.get("schema") != current_schema_name():
        raise invalid
    user_id = data.get("user")
    if not isinstance(user_id, int):
        raise invalid
    users = User.objects.select_for_update() if lock else User.objects.all()
    user = users.filter(pk=user_id, is_active=True).first()
    if user is None or user.email.lower() != str(data.get("email", "")).lower():
        raise invalid
    return user


def password_reset_link_parts(user: User) -> tuple[str, str]:
    """The `uid` and `token` of a reset link for this account."""
    return urlsafe_base64_encode(force_bytes(user.pk)), reset_tokens.make_token(user)


def reset_link_user(uid: str, token: str, *, lock: bool = False) -> User | None:
    """The active account a reset link is for (locked FOR UPDATE with `lock`), or None
    if the link does not work (any more: the token covers the password hash)."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError):
        return None
    users = User.objects.select_for_update() if lock else User.objects.all()
    user = users.filter(pk=user_id, is_active=True).first()
    if user is None or not reset_tokens.check_token(user, token):
        return None
    return user
