"""Payments, refunds, gateway webhooks, the ledger and fraud decisions (tenant schema).

Every chain takes money into its own gateway account: its Stripe or Razorpay keys live
here, sealed (tenants.crypto), never returned by the API and never logged.

The ledger is double-entry and append-only: each money movement is a journal of
entries that sum to zero, checked by the database when the transaction commits, and
the table refuses UPDATE and DELETE (triggers in the migration). Accounts:

- `funds:<provider>`  money at the gateway (or in the till): captures in, refunds out;
                      `funds:cash` and `funds:card` (the counter's terminal) carry the
                      till shift they went into or out of (`shift_id`)
- `customer_funds`    received, not yet turned into a sale or a refund (always back to
                      zero when the transaction that received it commits)
- `refunds_payable`   owed back to customers, refund on its way through the gateway
- `ticket_sales`, `booking_fees`, `tax`   what sales earned (net of tax) and the tax
- `platform_fees` (expense) / `platform_fees_payable`   what the platform charges the chain
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from tenants.money import money
from tenants.singletons import Singleton
from venue_apps.orders.models import Order


class Provider(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    RAZORPAY = "razorpay", "Razorpay"
    SANDBOX = "sandbox", "Sandbox (test mode)"
    # Paid at the counter, at once: notes into a till, or the chain's own card
    # terminal beside it (the cashier confirms it approved). Box office and above only.
    CASH = "cash", "Cash at the box office"
    CARD = "card", "Card terminal at the box office"


# The providers paid at the counter, in the request that sells: no gateway, no webhook.
COUNTER_PROVIDERS = frozenset({Provider.CASH.value, Provider.CARD.value})


class PaymentSettings(Singleton):
    """The chain's payment mode and fraud limits."""

    # What the chain's owner may change (the service, the API and the dashboard).
    EDITABLE_FIELDS = (
        "mode",
        "default_provider",
        "attempts_per_customer_hour",
        "attempts_per_address_hour",
        "payments_per_card_hour",
        "failures_before_block",
        "block_minutes",
    )

    class Mode(models.TextChoices):
        TEST = "test", "Test mode (sandbox and test keys)"
        LIVE = "live", "Live mode (real money)"

    mode = models.CharField(max_length=4, choices=Mode.choices, default=Mode.TEST)
    default_provider = models.CharField(
        max_length=10, choices=Provider.choices, default=Provider.SANDBOX
    )
    # Velocity: payment attempts per customer, per address (generous: one cinema Wi-Fi
    # or mobile carrier puts many customers behind an address) and per card.
    attempts_per_customer_hour = models.PositiveSmallIntegerField(default=10)
    attempts_per_address_hour = models.PositiveIntegerField(default=300)
    payments_per_card_hour = models.PositiveSmallIntegerField(default=10)
    # Repeated failures block further attempts for a while.
    failures_before_block = models.PositiveSmallIntegerField(default=3)
    block_minutes = models.PositiveSmallIntegerField(default=30)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "payment settings"
        verbose_name_plural = "payment settings"

    def __str__(self) -> str:
        return f"Payments ({self.mode} mode)"

    @property
    def live(self) -> bool:
        return self.mode == self.Mode.LIVE


class GatewayAccount(models.Model):
    """A chain's own credentials at a gateway. Secrets are sealed; only hints are shown."""

    provider = models.CharField(
        max_length=10, choices=[(Provider.STRIPE, "Stripe"), (Provider.RAZORPAY, "Razorpay")]
    )
    # Gateways give every account a test and a live set of keys; both may be stored,
    # and the chain's mode picks which one is used.
    live = models.BooleanField(default=False)
    # Stripe: the publishable key (pk_...); Razorpay: the key id (rzp_...). Public.
    public_key = models.CharField(max_length=255)
    secret_key_sealed = models.TextField()
    webhook_secret_sealed = models.TextField()
    secret_key_hint = models.CharField(max_length=40, blank=True)
    webhook_secret_hint = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["provider", "live"]
        constraints = [
            models.UniqueConstraint("provider", "live", name="gateway_account_per_mode"),
        ]

    def __str__(self) -> str:
        mode = "live" if self.live else "test"
        return f"{self.get_provider_display()} {mode} keys ({self.public_key[:12]}…)"


class Payment(models.Model):
    """One attempt to take an order's money through a gateway."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the customer"
        SUCCEEDED = "succeeded", "Captured"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        PARTIALLY_REFUNDED = "partially_refunded", "Partly refunded"
        REFUNDED = "refunded", "Refunded"

    class Method(models.TextChoices):
        CARD = "card", "Card"
        UPI = "upi", "UPI"
        NETBANKING = "netbanking", "Net banking"
        WALLET = "wallet", "Wallet"
        CASH = "cash", "Cash"
        OTHER = "other", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    test_mode = models.BooleanField(default=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    # The gateway's object for this attempt: a Stripe PaymentIntent, a Razorpay order.
    gateway_reference = models.CharField(max_length=100, blank=True)
    # The money itself at the gateway: a Stripe charge, a Razorpay payment.
    gateway_payment_id = models.CharField(max_length=100, blank=True)
    # What the client needs to pay (publishable key, Razorpay order id, sandbox page);
    # the Stripe client secret is sealed like every other secret.
    client_data = models.JSONField(default=dict, blank=True)
    client_secret_sealed = models.TextField(blank=True)
    method = models.CharField(max_length=12, choices=Method.choices, blank=True)
    card_fingerprint = models.CharField(max_length=64, blank=True)
    captured_amount = models.PositiveIntegerField(default=0)
    refunded_amount = models.PositiveIntegerField(default=0)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    # The payment whose money became the order's sale (an order can see several
    # attempts, and a customer who pays twice gets the second one back).
    paid_order = models.BooleanField(default=False)
    # The gateway confirmed that this attempt can no longer take money (cancelled
    # there). Until then an attempt we gave up on is still asked about, because a
    # customer may pay it anyway; that money must still end as tickets or a refund.
    gateway_closed = models.BooleanField(default=False)
    customer_id = models.BigIntegerField(null=True, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    # A counter payment (cash, card terminal): the till shift that took it
    # (`tills.Shift`, by id: payments sits below the tills).
    shift_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # When reconciliation last asked the gateway about it: each pass asks those asked
    # longest ago first, so attempts that stay open never starve the others.
    reconciled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "provider",
                "gateway_reference",
                condition=~Q(gateway_reference=""),
                name="payment_gateway_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=models.F("captured_amount")),
                name="payment_refund_within_capture",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="payment_status_created"),
            models.Index(fields=["customer_id", "created_at"], name="payment_customer_created"),
            models.Index(fields=["client_address", "created_at"], name="payment_address_created"),
            models.Index(fields=["card_fingerprint", "created_at"], name="payment_card_created"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} payment {self.id} ({self.status})"

    @property
    def refundable(self) -> int:
        return self.captured_amount - self.refunded_amount


# A payment whose money came in, whatever was refunded of it since.
CAPTURED = (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED)


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "On its way"
        SUCCEEDED = "succeeded", "Refunded"
        FAILED = "failed", "Failed (needs staff)"

    class Reason(models.TextChoices):
        CUSTOMER_CANCELLED = "customer_cancelled", "Cancelled by the customer"
        STAFF = "staff", "Refunded by staff"
        SHOW_CANCELLED = "show_cancelled", "The show was cancelled"
        SEATS_UNAVAILABLE = "seats_unavailable", "Paid after the seats were gone"
        SHOW_CLOSED = "show_closed", "Paid after the show was closed"
        ORDER_CLOSED = "order_closed", "Paid for an order already cancelled"
        AMOUNT_MISMATCH = "amount_mismatch", "Paid the wrong amount"
        DUPLICATE_PAYMENT = "duplicate_payment", "Paid twice"
        FRAUD = "fraud", "Refused by fraud checks"
        GATEWAY = "gateway", "Refunded at the gateway"
        TEST_MODE = "test_mode", "A test-mode order voided when the chain went live"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=24, choices=Reason.choices)
    note = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    gateway_reference = models.CharField(max_length=100, blank=True)
    # Lines and the amount each gets back, {line id: minor units}; empty for a payment
    # that never became a sale.
    lines = models.JSONField(default=dict, blank=True)
    requested_by_id = models.BigIntegerField(null=True, blank=True)
    # "Send again" on a failed refund makes a new refund (a new id, so a new idempotency
    # key at the gateway) for the same money; the failed one stays, pointing to it.
    retry_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="retry"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # A counter refund (cash, card terminal): the till shift that paid it out.
    shift_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="refund_status_created")]

    def __str__(self) -> str:
        return f"refund {self.id} of {money(self.amount, self.currency)} ({self.status})"


class WebhookEvent(models.Model):
    """Each gateway event once: a second delivery of the same id changes nothing."""

    provider = models.CharField(max_length=10, choices=Provider.choices)
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=80)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    outcome = models.CharField(max_length=255, blank=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)
    duplicates = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint("provider", "event_id", name="webhook_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"


class LedgerAccount(models.TextChoices):
    FUNDS_STRIPE = "funds:stripe", "Funds at Stripe"
    FUNDS_RAZORPAY = "funds:razorpay", "Funds at Razorpay"
    FUNDS_SANDBOX = "funds:sandbox", "Funds at the sandbox"
    FUNDS_CASH = "funds:cash", "Cash in the tills"
    FUNDS_CARD = "funds:card", "Funds at the box office's card terminal"
    CUSTOMER_FUNDS = "customer_funds", "Received, not yet allocated"
    REFUNDS_PAYABLE = "refunds_payable", "Refunds on their way"
    TICKET_SALES = "ticket_sales", "Ticket sales"
    BOOKING_FEES = "booking_fees", "Booking fees"
    TAX = "tax", "Tax collected"
    PLATFORM_FEES = "platform_fees", "Platform fees (expense)"
    PLATFORM_FEES_PAYABLE = "platform_fees_payable", "Platform fees owed"


def funds_account(provider: str) -> str:
    return f"funds:{provider}"


class LedgerEntry(models.Model):
    """One side of a money movement. Append-only; a journal's entries sum to zero."""

    class Kind(models.TextChoices):
        CAPTURE = "capture", "Payment captured"
        SALE = "sale", "Sale recognised"
        REFUND_DUE = "refund_due", "Refund decided"
        REFUND_SENT = "refund_sent", "Refund sent"
        REFUND_RETURNED = "refund_returned", "Refund came back"
        PLATFORM_FEE = "platform_fee", "Platform fee"

    journal = models.UUIDField(db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    account = models.CharField(max_length=32, choices=LedgerAccount.choices)
    # Debit positive, credit negative, minor units.
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    order = models.ForeignKey(
        Order, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    refund = models.ForeignKey(
        Refund, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    memo = models.CharField(max_length=255, blank=True)
    # The till shift a counter movement (cash, card terminal) went through, by id.
    shift_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # Tickets this movement sold (+) or gave back in full (-), on the `ticket_sales`
    # entry of a sale or a refund_due journal (kept even at amount 0, a free seat's), so
    # the platform bills tickets from the books as it bills money. 0 everywhere else.
    tickets = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["account", "created_at"], name="ledger_account_time")]

    def __str__(self) -> str:
        sign = "-" if self.amount < 0 else "+"
        return f"{self.kind} {self.account} {sign}{money(abs(self.amount), self.currency)}"


class FraudDecision(models.Model):
    """Every decision of the fraud checks, with its reason, for disputes and tuning."""

    class Verdict(models.TextChoices):
        ALLOW = "allow", "Allowed"
        DENY = "deny", "Refused"

    stage = models.CharField(max_length=12)  # "attempt" or "capture"
    verdict = models.CharField(max_length=5, choices=Verdict.choices)
    reason = models.CharField(max_length=40)
    detail = models.CharField(max_length=255, blank=True)
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer_id = models.BigIntegerField(null=True, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    card_fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.stage} {self.verdict}: {self.reason}"


class SandboxCharge(models.Model):
    """The sandbox gateway's own books, so it can be asked about a payment later
    (reconciliation) exactly like a real gateway."""

    reference = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=8)  # "payment" or "refund"
    status = models.CharField(max_length=12)
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    parent = models.CharField(max_length=64, blank=True)  # a refund's payment reference
    idempotency_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"sandbox {self.kind} {self.reference} ({self.status})"
