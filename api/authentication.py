"""DRF authentication for both faces: JWT checked against the request's tenant, and the
chain's dashboard session for the staff screens that run inside the dashboard (the
box office), with its CSRF check."""

from __future__ import annotations

import time

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from dashboards import auth as dashboard_auth
from tenants.schemas import current_schema_name
from venue_apps.accounts.capabilities import (
    Capability,
    has_capability,
    role_may,
    role_of_site,
)
from venue_apps.accounts.revocations import revocation_state
from venue_apps.accounts.selectors import (
    active_user,
    token_denied,
    totp_device,
    two_factor_required,
)
from venue_apps.accounts.tokens import (
    ROLE_CLAIM,
    STAMP_CLAIM,
    TENANT_CLAIM,
    WRONG_TENANT_MESSAGE,
    second_factor_given,
    session_keys,
)

_WRONG_TENANT = {"detail": "This token was issued for another tenant.", "code": "token_not_valid"}
_SIGNED_OUT = {"detail": "This session has been signed out.", "code": "token_not_valid"}


class TokenAccount(SimpleLazyObject):
    """The account a trusted access token names (accounts.revocations): its id and role
    come from the token, and it is active (a deactivated account's tokens are never
    trusted as they stand). Anything else (its email, a foreign key to it, isinstance)
    reads the row, once, on first use; the hold path never does."""

    def __init__(self, user_id: int, role: str) -> None:
        def load():
            user = active_user(user_id)
            if user is None:
                raise AuthenticationFailed("User not found", code="user_not_found")
            return user

        super().__init__(load)
        known = {"pk": user_id, "id": user_id, "role": role, "is_active": True}
        self.__dict__.update(known, is_authenticated=True, is_anonymous=False)

    def __bool__(self) -> bool:  # `if request.user` reads no row
        return True

    @property
    def is_chain_staff(self) -> bool:
        return role_may(self.__dict__["role"], Capability.USE_TWO_FACTOR)


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
        return token

    def get_user(self, validated_token):
        """The account, without a query when the token can be trusted as it stands
        (accounts.revocations); else read, with the deny list, from the database.

        Signed out: the session's access tokens end at once, not when they expire."""
        keys = session_keys(validated_token)
        state = revocation_state()
        if state is not None:
            now = time.time()
            if state.session_denied(keys, now):
                raise InvalidToken(_SIGNED_OUT)
            user_id = str(validated_token.get(jwt_settings.USER_ID_CLAIM, ""))
            role = validated_token.get(ROLE_CLAIM)
            stamp = validated_token.get(STAMP_CLAIM)
            if (
                user_id.isdigit()
                and role is not None
                and stamp is not None
                and float(validated_token.get("iat", 0)) >= state.since
                and state.stamp_current(int(user_id), stamp, now)
            ):
                return TokenAccount(int(user_id), role)
        user = super().get_user(validated_token)
        if token_denied(keys):
            raise InvalidToken(_SIGNED_OUT)
        return user


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
        if settings.SESSION_COOKIE_NAME not in django_request.COOKIES:
            # No session cookie, no session: the customer's request of an on-sale
            # skips loading one (and the second factor's checks), 6% of a seat map read.
            return None
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
