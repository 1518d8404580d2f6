"""What the links in account emails do: prove an address (or disown an account that
somebody else registered with it), and set a new password. The tokens the links carry
are made and read in `venue_apps.accounts.signed_links`."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from social_django.models import UserSocialAuth

from tenants.addresses import address_bucket
from tenants.error_codes import DomainError
from tenants.queue import task_enqueue_on_commit
from venue_apps.accounts.error_codes import AccountErrorCode, TooManyRequests
from venue_apps.accounts.models import User
from venue_apps.accounts.ratelimits import rate_counter_hit, rate_setting
from venue_apps.accounts.selectors import sign_in_address_known, user_find_by_email
from venue_apps.accounts.services.sign_in import sign_in_completed
from venue_apps.accounts.signed_links import reset_link_user, verification_link_user
from venue_apps.accounts.tasks import account_email_send
from venue_apps.accounts.validation import email_normalised, password_checked

logger = logging.getLogger(__name__)


# --- proving an address ------------------------------------------------------------------


def email_verification_send(user: User) -> None:
    """Email a link that proves the address, after commit."""
    if not user.email_verified:
        task_enqueue_on_commit(account_email_send, user.pk, "verify_email")


@transaction.atomic
def email_verify(token: str) -> User:
    """The owner of the address followed the emailed link and said the account is
    theirs: the address is proved."""
    user = verification_link_user(token, lock=True)
    if not user.email_verified:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


@transaction.atomic
def email_verification_refused(token: str) -> User:
    """The owner of the address says they never signed up: somebody registered their
    address. That account's password stops working and its sessions end; the address
    stays unproved, so its owner can take the account with a reset link, or Google."""
    user = verification_link_user(token, lock=True)
    if user.email_verified:
        raise DomainError(
            AccountErrorCode.TOKEN_INVALID, "This address was confirmed already; sign in instead."
        )
    user.set_unusable_password()
    user.save(update_fields=["password"])  # its sessions end (accounts.receivers)
    unproven_identities_end(user)
    logger.info("unverified account %s disowned by the owner of its address", user.pk)
    return user


def unproven_identities_end(user: User) -> int:
    """Unlink the Google or Facebook identities of an account whose address was never
    proved (only Facebook links such an account: it does not vouch for addresses),
    when somebody proves the address. Returns how many were unlinked."""
    deleted, _ = UserSocialAuth.objects.filter(user=user).delete()
    if deleted:
        logger.info(
            "identities of account %s linked before its address was proved removed", user.pk
        )
    return deleted


# --- resetting a password ------------------------------------------------------------------


def password_reset_request(email: str, *, address: str | None) -> bool:
    """Email a reset link if such an account exists; say nothing either way (no
    address book for whoever probes the form). Returns whether an email goes out.

    Two limits keep an inbox from being flooded, and neither lets a stranger stop the
    account's owner from resetting: requests per account and address (`email_account`;
    TooManyRequests `throttled`, counted whether or not the account exists, so the
    answer says nothing), and emails per account from addresses it has not signed in
    from lately (`email_account_ceiling`): past that ceiling no new email goes out,
    but the answer is the same, and every link sent in the meantime (to the owner's
    inbox) still works.
    """
    normal = email_normalised(email)
    per_address = rate_setting("email_account")
    if per_address is not None:
        verdict = rate_counter_hit(
            f"reset-requests:{normal}:{address_bucket(address) or 'unknown'}", per_address
        )
        if not verdict.allowed:
            raise TooManyRequests(
                AccountErrorCode.THROTTLED,
                "Too many password reset requests for this address from here; try again later.",
                retry_after=verdict.retry_after,
            )
    user = user_find_by_email(email)
    if user is None or not user.is_active:
        return False
    ceiling = rate_setting("email_account_ceiling")
    if (
        ceiling is not None
        and not sign_in_address_known(user, address)
        and not rate_counter_hit(f"reset-emails:{normal}", ceiling).allowed
    ):
        logger.info("password reset email for user %s not sent: over the ceiling", user.pk)
        return False
    task_enqueue_on_commit(account_email_send, user.pk, "password_reset")
    return True


@transaction.atomic
def password_reset_confirm(
    *, uid: str, token: str, new_password: str, address: str | None = None
) -> User:
    """Set a new password from an emailed link; every session of the account ends.

    Whoever follows the link holds the mailbox: the address they follow it from becomes
    one the account signs in from, where a flood of failed sign-ins by somebody else
    never keeps them out (accounts.services.sign_in)."""
    user = reset_link_user(uid, token, lock=True)
    if user is None:
        raise DomainError(
            AccountErrorCode.TOKEN_INVALID, "This link is invalid, expired or already used."
        )
    password_checked(new_password, user)
    user.set_password(new_password)
    # Following the link proved the address too, and whoever linked an identity to the
    # account before it was proved (Facebook) loses it.
    if not user.email_verified:
        unproven_identities_end(user)
    user.email_verified_at = user.email_verified_at or timezone.now()
    # Saving the new password ends every session (accounts.receivers).
    user.save(update_fields=["password", "email_verified_at"])
    sign_in_completed(user, address=address)
    return user
