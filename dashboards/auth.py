"""Signing in to the dashboards: password, then the authenticator app's code (or a
recovery code) for staff who set one up (django-otp). The session remembers that the
second factor was given; without it the dashboard stays closed to an account that has
an app, and staff whose chain requires one are sent to set it up first."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm

from api.throttles import LoginAccountThrottle, account_limit
from venue_apps.accounts.services import second_factor_verify, totp_device, two_factor_required


class TwoFactorLoginForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        required=False,
        label="Code from your authenticator app",
        help_text="Only if you set up two-factor sign-in. Lost your phone? Type one of "
        "your recovery codes.",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "maxlength": 16}),
    )

    def clean(self):
        # The API's per-account limit, before any password is checked: guesses spread
        # over many addresses (which the lockout, per account and address, does not
        # see) still meet one account's limit.
        email = str(self.data.get("username") or "").strip().lower()[:254]
        if email and self.request is not None:
            wait = account_limit(LoginAccountThrottle, self.request, email)
            if wait is not None:
                raise forms.ValidationError(
                    f"Too many sign-in attempts for this account; try again in {wait} s.",
                    code="throttled",
                )
        cleaned = super().clean()
        user = self.get_user()
        device = totp_device(user) if user is not None else None
        if device is not None:
            code = (cleaned.get("otp_token") or "").strip()
            if not code or not second_factor_verify(device, code):
                raise forms.ValidationError(
                    "Enter the current code from your authenticator app.", code="otp"
                )
            # django-otp marks the session verified when this user logs in.
            user.otp_device = device
        return cleaned


def enrolment_due(request) -> bool:
    """A staff member whose chain requires two factors and whose session has none:
    the dashboard sends them to set up an app before anything else."""
    user = request.user
    return two_factor_required(user) and not getattr(user, "is_verified", lambda: False)()


def second_factor_given(request) -> bool:
    """False only for an account with an authenticator app whose session has not
    given its code."""
    user = request.user
    if totp_device(user) is None:
        return True
    return bool(getattr(user, "is_verified", lambda: False)())
