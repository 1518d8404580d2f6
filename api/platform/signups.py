"""Self sign-up on the apex domain, with no sign-in: the form's options, whether a
subdomain is free, and the sign-up itself (tenants.billing.signups does the work)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.throttles import (
    SignupAddressThrottle,
    SignupCheckAddressThrottle,
    SignupEmailThrottle,
    client_address,
)
from tenants.billing import signups

# Said whatever happens to the email: whether it owns a chain already is nobody's business.
ACCEPTED = "Check your email: we sent a link to confirm it and create your chain."
# The form's field no person sees or fills in (signup.ts keeps it empty).
HONEYPOT = "website"


class AvailabilityOutput(serializers.Serializer):
    slug = serializers.CharField()
    available = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=["", "invalid", "reserved", "taken"])


class PriceOutput(serializers.Serializer):
    currency = serializers.CharField()
    monthly_fee = serializers.IntegerField()
    per_ticket = serializers.IntegerField()
    monthly_fee_text = serializers.CharField()
    per_ticket_text = serializers.CharField()


class PlanOptionOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    trial_days = serializers.IntegerField()
    basis_points = serializers.IntegerField()
    prices = PriceOutput(many=True)


class OptionsOutput(serializers.Serializer):
    plans = PlanOptionOutput(many=True)
    currencies = serializers.ListField(child=serializers.CharField())
    timezones = serializers.ListField(child=serializers.CharField())
    default_plan = serializers.CharField(allow_null=True)
    # The signed timestamp the form sends back (`form_token`).
    form_token = serializers.CharField()


class SignUpInput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, max_length=200)
    slug = serializers.CharField(allow_blank=True, max_length=100)
    email = serializers.CharField(allow_blank=True, max_length=254)
    password = serializers.CharField(allow_blank=True, max_length=200, trim_whitespace=False)
    currency = serializers.CharField(allow_blank=True, max_length=10)
    timezone = serializers.CharField(allow_blank=True, max_length=64)
    plan = serializers.CharField(allow_blank=True, max_length=40)
    form_token = serializers.CharField(allow_blank=True, max_length=200)
    website = serializers.CharField(required=False, allow_blank=True, max_length=200)


class AcceptedOutput(serializers.Serializer):
    detail = serializers.CharField()


class SignupAvailabilityView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [SignupCheckAddressThrottle]

    @extend_schema(
        parameters=[OpenApiParameter("slug", str, required=True)],
        responses=AvailabilityOutput,
    )
    def get(self, request: Request) -> Response:
        """Whether `<slug>.<domain>` is free to sign up with; reason `invalid`, `reserved`
        or `taken` when not."""
        slug = str(request.query_params.get("slug", ""))[:100].strip().lower()
        available, reason = signups.slug_availability(slug)
        return Response(
            AvailabilityOutput({"slug": slug, "available": available, "reason": reason}).data
        )


class SignupOptionsView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [SignupCheckAddressThrottle]

    @extend_schema(responses=OptionsOutput)
    def get(self, request: Request) -> Response:
        """The public plans with their prices in each currency, the currencies and time
        zones offered, and a fresh `form_token` for the sign-up."""
        return Response(
            OptionsOutput({**signups.signup_options(), "form_token": signups.form_token()}).data
        )


class SignupCreateView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [SignupAddressThrottle, SignupEmailThrottle]

    @extend_schema(request=SignUpInput, responses={202: AcceptedOutput})
    def post(self, request: Request) -> Response:
        """Sign a chain up: 202 and an email with the link that creates it. Refusals
        name the field (`errors`); the answer is the same whether or not the email
        already runs a chain."""
        data = SignUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        accepted = Response(AcceptedOutput({"detail": ACCEPTED}).data, status.HTTP_202_ACCEPTED)
        if values.get(HONEYPOT):
            # A bot filled in the field no person sees: it learns nothing from the answer.
            return accepted
        signups.form_token_check(values["form_token"])
        signups.signup_request(
            name=values["name"],
            slug=values["slug"],
            owner_email=values["email"],
            password=values["password"],
            currency=values["currency"],
            timezone=values["timezone"],
            plan=values["plan"],
            client_address=client_address(request),
        )
        return accepted
