"""DRF authentication for both faces: JWT checked against the request's tenant, and the
chain's dashboard session for the staff screens that run inside the dashboard (the
box office), with its CSRF check."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from dashboards import auth as dashboard_auth
from tenants.schemas import current_schema_name
from venue_apps.accounts.capabilities import Capability, has_capability, role_of_site
from venue_apps.accounts.selectors import token_denied, totp_device, two_factor_required
from venue_apps.accounts.tokens import (
    TENANT_CLAIM,
    WRONG_TENANT_MESSAGE,
    second_factor_given,
    session_keys,
)

_WRONG_TENANT = {"detail": "This token was issued for another tenant.", "code": "token_not_valid"}
_SIGNED_OUT = {"detail": "This session has been signed out.", "code": "token_not_valid"}


class TenantJWTAuthentication(JWTAuthentication):
    """Accepts a bearer token only on the tenant (schema) that issued it, and never one
    of a session that signed out (accounts.TokenDenial).

    Staff whose chain (or, for platform staff, the platform) requires two factors and
    who signed in with a password alone reach only the views that let them set up an
    app (`open_before_two_factor`); everything else answers 403 `two_factor_required`.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if two_factor_required(user) and not (
            # The claim counts only while the app it was given with is still on: a token
            # from before the app was turned off or reset cannot dodge the rule.
            second_factor_given(token) and totp_device(user) is not None
        ):
            view = (getattr(request, "parser_context", None) or {}).get("view")
            if not getattr(view, "open_before_two_factor", False):
                raise PermissionDenied(
                    {
                        "detail": "Two-factor sign-in is required for your account: set up "
                        "an authenticator app (/auth/2fa/setup/, then /auth/2fa/confirm/, "
                        "which answers new tokens; or in the dashboard). If you already "
                        "have one, sign in again with its code.",
                        "code": "two_factor_required",
                    }
                )
        return result

    def get_validated_token(self, raw_token: bytes):
        try:
            token = super().get_validated_token(raw_token)
        except InvalidToken as error:
            messages = error.detail.get("messages", []) if isinstance(error.detail, dict) else []
            if any(str(item.get("message")) == WRONG_TENANT_MESSAGE for item in messages):
                raise InvalidToken(_WRONG_TENANT) from error
            raise
        # The token classes already check this; checking again here keeps the rule even
        # if someone configures another token class.
        if token.get(TENANT_CLAIM) != current_schema_name():
            raise InvalidToken(_WRONG_TENANT)
        # Signed out: the session's access tokens end at once, not when they expire.
        if token_denied(session_keys(token)):
            raise InvalidToken(_SIGNED_OUT)
        return token


class TenantJWTScheme(SimpleJWTScheme):
    """Documents the tenant-bound bearer token in the OpenAPI schema."""

    target_class = TenantJWTAuthentication
    name = "tenantJWT"

    def get_security_definition(self, auto_schema):
        definition = super().get_security_definition(auto_schema)
        definition["description"] = (
            "An access token from this host's /auth/token/ endpoint. Tokens name the "
            "tenant that issued them and are refused on every other host."
        )
        return definition


class DashboardSessionAuthentication(SessionAuthentication):
    """The chain dashboard's Django session, for the staff screens that run inside the
    dashboard (the box office) and call this API from the same origin.

    Only a session the dashboard itself would let in counts: an active account of this
    chain whose role opens the dashboard, that gave its second factor when it has an
    authenticator app, and that is not due to set one up (the dashboard's own rules,
    `dashboards.auth`). Any other session (a customer's, one still short of its second
    factor) is no sign-in at all here. CSRF is enforced on every unsafe method, as
    Django's forms do: the screen sends the `csrftoken` cookie's value as `X-CSRFToken`.
    """

    def authenticate(self, request):
        django_request = request._request
        user = getattr(django_request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not (
            role_of_site(user, current_schema_name())
            and has_capability(user, Capability.OPEN_DASHBOARD)
            and dashboard_auth.second_factor_given(django_request)
            and not dashboard_auth.enrolment_due(django_request)
        ):
            return None
        self.enforce_csrf(request)
        return (user, None)


class DashboardSessionScheme(OpenApiAuthenticationExtension):
    """Documents the dashboard's session in the OpenAPI schema."""

    target_class = DashboardSessionAuthentication
    name = "dashboardSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "The chain dashboard's session, for the staff screens inside the "
            "dashboard; writes need the `csrftoken` cookie's value in `X-CSRFToken`.",
        }
