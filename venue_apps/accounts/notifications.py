"""Account emails with links to the chain's own host: verify an address, reset a
password, (a new staff member) choose a first password, or (staff) learn that one of
their recovery codes was used."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from tenants.models import Domain
from tenants.selectors import tenant_current
from venue_apps.accounts.models import User
from venue_apps.accounts.selectors import recovery_codes_left
from venue_apps.accounts.signed_links import email_verification_token, password_reset_link_parts

logger = logging.getLogger(__name__)

SUBJECTS = {
    "verify_email": "Confirm your email address",
    "password_reset": "Reset your password",
    "staff_welcome": "Your staff account is ready",
    "recovery_code_used": "A recovery code was used to sign in",
}


def site_url(path: str, **query: str) -> str:
    tenant = tenant_current()
    domain = (
        Domain.objects.filter(tenant=tenant, is_primary=True)
        .values_list("domain", flat=True)
        .first()
        or f"{tenant.slug}.{settings.PLATFORM_DOMAIN}"
    )
    return (
        settings.SITE_URL_TEMPLATE.format(host=domain)
        + path
        + (f"?{urlencode(query)}" if query else "")
    )


def account_email(user_id: int, kind: str) -> str:
    if kind not in SUBJECTS:
        raise ValueError(f"unknown account email {kind!r}")
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "missing"
    extra: dict = {}
    if kind == "recovery_code_used":
        link = site_url("/dashboard/two-factor/")
        extra["left"] = recovery_codes_left(user)
    elif kind == "verify_email":
        if user.email_verified:
            return "already verified"
        link = site_url("/account/verify-email/", token=email_verification_token(user))
    else:
        uid, token = password_reset_link_parts(user)
        link = site_url("/account/reset-password/", uid=uid, token=token)
    tenant = tenant_current()
    body = render_to_string(
        f"accounts/email/{kind}.txt",
        {
            "user": user,
            "brand": tenant.brand_name,
            "link": link,
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            **extra,
        },
    )
    send_mail(f"{tenant.brand_name}: {SUBJECTS[kind]}", body, None, [user.email])
    return "sent"
