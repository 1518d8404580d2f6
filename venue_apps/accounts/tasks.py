"""Account tasks. Each runs in the schema it was sent from (tenant-schemas-celery)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from tenants.models import Tenant
from tenants.schemas import current_schema_name
from venue_apps.accounts.models import User
from venue_apps.accounts.notifications import account_email

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def user_welcome_email_send(self, user_id: int) -> str:
    """Greet a new customer in the chain's name. Returns what happened, for the logs."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.warning("welcome email: no active user %s in this schema", user_id)
        return "missing"
    tenant = Tenant.objects.get(schema_name=current_schema_name())
    greeting = f"Hello {user.name}," if user.name else "Hello,"
    send_mail(
        subject=f"Welcome to {tenant.brand_name}",
        message=(
            f"{greeting}\n\nYour {tenant.brand_name} account is ready. "
            "Sign in to book seats and keep your tickets in one place.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    return "sent"


@shared_task
def expired_tokens_flush() -> int:
    """Delete this schema's expired refresh-token records (and their blacklist rows).

    Expired tokens are refused by their signature's expiry anyway; the rows only grow
    the table. Sent for every schema by `tenants.tasks.tenants_fan_out`.
    """
    deleted, _ = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).delete()
    logger.info("flushed %s expired token rows", deleted)
    return deleted


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def account_email_send(self, user_id: int, kind: str) -> str:
    """Email a link to prove an address, reset a password, or set a new staff member's
    first password; returns what happened, for the logs."""
    return account_email(user_id, kind)
