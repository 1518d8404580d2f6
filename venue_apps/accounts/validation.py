"""The checks every way of creating an account or setting a password shares."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tenants.error_codes import DomainError
from venue_apps.accounts.error_codes import AccountErrorCode
from venue_apps.accounts.models import User


def email_normalised(email: str) -> str:
    """The address stripped and lower-case; DomainError `email_invalid` if it is none."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise DomainError(AccountErrorCode.EMAIL_INVALID, "Enter a valid email address.") from error
    return email


def password_checked(password: str, user: User) -> str:
    """The password, if Django's validators accept it for this user; DomainError
    `password_invalid` with their reasons if not."""
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise DomainError(AccountErrorCode.PASSWORD_INVALID, " ".join(error.messages)) from error
    return password
