"""Sign-in and account endpoints of a tenant (`/api/v1/auth/...`, `/api/v1/me/`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views

from api.accounts.serializers import MeOutput, RegisterInput, TenantBrandingOutput, UserOutput
from venue_apps.accounts.services import customer_register


class RegisterView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=RegisterInput, responses={201: UserOutput})
    def post(self, request: Request) -> Response:
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = customer_register(**data.validated_data)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class TokenObtainView(jwt_views.TokenObtainPairView):
    """`{email, password}` → `{access, refresh}`, valid only on this host's tenant."""


class TokenRefreshView(jwt_views.TokenRefreshView):
    """Rotate: the old refresh token is blacklisted, a new pair is returned."""


class LogoutView(jwt_views.TokenBlacklistView):
    """Revoke a refresh token (`{refresh}`)."""


class MeView(APIView):
    permission_classes = [IsAuthenticated]

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
