from __future__ import annotations

from rest_framework import serializers
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from api.fields import MediaPathField
from tenants.models import Tenant
from venue_apps.accounts.models import CHAIN_STAFF_ROLE_CHOICES, StaffTwoFactor, User
from venue_apps.accounts.selectors import active_user, totp_device, two_factor_required
from venue_apps.accounts.tokens import TenantAccessToken, TenantRefreshToken, account_claims_set


class TokenObtainSerializer(jwt_serializers.TokenObtainPairSerializer):
    """`{email, password, otp?}` → `{access, refresh}` bound to this host's tenant.

    Staff with an authenticator app also give its current code, or one of their
    recovery codes (`otp`); the token says so in its `amr` claim. Too many wrong
    passwords for one account from one address lock that pair out for a while (429).
    """

    token_class = TenantRefreshToken
    otp = serializers.CharField(required=False, allow_blank=True, max_length=16, write_only=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Bounded like the accounts themselves: an over-long value is a 400, not a row
        # the lockout cannot store.
        self.fields[self.username_field] = serializers.CharField(max_length=254, write_only=True)
        self.fields["password"] = jwt_serializers.PasswordField(
            max_length=128, trim_whitespace=False
        )

    def validate(self, attrs):
        # The shape only: signing in is the view's call to
        # accounts.services.sign_in.password_sign_in.
        return attrs


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    token_class = TenantRefreshToken

    def validate(self, attrs):
        from rest_framework.exceptions import AuthenticationFailed

        try:
            data = super().validate(attrs)
        except User.DoesNotExist as gone:
            # The account was deleted since the token was issued.
            raise AuthenticationFailed(
                "This account no longer exists.", code="no_active_account"
            ) from gone
        # The new access token names the account's role and stamp of now, not of the
        # sign-in: the API trusts them without a query (accounts.revocations), so a
        # role changed since must not come back once its record has lapsed.
        access = TenantAccessToken(data["access"])
        user = active_user(access[jwt_settings.USER_ID_CLAIM])
        if user is None:
            raise AuthenticationFailed("This account no longer exists.", code="no_active_account")
        account_claims_set(access, user)
        data["access"] = str(access)
        return data


class TokenBlacklistSerializer(jwt_serializers.TokenBlacklistSerializer):
    token_class = TenantRefreshToken

    def validate(self, attrs):
        # Checked only (signature, expiry, tenant, not revoked yet): signing out is the
        # view's call to accounts.services.sessions.session_end.
        return {"token": self.token_class(attrs["refresh"])}


class RegisterInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    name = serializers.CharField(max_length=150, allow_blank=True, default="")


class TenantBrandingOutput(serializers.ModelSerializer):
    logo = MediaPathField()

    class Meta:
        model = Tenant
        fields = [
            "slug",
            "name",
            "display_name",
            "currency",
            "timezone",
            "locale",
            "primary_colour",
            "accent_colour",
            "storefront_style",
            "logo",
        ]


class UserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "date_joined", "email_verified"]


class TwoFactorStateOutput(serializers.Serializer):
    """Whether the account has an authenticator app on, and whether its chain (or the
    platform) requires one."""

    two_factor = serializers.SerializerMethodField()
    two_factor_required = serializers.SerializerMethodField()

    def get_two_factor(self, user: User) -> bool:
        # Lists annotate it (accounts.selectors.users_with_two_factor); one user asks.
        on = getattr(user, "two_factor_on", None)
        if on is not None:
            return on
        return totp_device(user) is not None

    def get_two_factor_required(self, user: User) -> bool:
        return two_factor_required(user)


class MeOutput(TwoFactorStateOutput, UserOutput):
    tenant = serializers.SerializerMethodField()

    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "two_factor", "two_factor_required", "tenant"]

    def get_tenant(self, user: User) -> dict:
        return TenantBrandingOutput(self.context["request"].tenant, context=self.context).data


class TokenInput(serializers.Serializer):
    token = serializers.CharField(max_length=512)


class EmailInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInput(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)


class PasswordChangeInput(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class SignedOutOutput(serializers.Serializer):
    """Signing out answers an empty object."""


class OtpInput(serializers.Serializer):
    code = serializers.RegexField(r"^\s*\d{6}\s*$", max_length=12)


class OtpOrRecoveryInput(serializers.Serializer):
    code = serializers.CharField(
        max_length=16, help_text="A current code of the app, or one of the recovery codes."
    )


class TwoFactorOutput(serializers.Serializer):
    enabled = serializers.BooleanField()
    pending = serializers.BooleanField()
    required = serializers.BooleanField(help_text="The chain (or the platform) requires it.")
    recovery_codes_left = serializers.IntegerField()


class RecoveryCodesOutput(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="One-use codes that stand in for the app; shown this once.",
    )


class TwoFactorConfirmOutput(TokenPairOutput):
    # The new pair first, then the codes, as the answer lists them.
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="One-use codes that stand in for the app; shown this once.",
    )


class TwoFactorSetupOutput(serializers.Serializer):
    secret = serializers.CharField(help_text="Base32, for typing into the app.")
    otpauth_url = serializers.CharField()
    qr_svg = serializers.CharField(help_text="The otpauth URL as a QR code (SVG).")


class OAuthInput(serializers.Serializer):
    access_token = serializers.CharField(max_length=4096, required=False)
    code = serializers.CharField(max_length=2048, required=False)
    redirect_uri = serializers.URLField(max_length=2048, required=False)

    def validate(self, attrs):
        if bool(attrs.get("access_token")) == bool(attrs.get("code")):
            raise serializers.ValidationError(
                "Send an `access_token`, or a `code` with its `redirect_uri`.", code="invalid"
            )
        if attrs.get("code") and not attrs.get("redirect_uri"):
            raise serializers.ValidationError(
                "A `code` needs the `redirect_uri` it was issued for.", code="invalid"
            )
        return attrs


class OAuthOutput(TokenPairOutput):
    created = serializers.BooleanField()
    user = UserOutput()


class OAuthProviderOutput(serializers.Serializer):
    provider = serializers.CharField()
    client_id = serializers.CharField()


class OAuthClientInput(serializers.Serializer):
    client_id = serializers.CharField(max_length=255)
    client_secret = serializers.CharField(
        max_length=512, required=False, allow_blank=True, write_only=True
    )
    enabled = serializers.BooleanField(default=True)


class OAuthClientOutput(serializers.Serializer):
    provider = serializers.CharField()
    client_id = serializers.CharField()
    client_secret_hint = serializers.CharField()
    enabled = serializers.BooleanField()
    redirect_hint = serializers.CharField()


class StaffInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=CHAIN_STAFF_ROLE_CHOICES)


class StaffChangeInput(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=CHAIN_STAFF_ROLE_CHOICES, required=False)
    is_active = serializers.BooleanField(required=False)


class StaffOutput(TwoFactorStateOutput, UserOutput):
    class Meta(UserOutput.Meta):
        fields = [
            *UserOutput.Meta.fields,
            "is_active",
            "two_factor",
            "two_factor_required",
            "last_login",
        ]


class AccountSettingsIO(serializers.Serializer):
    staff_two_factor = serializers.ChoiceField(
        choices=StaffTwoFactor.choices,
        help_text="optional, owners_managers or all_staff: who must sign in with an app.",
    )
