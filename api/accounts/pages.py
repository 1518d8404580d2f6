"""The pages behind the links in account emails, on the chain's own host, until the
storefront takes them over: confirm an address, choose a new password."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from api.throttles import EmailAddressThrottle, client_address
from tenants.error_codes import DomainError
from venue_apps.accounts import selectors
from venue_apps.accounts.services import links


def _page(request: HttpRequest, template: str, **context) -> HttpResponse:
    return render(
        request,
        f"accounts/pages/{template}",
        {"tenant": request.tenant, **context},
        status=context.pop("status", 200),
    )


@require_http_methods(["GET", "POST"])
def verify_email_page(request: HttpRequest) -> HttpResponse:
    """The link asks before it confirms: a GET changes nothing (mail scanners open every
    link), and whoever owns the address may say the account is not theirs."""
    token = request.POST.get("token") or request.GET.get("token", "")
    try:
        user = selectors.email_verification_user(token)
        if request.method == "POST" and request.POST.get("action") == "not_me":
            links.email_verification_refused(token)
            return _page(
                request,
                "message.html",
                title="Thank you for telling us",
                message=f"Nobody can sign in to that account with a password any more. "
                f"If you want an account here, choose your own password on the "
                f"forgot-password page with {user.email}.",
                link=("Forgot your password?", "/account/forgot-password/"),
                ok=True,
            )
        if request.method == "POST" or user.email_verified:
            user = links.email_verify(token)
            return _page(
                request,
                "message.html",
                title="Email address confirmed",
                message=f"Thank you: {user.email} is confirmed.",
                ok=True,
            )
    except DomainError as error:
        return _page(
            request,
            "message.html",
            title="This link does not work",
            message=error.detail,
            ok=False,
            status=400,
        )
    return _page(request, "verify_email.html", token=token, email=user.email)


@require_http_methods(["GET", "POST"])
def reset_password_page(request: HttpRequest) -> HttpResponse:
    uid = request.POST.get("uid") or request.GET.get("uid", "")
    token = request.POST.get("token") or request.GET.get("token", "")
    error = ""
    if not selectors.password_reset_link_valid(uid, token):
        return _page(
            request,
            "message.html",
            title="This link no longer works",
            message="It was used already, has expired or is incomplete. "
            "Ask for a new one on the forgot-password page.",
            link=("Forgot your password?", "/account/forgot-password/"),
            ok=False,
            status=400,
        )
    if request.method == "POST":
        password = request.POST.get("password", "")
        if password != request.POST.get("password_again", ""):
            error = "The two passwords are not the same."
        else:
            try:
                links.password_reset_confirm(
                    uid=uid, token=token, new_password=password, address=client_address(request)
                )
            except DomainError as refusal:
                error = refusal.detail
            else:
                return _page(
                    request,
                    "message.html",
                    title="Password changed",
                    message="Your new password works now; sign in with it.",
                    ok=True,
                )
    return _page(
        request,
        "reset_password.html",
        uid=uid,
        token=token,
        error=error,
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def forgot_password_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        throttle = EmailAddressThrottle()
        if not throttle.allow_request(request, None):
            response = _page(
                request,
                "message.html",
                title="Slow down",
                ok=False,
                message="Too many requests from here; try again later.",
                status=429,
            )
            response["Retry-After"] = str(int(throttle.wait() or 60))
            return response
        email = request.POST.get("email", "").strip()[:254]
        try:
            validate_email(email)
        except ValidationError:
            return _page(
                request,
                "forgot_password.html",
                title="Forgot your password?",
                error="Enter a valid email address.",
                status=400,
            )
        # The same limits as the API's (accounts.services.links.password_reset_request); the
        # answer stays the same whether or not an email goes out.
        try:
            links.password_reset_request(email, address=client_address(request))
        except DomainError as refusal:
            response = _page(
                request,
                "message.html",
                title="Slow down",
                ok=False,
                message=refusal.detail,
                status=429,
            )
            response["Retry-After"] = str(int(getattr(refusal, "retry_after", 0) or 60))
            return response
        return _page(
            request,
            "message.html",
            title="Check your email",
            ok=True,
            message="If an account uses that address, a link to choose a new "
            "password is on its way.",
        )
    return _page(request, "forgot_password.html", title="Forgot your password?")
