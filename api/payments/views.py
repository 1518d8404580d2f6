"""Payments: the customer's payment, their return from the gateway, the sandbox's page;
gateway webhooks; and, for the chain's owner, its gateway keys and payment settings.

Webhooks carry no user: they are authenticated by the gateway's signature, checked
with the chain's own secret against the raw body, so the body is read before anything
parses it. A bad signature answers 400 and writes nothing.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.orders.serializers import payment_data
from api.payments import serializers as io
from api.permissions import HasCapability
from api.schema import ErrorOutput
from tenants.error_codes import NotFound
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.payments.error_codes import PaymentErrorCode
from venue_apps.payments.models import GatewayAccount, Payment, PaymentSettings, Provider
from venue_apps.payments.services import gateways, ledger, payment_settings
from venue_apps.payments.services.attempts import payment_client_return, payment_get
from venue_apps.payments.services.events import EventOutcome, webhook_receive
from venue_apps.payments.services.sandbox import OUTCOMES, sandbox_pay
from venue_apps.sales.cancellation import show_cancel_and_refund
from venue_apps.sales.selectors import show_cancellation_latest
from venue_apps.shows.selectors import show_get


def _own_payment(request: Request, payment_id: Any) -> Payment:
    """A payment of an order this user bought (or sold); anyone else's is a 404."""
    payment = payment_get(payment_id)
    order = payment.order
    user = request.user
    if user.pk not in (order.customer_id, order.sold_by_id):
        raise NotFound(PaymentErrorCode.PAYMENT_NOT_FOUND, "No such payment.")
    return payment


def _answer(request: Request, outcome: EventOutcome, payment: Payment) -> Response:
    payment.refresh_from_db()
    payment.order.refresh_from_db()
    return Response(
        io.PaymentActionOutput(
            {
                **payment_data(payment, for_owner=True),
                "order": str(payment.order_id),
                "order_status": payment.order.current_status,
                "result": outcome.result,
                "detail": outcome.detail,
            }
        ).data
    )


class ProvidersView(APIView):
    """What the storefront may offer: gateways and their methods, and the mode."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses=io.ProviderOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(io.ProviderOutput(gateways.providers_available(), many=True).data)


class PaymentDetailView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.READ_ORDERS}

    @extend_schema(responses=io.PaymentOutput)
    def get(self, request: Request, payment_id: str) -> Response:
        payment = payment_get(payment_id)
        order = payment.order
        buyer = request.user.pk in (order.customer_id, order.sold_by_id)
        if not buyer and not has_capability(request.user, Capability.READ_ALL_ORDERS):
            raise NotFound(PaymentErrorCode.PAYMENT_NOT_FOUND, "No such payment.")
        # What the client pays with is for the buyer only, never for staff looking on.
        return Response(io.PaymentOutput(payment_data(payment, for_owner=buyer)).data)


class ReturnInput(serializers.Serializer):
    razorpay_payment_id = serializers.CharField(max_length=100, required=False)
    razorpay_order_id = serializers.CharField(max_length=100, required=False)
    razorpay_signature = serializers.CharField(max_length=200, required=False)


class PaymentConfirmView(APIView):
    """The customer is back from paying: we ask the gateway (never trusting the browser)
    and apply the answer now, without waiting for the webhook."""

    permission_classes = [HasCapability]
    capability = {"POST": Capability.BUY}

    @extend_schema(request=ReturnInput, responses=io.PaymentActionOutput)
    def post(self, request: Request, payment_id: str) -> Response:
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        payment = _own_payment(request, payment_id)
        outcome = payment_client_return(payment, data.validated_data)
        return _answer(request, outcome, payment)


class SandboxInput(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[(value, value) for value in OUTCOMES],
        help_text="approve: the card is charged. decline: the card is refused; the order "
        "stays pending and its seats held until the hold's time is up, and another attempt "
        "may be started (POST /orders/{id}/payments/). cancel: the customer gives up on "
        "the page; the order is cancelled and the seats released at once. late: the "
        "hold's time runs out first, then the card is charged.",
    )


class SandboxView(APIView):
    """The sandbox's hosted page, as an API (test mode only; 404 in live mode):
    `approve`, `decline` (not final: retry with another attempt), `cancel` (final) or
    `late`."""

    permission_classes = [HasCapability]
    capability = {"POST": Capability.BUY}

    @extend_schema(request=SandboxInput, responses=io.PaymentActionOutput)
    def post(self, request: Request, payment_id: str) -> Response:
        gateways.provider_for(Provider.SANDBOX)  # a live chain has no sandbox at all
        data = SandboxInput(data=request.data)
        data.is_valid(raise_exception=True)
        payment = _own_payment(request, payment_id)
        outcome = sandbox_pay(payment, outcome=data.validated_data["outcome"])
        return _answer(request, outcome, payment)


class WebhookView(APIView):
    """A gateway's webhook: verified with the chain's secret, applied exactly once."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    provider = ""

    # 404: the chain has no keys for this gateway.
    @extend_schema(request=None, responses={200: io.WebhookOutput, 404: ErrorOutput})
    def post(self, request: Request) -> Response:
        body = request._request.body  # the raw bytes the signature covers
        outcome = webhook_receive(self.provider, body, request.headers)
        return Response(io.WebhookOutput({"result": outcome.result, "detail": outcome.detail}).data)


class StripeWebhookView(WebhookView):
    provider = Provider.STRIPE


class RazorpayWebhookView(WebhookView):
    provider = Provider.RAZORPAY


class SandboxWebhookView(WebhookView):
    provider = Provider.SANDBOX


# --- the owner's payment configuration ---------------------------------------------------


class GatewayAccountInput(serializers.Serializer):
    public_key = serializers.CharField(max_length=255)
    secret_key = serializers.CharField(
        max_length=255, required=False, allow_blank=True, write_only=True, trim_whitespace=True
    )
    webhook_secret = serializers.CharField(
        max_length=255, required=False, allow_blank=True, write_only=True, trim_whitespace=True
    )
    is_active = serializers.BooleanField(default=True)


def _account_data(request: Request, account: GatewayAccount) -> dict[str, Any]:
    host = request.get_host()
    scheme = "https" if request.is_secure() else "http"
    return {
        "provider": account.provider,
        "mode": "live" if account.live else "test",
        "public_key": account.public_key,
        # Never the secrets themselves: whether they are set, and how to recognise them.
        "secret_key_set": bool(account.secret_key_sealed),
        "secret_key_hint": account.secret_key_hint,
        "webhook_secret_set": bool(account.webhook_secret_sealed),
        "webhook_secret_hint": account.webhook_secret_hint,
        "is_active": account.is_active,
        "webhook_url": f"{scheme}://{host}/api/v1/payments/webhooks/{account.provider}/",
        "updated_at": account.updated_at.isoformat(),
    }


class GatewayAccountListView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.MANAGE_PAYMENT_KEYS}

    @extend_schema(responses=io.GatewayAccountOutput(many=True))
    def get(self, request: Request) -> Response:
        accounts = [_account_data(request, account) for account in GatewayAccount.objects.all()]
        return Response(io.GatewayAccountOutput(accounts, many=True).data)


class GatewayAccountView(APIView):
    """The chain's keys at one gateway; secrets are write-only (hints only come back)."""

    permission_classes = [HasCapability]
    capability = {"GET": Capability.MANAGE_PAYMENT_KEYS, "PUT": Capability.MANAGE_PAYMENT_KEYS}

    def _provider(self, provider: str) -> str:
        if provider not in (Provider.STRIPE, Provider.RAZORPAY):
            raise NotFound(PaymentErrorCode.PROVIDER_UNKNOWN, f"No gateway {provider!r}.")
        return provider

    @extend_schema(
        parameters=[OpenApiParameter("mode", str, enum=["test", "live"])],
        responses=io.GatewayAccountOutput,
    )
    def get(self, request: Request, provider: str) -> Response:
        mode = request.query_params.get("mode") or PaymentSettings.current().mode
        account = GatewayAccount.objects.filter(
            provider=self._provider(provider), live=mode == "live"
        ).first()
        if account is None:
            raise NotFound(PaymentErrorCode.PROVIDER_UNAVAILABLE, f"No {provider} {mode} keys yet.")
        return Response(io.GatewayAccountOutput(_account_data(request, account)).data)

    @extend_schema(request=GatewayAccountInput, responses=io.GatewayAccountOutput)
    def put(self, request: Request, provider: str) -> Response:
        data = GatewayAccountInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = gateways.gateway_account_set(
            self._provider(provider), **data.validated_data, actor=request.user
        )
        return Response(io.GatewayAccountOutput(_account_data(request, account)).data)


class PaymentSettingsInput(serializers.ModelSerializer):
    class Meta:
        model = PaymentSettings
        fields = list(PaymentSettings.EDITABLE_FIELDS)


class PaymentSettingsView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.MANAGE_PAYMENT_KEYS, "PATCH": Capability.MANAGE_PAYMENT_KEYS}

    @extend_schema(responses=PaymentSettingsInput)
    def get(self, request: Request) -> Response:
        return Response(PaymentSettingsInput(PaymentSettings.current()).data)

    @extend_schema(request=PaymentSettingsInput, responses=PaymentSettingsInput)
    def patch(self, request: Request) -> Response:
        data = PaymentSettingsInput(PaymentSettings.current(), data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        row = payment_settings.payment_settings_update(
            values=data.validated_data, actor=request.user
        )
        return Response(PaymentSettingsInput(row).data)


class LedgerView(APIView):
    """The chain's books: each account's balance, per currency."""

    permission_classes = [HasCapability]
    capability = {"GET": Capability.READ_REPORTS}

    @extend_schema(responses=io.LedgerOutput)
    def get(self, request: Request) -> Response:
        currency = request.tenant.currency
        balances = ledger.ledger_balances(currency=currency)
        return Response(io.LedgerOutput({"currency": currency, "balances": balances}).data)


class ShowCancelAndRefundView(APIView):
    """Cancel a show and refund everyone in full; holds and unpaid orders let go.

    POST cancels the show at once (nothing more can be sold for it) and starts settling
    its orders in the background; GET reads how far the latest run got. The counts are
    those done so far, final once `status` is `done`; a run that left orders `failed`
    is picked up by posting again.
    """

    # The POST answered synchronously before the orders were settled by a task; it
    # keeps its 200 and its four counts and adds the run's fields. The API contract
    # (shared design API.md) does not list this endpoint, so it grants no change of
    # status to 202; added fields are what it allows.
    permission_classes = [HasCapability]
    capability = {"GET": Capability.REFUND, "POST": Capability.REFUND}

    @extend_schema(responses=io.ShowCancelOutput)
    def get(self, request: Request, pk: int) -> Response:
        run = show_cancellation_latest(show_get(pk).pk)
        return Response(io.ShowCancelOutput(run).data)

    @extend_schema(request=None, responses=io.ShowCancelOutput)
    def post(self, request: Request, pk: int) -> Response:
        run = show_cancel_and_refund(show_get(pk), actor=request.user)
        run.refresh_from_db()  # a task run inline (tests, eager mode) is done already
        return Response(io.ShowCancelOutput(run).data, status=status.HTTP_200_OK)
