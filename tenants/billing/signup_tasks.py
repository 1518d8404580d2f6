"""The sign-up's email, sent by the worker (from the public schema, where it was queued).

Registered through CELERY_IMPORTS: Celery's autodiscovery looks for `tasks` modules only.
"""

from __future__ import annotations

from celery import shared_task

from tenants.billing.signups import signup_email


@shared_task(
    name="tenants.billing.signup_tasks.signup_email_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def signup_email_send(signup_id: int, token: str) -> str:
    """Email the verification link of a pending sign-up. Returns what happened."""
    return signup_email(signup_id, token)
