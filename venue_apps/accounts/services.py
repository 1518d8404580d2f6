"""State changes of user accounts. Each runs in the schema of the current connection."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from tenants.error_codes import Conflict, DomainError
from tenants.queue import task_enqueue_on_commit
from tenants.schemas import current_schema_name
from venue_apps.accounts.error_codes import AccountErrorCode
from venue_apps.accounts.models import Role, User, roles_for_schema
from venue_apps.accounts.selectors import user_find_by_email
from venue_apps.accounts.tasks import user_welcome_email_send


def _normalised_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise DomainError(AccountErrorCode.EMAIL_INVALID, "Enter a valid email address.") from error
    return email


def _checked_password(password: str, user: User) -> str:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise DomainError(AccountErrorCode.PASSWORD_INVALID, " ".join(error.messages)) from error
    return password


@transaction.atomic
def user_create(*, email: str, password: str, name: str = "", role: Role = Role.CUSTOMER) -> User:
    """Create an account in the current schema with the given role.

    The password goes through Django's validators; the email is stored lower-case and is
    unique per schema, ignoring case. The user manager derives dashboard access (Django
    admin) from the role.
    """
    if role not in roles_for_schema(current_schema_name()):
        raise DomainError(
            AccountErrorCode.ROLE_INVALID, f"The role {role!r} does not exist on this site."
        )
    email = _normalised_email(email)
    candidate = User(email=email, name=name.strip(), role=role)
    _checked_password(password, candidate)
    if user_find_by_email(email) is not None:
        raise Conflict(AccountErrorCode.EMAIL_TAKEN, "An account with this email already exists.")
    try:
        # A savepoint, so a concurrent registration that wins the unique index leaves
        # the surrounding transaction usable.
        with transaction.atomic():
            return User.objects.create_user(
                email,
                password,
                name=candidate.name,
                role=role,
            )
    except IntegrityError as error:
        raise Conflict(
            AccountErrorCode.EMAIL_TAKEN, "An account with this email already exists."
        ) from error


@transaction.atomic
def customer_register(*, email: str, password: str, name: str) -> User:
    """Self-service registration on a chain's storefront: always a customer.

    The welcome email goes out from a Celery task once the account is committed.
    """
    user = user_create(email=email, password=password, name=name, role=Role.CUSTOMER)
    task_enqueue_on_commit(user_welcome_email_send, user.pk)
    return user
