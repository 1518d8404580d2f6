"""Accounts and staff: creating an account, registering as a customer, changing one's
password, and the owner's management of the chain's staff."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from tenants.error_codes import Conflict, DomainError
from tenants.queue import task_enqueue_on_commit
from tenants.schemas import current_schema_name
from venue_apps.accounts.capabilities import Capability, counts_as_active_owner, role_may
from venue_apps.accounts.error_codes import AccountErrorCode
from venue_apps.accounts.models import Role, User, roles_for_schema
from venue_apps.accounts.selectors import another_active_owner_exists, user_find_by_email
from venue_apps.accounts.services.links import email_verification_send
from venue_apps.accounts.services.sessions import user_tokens_revoke
from venue_apps.accounts.tasks import account_email_send, user_welcome_email_send
from venue_apps.accounts.validation import email_normalised, password_checked
from venue_apps.audit.services import audit_log, audit_snapshot


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
    email = email_normalised(email)
    candidate = User(email=email, name=name.strip(), role=role)
    password_checked(password, candidate)
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
    email_verification_send(user)
    return user


@transaction.atomic
def password_change(user: User, *, old_password: str, new_password: str) -> User:
    """Change a password knowing the old one; every other session of the account ends."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password):
        raise DomainError(AccountErrorCode.PASSWORD_INVALID, "The current password is wrong.")
    password_checked(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])  # every session ends (accounts.receivers)
    return user


# --- staff (the chain's owner) -----------------------------------------------------------


@transaction.atomic
def staff_create(*, email: str, role: Role, name: str = "", actor: Any = None) -> User:
    """A new staff account; they choose their password from an emailed link. Audited
    as `staff.created`."""
    if not role_may(role, Capability.OPEN_DASHBOARD):
        raise DomainError(
            AccountErrorCode.STAFF_INVALID, "Staff are owners, managers, box office or scanners."
        )
    email = email_normalised(email)
    if user_find_by_email(email) is not None:
        raise Conflict(AccountErrorCode.EMAIL_TAKEN, "An account with this email already exists.")
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, None, name=name.strip()[:150], role=role)
    except IntegrityError as error:
        raise Conflict(
            AccountErrorCode.EMAIL_TAKEN, "An account with this email already exists."
        ) from error
    audit_log(actor, "staff.created", user, after=audit_snapshot(user, STAFF_AUDIT_FIELDS))
    task_enqueue_on_commit(account_email_send, user.pk, "staff_welcome")
    return user


STAFF_AUDIT_FIELDS = ("email", "name", "role", "is_active")


def owners_lock() -> None:
    """Two owners demoting each other at once must not leave the chain without one: a
    change that may end an owner locks the active owners' rows first, always in id
    order, and only then reads who else is an owner. Call inside a transaction."""
    list(
        User.objects.select_for_update()
        .filter(role=Role.OWNER, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def staff_update(
    user: User,
    *,
    actor: Any,
    role: Role | None = None,
    name: str | None = None,
    is_active: bool | None = None,
) -> User:
    """Change a staff member's role or name, or close the account (its sessions end).
    Audited as `staff.role_changed` when the role changed (with whatever else did),
    otherwise `staff.changed`; nothing when nothing changed."""
    owners_lock()
    user = User.objects.select_for_update().get(pk=user.pk)
    before = audit_snapshot(user, STAFF_AUDIT_FIELDS)
    if not user.is_chain_staff:
        raise DomainError(AccountErrorCode.STAFF_INVALID, "Customers are not staff.")
    was_owner = counts_as_active_owner(user.role, is_active=user.is_active)
    if role is not None:
        if not role_may(role, Capability.OPEN_DASHBOARD):
            raise DomainError(AccountErrorCode.STAFF_INVALID, f"{role!r} is not a staff role.")
        user.role = role
    if name is not None:
        user.name = name.strip()[:150]
    if is_active is not None:
        if not is_active and user.pk == getattr(actor, "pk", None):
            raise DomainError(AccountErrorCode.STAFF_INVALID, "You cannot close your own account.")
        user.is_active = is_active
    stays_owner = counts_as_active_owner(user.role, is_active=user.is_active)
    if was_owner and not stays_owner and not another_active_owner_exists(user):
        raise DomainError(AccountErrorCode.STAFF_INVALID, "A chain keeps at least one owner.")
    user.save()
    after = audit_snapshot(user, STAFF_AUDIT_FIELDS)
    action = "staff.role_changed" if before["role"] != after["role"] else "staff.changed"
    audit_log(actor, action, user, before, after)
    if not user.is_active:
        user_tokens_revoke(user)
    return user
