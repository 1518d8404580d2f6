"""Signing in to the dashboards: password, then the authenticator app's code (or a
recovery code) for staff who set one up (django-otp). The session remembers that the
second factor was given; without it the dashboard stays closed to an account that has
an app, and staff whose chain requires one are sent to set it up first."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm

from tenants.error_codes import DomainError
from venue_apps.accounts.error_codes import AccountErrorCode
from venue_apps.accounts.selectors import totp_device, two_factor_required
from venue_apps.accounts.services.sign_in import password_sign_in


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
        # The API's sign-in service (accounts.services.sign_in): the lockout per account
        # and address, then the account's ceiling on failures, then the password (only a
        # failed check counts against the account), staff only, then the second factor.
        # The login view then opens the Django session.
        email = str(self.cleaned_data.get("username") or "")
        password = self.cleaned_data.get("password")
        if not (email and password):
            return self.cleaned_data
        code = (self.cleaned_data.get("otp_token") or "").strip()
        try:
            signed_in = password_sign_in(
                self.request, email=email, password=password, code=code, dashboard=True
            )
        except DomainError as refusal:
            raise self._refusal_error(refusal) from refusal
        self.user_cache = signed_in.user
        if signed_in.device is not None:
            # django-otp marks the session verified when this user logs in.
            signed_in.user.otp_device = signed_in.device
        return self.cleaned_data

    def _refusal_error(self, refusal: DomainError) -> forms.ValidationError:
        """The form's words for the sign-in service's refusals."""
        if refusal.code in (AccountErrorCode.NO_ACTIVE_ACCOUNT, AccountErrorCode.NOT_STAFF):
            # Django admin's own answer to a wrong password or a non-staff account.
            return self.get_invalid_login_error()
        if refusal.code in (AccountErrorCode.OTP_REQUIRED, AccountErrorCode.OTP_INVALID):
            return forms.ValidationError(
                "Enter the current code from your authenticator app.", code="otp"
            )
        if refusal.code == AccountErrorCode.ACCOUNT_LOCKED and self.request is not None:
            # What django-axes' own backend does: its middleware answers 429.
            self.request.axes_locked_out = True
        return forms.ValidationError(refusal.detail, code="throttled")


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
