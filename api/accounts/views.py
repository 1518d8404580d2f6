"""Sign-in and account endpoints of a tenant (`/api/v1/auth/...`, `/api/v1/me/`), the
owner's staff and OAuth client management.

Sign-in, registration and the emails we send on request are rate limited generously
per address; failed password checks and reset emails are limited per account too, in
ways a stranger cannot use to keep the account's owner out (accounts.services.sign_in); too many
wrong passwords for one account from one address lock that pair out for a while
(django-axes).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from api.accounts import serializers as io_
from api.accounts.serializers import MeOutput, RegisterInput, TenantBrandingOutput, UserOutput
from api.filters import page_of
from api.pagination import BoundedLimitOffsetPagination
from api.permissions import HasCapability
from api.throttles import (
    EmailAddressThrottle,
    LoginAddressThrottle,
    RegisterAddressThrottle,
    client_address,
)
from tenants.error_codes import DomainError, NotFound
from venue_apps.accounts import selectors
from venue_apps.accounts.capabilities import Capability
from venue_apps.accounts.error_codes import AccountErrorCode
from venue_apps.accounts.models import AccountSettings, OAuthClient, Role, User
from venue_apps.accounts.selectors import oauth_providers, users_with_two_factor
from venue_apps.accounts.services import links, oauth, sessions, two_factor, users
from venue_apps.accounts.services.sign_in import password_sign_in
from venue_apps.accounts.tokens import (
    SESSION_CLAIM,
    TenantAccessToken,
    second_factor_given,
    session_keys,
)


def _pair(user: User, *, second_factor: bool = False) -> dict[str, str]:
    return asdict(sessions.session_start(user, second_factor=second_factor))


class RegisterView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [RegisterAddressThrottle]

    @extend_schema(request=RegisterInput, responses={201: UserOutput})
    def post(self, request: Request) -> Response:
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = users.customer_register(**data.validated_data)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class TokenObtainView(jwt_views.TokenObtainPairView):
    """`{email, password, otp?}` → `{access, refresh}`, valid only on this host's tenant."""

    throttle_classes = [LoginAddressThrottle]

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            signed_in = password_sign_in(
                request,
                email=data.validated_data[data.username_field],
                password=data.validated_data["password"],
                code=data.validated_data.get("otp"),
            )
        except DomainError as refusal:
            if refusal.code == AccountErrorCode.NO_ACTIVE_ACCOUNT:
                # As simplejwt's own view answers it: 401 with WWW-Authenticate.
                raise AuthenticationFailed(refusal.detail, refusal.code) from refusal
            raise
        assert signed_in.tokens is not None  # the API's sign-in always issues them
        return Response(asdict(signed_in.tokens), status=status.HTTP_200_OK)


class TokenRefreshView(jwt_views.TokenRefreshView):
    """Rotate: the old refresh token is blacklisted, a new pair is returned."""

    throttle_classes = [LoginAddressThrottle]


class LogoutView(jwt_views.TokenBlacklistView):
    """Revoke a refresh token (`{refresh}`)."""

    @extend_schema(responses=io_.SignedOutOutput)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The refresh token is revoked and its session's access tokens stop at once;
        # the access token presented (if any) too, for tokens from before sessions had
        # ids. No Authorization header is needed: the storefront sends none.
        data = self.get_serializer(data=request.data)
        try:
            data.is_valid(raise_exception=True)
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error
        refresh = data.validated_data["token"]
        keys = [refresh.get(SESSION_CLAIM) or refresh["jti"]]
        access = _presented_access_token(request)
        user_claim = jwt_settings.USER_ID_CLAIM
        if access is not None and access.get(user_claim) == refresh.get(user_claim):
            keys += session_keys(access)
        sessions.session_end(refresh, keys=list(dict.fromkeys(keys)))
        return Response(io_.SignedOutOutput({}).data, status=status.HTTP_200_OK)


def _presented_access_token(request: Request) -> TenantAccessToken | None:
    """The valid access token of this tenant in the Authorization header, if any."""
    from api.authentication import TenantJWTAuthentication

    authentication = TenantJWTAuthentication()
    header = authentication.get_header(request)
    raw = authentication.get_raw_token(header) if header else None
    if raw is None:
        return None
    try:
        return TenantAccessToken(raw)
    except TokenError:
        return None


class MeView(APIView):
    permission_classes = [IsAuthenticated]
    open_before_two_factor = True

    @extend_schema(responses=MeOutput)
    def get(self, request: Request) -> Response:
        return Response(MeOutput(request.user, context={"request": request}).data)


class TenantView(APIView):
    """The chain's public face: name, branding, currency and time zone for the storefront."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses=TenantBrandingOutput)
    def get(self, request: Request) -> Response:
        return Response(TenantBrandingOutput(request.tenant, context={"request": request}).data)


# --- the address and the password ----------------------------------------------------------


class VerifyEmailView(APIView):
    """`{token}` from the emailed link → the address is verified."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [EmailAddressThrottle]

    @extend_schema(request=io_.TokenInput, responses=UserOutput)
    def post(self, request: Request) -> Response:
        data = io_.TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(UserOutput(links.email_verify(data.validated_data["token"])).data)


class VerifyEmailResendView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [EmailAddressThrottle]

    @extend_schema(request=None, responses={202: None})
    def post(self, request: Request) -> Response:
        links.email_verification_send(request.user)
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetView(APIView):
    """`{email}` → 202 whether or not there is such an account (no probing)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [EmailAddressThrottle]

    @extend_schema(request=io_.EmailInput, responses={202: None})
    def post(self, request: Request) -> Response:
        data = io_.EmailInput(data=request.data)
        data.is_valid(raise_exception=True)
        links.password_reset_request(data.validated_data["email"], address=client_address(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    """`{uid, token, new_password}` from the emailed link; every session ends."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [EmailAddressThrottle]

    @extend_schema(request=io_.PasswordResetConfirmInput, responses={204: None})
    def post(self, request: Request) -> Response:
        data = io_.PasswordResetConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        links.password_reset_confirm(**data.validated_data, address=client_address(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    """`{old_password, new_password}` → a fresh token pair; other sessions end."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [LoginAddressThrottle]

    @extend_schema(request=io_.PasswordChangeInput, responses=io_.TokenPairOutput)
    def post(self, request: Request) -> Response:
        data = io_.PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = users.password_change(request.user, **data.validated_data)
        # The new pair keeps what the old token proved (a second factor or not).
        pair = _pair(user, second_factor=second_factor_given(request.auth))
        return Response(io_.TokenPairOutput(pair).data)


# --- two factors (staff) ---------------------------------------------------------------------


# Where a staff member whose chain requires two factors, signed in with the password
# alone, may go (api.authentication refuses every other view): enrolment, and /me/.


class TwoFactorView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.USE_TWO_FACTOR}
    open_before_two_factor = True

    @extend_schema(responses=io_.TwoFactorOutput)
    def get(self, request: Request) -> Response:
        user = request.user
        return Response(
            io_.TwoFactorOutput(
                {
                    "enabled": selectors.totp_device(user) is not None,
                    "pending": selectors.totp_device(user, confirmed=False) is not None,
                    "required": selectors.two_factor_required(user),
                    "recovery_codes_left": selectors.recovery_codes_left(user),
                }
            ).data
        )


class TwoFactorSetupView(APIView):
    """Start enrolling an authenticator app: the secret and a QR code to scan."""

    permission_classes = [HasCapability]
    capability = {"POST": Capability.USE_TWO_FACTOR}
    open_before_two_factor = True

    @extend_schema(request=None, responses={201: io_.TwoFactorSetupOutput})
    def post(self, request: Request) -> Response:
        secret, uri, svg = two_factor.totp_enrolment_start(
            request.user, issuer=request.tenant.brand_name
        )
        return Response(
            io_.TwoFactorSetupOutput({"secret": secret, "otpauth_url": uri, "qr_svg": svg}).data,
            status=status.HTTP_201_CREATED,
        )


class TwoFactorConfirmView(APIView):
    """`{code}` from the app → on: a new token pair (the user's other sessions end) and
    ten recovery codes, shown this once."""

    permission_classes = [HasCapability]
    capability = {"POST": Capability.USE_TWO_FACTOR}
    open_before_two_factor = True

    @extend_schema(request=io_.OtpInput, responses=io_.TwoFactorConfirmOutput)
    def post(self, request: Request) -> Response:
        data = io_.OtpInput(data=request.data)
        data.is_valid(raise_exception=True)
        _, codes = two_factor.totp_confirm(request.user, code=data.validated_data["code"].strip())
        pair = _pair(request.user, second_factor=True)
        return Response(io_.TwoFactorConfirmOutput({**pair, "recovery_codes": codes}).data)


class RecoveryCodesView(APIView):
    """`{code}`: a current code of the app → ten new recovery codes; the old ones stop
    working."""

    permission_classes = [HasCapability]
    capability = {"POST": Capability.USE_TWO_FACTOR}

    @extend_schema(request=io_.OtpInput, responses=io_.RecoveryCodesOutput)
    def post(self, request: Request) -> Response:
        data = io_.OtpInput(data=request.data)
        data.is_valid(raise_exception=True)
        codes = two_factor.recovery_codes_regenerate(
            request.user, code=data.validated_data["code"].strip()
        )
        return Response(io_.RecoveryCodesOutput({"recovery_codes": codes}).data)


class TwoFactorDisableView(APIView):
    permission_classes = [HasCapability]
    capability = {"POST": Capability.USE_TWO_FACTOR}

    @extend_schema(request=io_.OtpOrRecoveryInput, responses={204: None})
    def post(self, request: Request) -> Response:
        data = io_.OtpOrRecoveryInput(data=request.data)
        data.is_valid(raise_exception=True)
        two_factor.totp_disable(request.user, code=data.validated_data["code"].strip())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Google and Facebook -------------------------------------------------------------------


class OAuthProvidersView(APIView):
    """The providers customers may sign in with here, with the client id the
    storefront needs to open the provider's consent screen."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses=io_.OAuthProviderOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(io_.OAuthProviderOutput(oauth_providers(), many=True).data)


class OAuthSignInView(APIView):
    """`{access_token}` (from the provider's SDK) or `{code, redirect_uri}` → our pair."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginAddressThrottle]

    @extend_schema(request=io_.OAuthInput, responses=io_.OAuthOutput)
    def post(self, request: Request, provider: str) -> Response:
        data = io_.OAuthInput(data=request.data)
        data.is_valid(raise_exception=True)
        user, created = oauth.oauth_sign_in(request._request, provider, **data.validated_data)
        answer = {**_pair(user), "created": created, "user": UserOutput(user).data}
        return Response(io_.OAuthOutput(answer).data)


class OAuthClientView(APIView):
    """The chain's own OAuth client at a provider (owner); the secret is write-only."""

    permission_classes = [HasCapability]
    capability = {
        "GET": Capability.MANAGE_SIGN_IN_SETTINGS,
        "PUT": Capability.MANAGE_SIGN_IN_SETTINGS,
    }

    def _data(self, request: Request, client: OAuthClient) -> dict[str, Any]:
        return {
            "provider": client.provider,
            "client_id": client.client_id,
            "client_secret_hint": client.client_secret_hint,
            "enabled": client.enabled,
            "redirect_hint": f"{request.scheme}://{request.get_host()}/account/oauth/"
            f"{client.provider}/",
        }

    @extend_schema(responses=io_.OAuthClientOutput)
    def get(self, request: Request, provider: str) -> Response:
        client = OAuthClient.objects.filter(provider=provider).first()
        if client is None:
            raise NotFound(AccountErrorCode.OAUTH_UNAVAILABLE, f"No {provider} client yet.")
        return Response(io_.OAuthClientOutput(self._data(request, client)).data)

    @extend_schema(request=io_.OAuthClientInput, responses=io_.OAuthClientOutput)
    def put(self, request: Request, provider: str) -> Response:
        data = io_.OAuthClientInput(data=request.data)
        data.is_valid(raise_exception=True)
        client = oauth.oauth_client_set(provider, **data.validated_data, actor=request.user)
        return Response(io_.OAuthClientOutput(self._data(request, client)).data)


class AccountSettingsView(APIView):
    """The chain's sign-in rules (owner): which staff must use two factors. The same
    setting as the dashboard's Accounts → Sign-in security."""

    permission_classes = [HasCapability]
    capability = {
        "GET": Capability.MANAGE_SIGN_IN_SETTINGS,
        "PUT": Capability.MANAGE_SIGN_IN_SETTINGS,
    }

    @extend_schema(responses=io_.AccountSettingsIO)
    def get(self, request: Request) -> Response:
        return Response(io_.AccountSettingsIO(AccountSettings.current()).data)

    @extend_schema(request=io_.AccountSettingsIO, responses=io_.AccountSettingsIO)
    def put(self, request: Request) -> Response:
        data = io_.AccountSettingsIO(data=request.data)
        data.is_valid(raise_exception=True)
        row = two_factor.account_settings_update(**data.validated_data)
        return Response(io_.AccountSettingsIO(row).data)


# --- staff (owner) ---------------------------------------------------------------------------


class StaffListCreateView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.MANAGE_STAFF, "POST": Capability.MANAGE_STAFF}
    # Pages as every list (the schema reads it from here; get() makes the paginator).
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(responses=io_.StaffOutput(many=True))
    def get(self, request: Request) -> Response:
        self.paginator = BoundedLimitOffsetPagination()
        staff = users_with_two_factor(User.objects.exclude(role=Role.CUSTOMER)).order_by("email")
        return Response(
            page_of(request, self, staff, lambda page: io_.StaffOutput(page, many=True).data)
        )

    @extend_schema(request=io_.StaffInput, responses={201: io_.StaffOutput})
    def post(self, request: Request) -> Response:
        data = io_.StaffInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = users.staff_create(**data.validated_data, actor=request.user)
        return Response(io_.StaffOutput(user).data, status=status.HTTP_201_CREATED)


class StaffDetailView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.MANAGE_STAFF, "PATCH": Capability.MANAGE_STAFF}

    def _user(self, pk: int) -> User:
        user = User.objects.exclude(role=Role.CUSTOMER).filter(pk=pk).first()
        if user is None:
            raise NotFound(AccountErrorCode.NOT_FOUND, f"No staff member {pk}.")
        return user

    @extend_schema(responses=io_.StaffOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(io_.StaffOutput(self._user(pk)).data)

    @extend_schema(request=io_.StaffChangeInput, responses=io_.StaffOutput)
    def patch(self, request: Request, pk: int) -> Response:
        data = io_.StaffChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = users.staff_update(self._user(pk), actor=request.user, **data.validated_data)
        return Response(io_.StaffOutput(user).data)
