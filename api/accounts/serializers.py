from __future__ import annotations

from rest_framework import serializers
from rest_framework_simplejwt import serializers as jwt_serializers

from api.tokens import TenantRefreshToken
from tenants.models import Tenant
from tenants.schemas import in_public_schema
from venue_apps.accounts.models import Role, User


class TokenObtainSerializer(jwt_serializers.TokenObtainPairSerializer):
    """`{email, password}` → `{access, refresh}` bound to this host's tenant."""

    token_class = TenantRefreshToken

    def validate(self, attrs):
        data = super().validate(attrs)
        is_platform = in_public_schema()
        if is_platform and self.user.role != Role.PLATFORM_STAFF:
            raise serializers.ValidationError("Only platform staff sign in here.", code="not_staff")
        return data


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    token_class = TenantRefreshToken


class TokenBlacklistSerializer(jwt_serializers.TokenBlacklistSerializer):
    token_class = TenantRefreshToken


class RegisterInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    name = serializers.CharField(max_length=150, allow_blank=True, default="")


class TenantBrandingOutput(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = [
            "slug",
            "name",
            "display_name",
            "currency",
            "timezone",
            "primary_colour",
            "accent_colour",
            "logo",
        ]


class UserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "date_joined"]


class MeOutput(UserOutput):
    tenant = serializers.SerializerMethodField()

    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "tenant"]

    def get_tenant(self, user: User) -> dict:
        return TenantBrandingOutput(self.context["request"].tenant, context=self.context).data
