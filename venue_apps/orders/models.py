"""Orders, their lines, promotions, and the chain's checkout and cancellation policy.

Money is integer minor units of the order's currency (paise, cents), never floats.
An order is made from a hold and priced by the server alone (`orders.pricing`); each
line is one seat with its own share of discount, fee and tax, so a partial refund of
some seats is exact to the minor unit.

A seat of a show is sold at most once: the database refuses a second `sold` line for
the same show seat (a partial unique index), whatever the code does.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from tenants.deliveries import Delivery
from tenants.singletons import Singleton
from venue_apps.catalog.models import Title
from venue_apps.inventory.models import Hold, ShowSeat
from venue_apps.shows.models import Show

BASIS_POINTS = 10_000  # 100 % in basis points


def phone_digits(field: str = "phone") -> models.Func:
    """A phone number's digits only (`+91 98-76` → `919876`): the expression both the box
    office's lookup (`selectors.order_find`) and its index (`order_phone_digits_trgm`)
    use, so that the index serves the lookup."""
    return models.Func(
        models.F(field),
        models.Value("[^0-9]"),
        models.Value(""),
        models.Value("g"),
        function="REGEXP_REPLACE",
        output_field=models.CharField(),
    )


def _trigram(expression, name: str) -> GinIndex:
    # Trigram indexes (pg_trgm, in the public schema: migration 0008) serve "contains"
    # lookups; `Upper` is what Django's `icontains` compares.
    return GinIndex(OpClass(expression, name="gin_trgm_ops"), name=name)


class CheckoutSettings(Singleton):
    """What the chain adds to ticket prices: its booking fee (taxes are TaxRate rows)."""

    booking_fee_per_ticket = models.PositiveIntegerField(
        default=0, help_text="Minor units added to each ticket."
    )
    booking_fee_basis_points = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(5_000)],
        help_text="A share of each ticket's price, in basis points (250 = 2.5 %).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "checkout settings"
        verbose_name_plural = "checkout settings"

    def __str__(self) -> str:
        return "Checkout settings"


class TaxRate(models.Model):
    """A tax the chain charges, e.g. GST 18 % on booking fees, VAT 13.5 % included in prices."""

    class AppliesTo(models.TextChoices):
        TICKETS = "tickets", "Ticket prices"
        FEES = "fees", "Booking fees"
        ALL = "all", "Tickets and fees"

    name = models.CharField(max_length=60)
    basis_points = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(BASIS_POINTS)],
        help_text="1800 = 18 %.",
    )
    applies_to = models.CharField(max_length=8, choices=AppliesTo.choices, default=AppliesTo.ALL)
    # Included taxes are already part of the price (VAT in Europe, GST on Indian ticket
    # prices) and only shown; excluded taxes are added on top (US sales tax).
    inclusive = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        kind = "included" if self.inclusive else "added"
        return f"{self.name} {self.basis_points / 100:g} % ({kind}, {self.applies_to})"


class PromoCode(models.Model):
    # What staff may set on a code (the service, the API and the dashboard); the
    # `SCOPE_FIELDS` among them are many-to-many and set after the code is saved.
    EDITABLE_FIELDS = (
        "code",
        "description",
        "kind",
        "value",
        "valid_from",
        "valid_until",
        "max_uses",
        "max_uses_per_customer",
        "titles",
        "shows",
        "is_active",
    )
    SCOPE_FIELDS = ("titles", "shows")

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percent off tickets"
        FIXED = "fixed", "Fixed amount off the order"

    code = models.CharField(max_length=32, help_text="Customers type it; case does not matter.")
    description = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Percent codes: basis points of the ticket subtotal (1500 = 15 %). Fixed codes: minor
    # units off the ticket subtotal, never more than it.
    value = models.PositiveIntegerField()
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    max_uses_per_customer = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: no limit."
    )
    # Empty means every title and every show.
    titles = models.ManyToManyField(Title, blank=True, related_name="promo_codes")
    shows = models.ManyToManyField(Show, blank=True, related_name="promo_codes")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="promo_code_unique_ci"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__gte=1, value__lte=BASIS_POINTS),
                name="promo_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gt=models.F("valid_from")),
                name="promo_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CancellationPolicy(Singleton):
    """How much a customer gets back for cancelling, by hours before the show.

    Tiers give a refund share for cancelling at least so many hours before the start;
    within `cutoff_hours` of the start customers cannot cancel at all.
    """

    customers_may_cancel = models.BooleanField(default=True)
    cutoff_hours = models.PositiveSmallIntegerField(
        default=4, help_text="No customer cancellations in the last hours before the show."
    )
    refund_booking_fee = models.BooleanField(
        default=False, help_text="Give booking fees back on customer cancellations too."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "cancellation policy"
        verbose_name_plural = "cancellation policy"

    def __str__(self) -> str:
        return "Cancellation policy"


class CancellationTier(models.Model):
    policy = models.ForeignKey(CancellationPolicy, on_delete=models.CASCADE, related_name="tiers")
    hours_before = models.PositiveSmallIntegerField(
        help_text="Applies when cancelling at least this many hours before the show."
    )
    refund_percent = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])

    class Meta:
        ordering = ["-hours_before"]
        constraints = [
            models.UniqueConstraint("policy", "hours_before", name="cancellation_tier_unique"),
            models.CheckConstraint(
                condition=Q(refund_percent__lte=100), name="cancellation_tier_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.refund_percent} % from {self.hours_before} h before"


def order_reference() -> str:
    """A short code people can read out at a box office (no 0/O or 1/I)."""
    import secrets

    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for payment"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"
        EXPIRED = "expired", "Expired"

    class Channel(models.TextChoices):
        ONLINE = "online", "Online"
        BOX_OFFICE = "box_office", "Box office"

    class Reason(models.TextChoices):
        """Why an order ended unpaid or was refunded. The refund reasons are the same
        words as `payments.Refund.Reason` (a refund's reason becomes its order's)."""

        NONE = "", "None"
        TIME_UP = "time_up", "Its time ran out"
        PAYMENT_FAILED = "payment_failed", "The payment failed"
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
    reference = models.CharField(max_length=12, unique=True, default=order_reference)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    email = models.EmailField(max_length=254, blank=True)
    name = models.CharField(max_length=150, blank=True)
    # A walk-in's phone number as the box office typed it (digits, spaces, + and -), for
    # finding the order again and for sending the tickets' link by SMS.
    phone = models.CharField(max_length=32, blank=True)
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.ONLINE)
    # The staff member who sold it at a box office.
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    show = models.ForeignKey(Show, on_delete=models.PROTECT, related_name="orders")
    hold = models.OneToOneField(Hold, on_delete=models.PROTECT, related_name="order")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # Why an order ended without being paid, or was refunded.
    reason = models.CharField(max_length=40, blank=True, choices=Reason.choices)
    currency = models.CharField(max_length=3)
    subtotal = models.PositiveIntegerField(help_text="Ticket prices before discount.")
    discount = models.PositiveIntegerField(default=0)
    fees = models.PositiveIntegerField(default=0)
    tax_added = models.PositiveIntegerField(default=0, help_text="Taxes added on top.")
    tax_included = models.PositiveIntegerField(default=0, help_text="Taxes inside the prices.")
    total = models.PositiveIntegerField()
    refunded_amount = models.PositiveIntegerField(default=0)
    promo_code = models.ForeignKey(
        PromoCode, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    client_address = models.GenericIPAddressField(null=True, blank=True)
    # Made while the chain was in test mode: voided when it goes live.
    test_mode = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "paid", "cancelled", "refunded", "expired"]),
                name="order_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    total=models.F("subtotal")
                    - models.F("discount")
                    + models.F("fees")
                    + models.F("tax_added")
                ),
                name="order_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=models.F("total")),
                name="order_refund_within_total",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="order_status_expiry"),
            models.Index(fields=["customer", "-created_at"], name="order_customer_recent"),
            models.Index(fields=["show", "status"], name="order_show_status"),
            # The sweep that voids test-mode orders once a chain is live runs every few
            # minutes: it reads only this small index, however many live orders exist.
            models.Index(
                fields=["status"], condition=Q(test_mode=True), name="order_test_mode_status"
            ),
            # The staff's list and the box office's lookup, newest first.
            models.Index(fields=["-created_at"], name="order_recent"),
            # The box office's lookup by part of a name, email, reference or phone number.
            _trigram(Upper("name"), "order_name_trgm"),
            _trigram(Upper("email"), "order_email_trgm"),
            _trigram("reference", "order_reference_trgm"),
            _trigram(phone_digits(), "order_phone_digits_trgm"),
        ]

    def __str__(self) -> str:
        return f"order {self.reference} ({self.status})"

    @property
    def current_status(self) -> str:
        """`expired` as soon as an unpaid order's time is up, before the sweeper records it."""
        if self.status == self.Status.PENDING and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.status


class OrderLine(models.Model):
    """One seat of an order with its exact share of the money."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for payment"
        SOLD = "sold", "Sold"
        RELEASED = "released", "Released unpaid"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    show_seat = models.ForeignKey(ShowSeat, on_delete=models.PROTECT, related_name="order_lines")
    seat_label = models.CharField(max_length=16)
    category = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    price = models.PositiveIntegerField(help_text="The seat category's price for the show.")
    discount = models.PositiveIntegerField(default=0)
    fee = models.PositiveIntegerField(default=0)
    tax_added = models.PositiveIntegerField(default=0)
    tax_included = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField()
    # The booking fee with the taxes added on it: what a cancellation policy that keeps
    # fees does not give back.
    fee_total = models.PositiveIntegerField(default=0)
    # Every tax on the ticket part and on the fee part, included and added alike: how
    # the line's money splits between sales, fees and tax in the ledger.
    ticket_tax = models.PositiveIntegerField(default=0)
    fee_tax = models.PositiveIntegerField(default=0)
    # What the platform charges the chain for this seat (set when it is sold).
    platform_fee = models.PositiveIntegerField(default=0)
    # What went back, in all and of each part (so later refunds split what is left).
    refunded_amount = models.PositiveIntegerField(default=0)
    refunded_ticket = models.PositiveIntegerField(default=0)
    refunded_fee = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            # The last word on overselling: one sold line per seat of a show.
            models.UniqueConstraint(
                "show_seat", condition=Q(status="sold"), name="order_line_seat_sold_once"
            ),
            models.CheckConstraint(
                condition=Q(
                    total=models.F("price")
                    - models.F("discount")
                    + models.F("fee")
                    + models.F("tax_added")
                ),
                name="order_line_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=models.F("total")),
                name="order_line_refund_within_total",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount=models.F("refunded_ticket") + models.F("refunded_fee"))
                & Q(refunded_fee__lte=models.F("fee_total")),
                name="order_line_refund_parts",
            ),
        ]
        # The box office's lookup by seat ("F7").
        indexes = [models.Index(fields=["seat_label"], name="orderline_seat_label")]

    def __str__(self) -> str:
        return f"{self.seat_label} ({self.status})"

    @property
    def refundable(self) -> int:
        return self.total - self.refunded_amount

    @property
    def ticket_total(self) -> int:
        return self.total - self.fee_total


class PromoRedemption(models.Model):
    """A use of a promo code by an order: reserved while it waits, kept once paid."""

    class Status(models.TextChoices):
        RESERVED = "reserved", "Reserved"
        REDEEMED = "redeemed", "Redeemed"
        RELEASED = "released", "Released"

    promo_code = models.ForeignKey(PromoCode, on_delete=models.PROTECT, related_name="redemptions")
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="redemption")
    customer_id = models.BigIntegerField(null=True, blank=True)
    amount = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RESERVED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["promo_code", "status"], name="redemption_code_status"),
            models.Index(fields=["promo_code", "customer_id"], name="redemption_code_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.promo_code_id} by {self.order_id} ({self.status})"


class OrderNotice(Delivery):
    """An email telling the customer what became of their order, recorded in the
    transaction that changed it: the sweep sends what the queue lost, and one whose
    attempts keep killing workers is given up (`tenants.deliveries`)."""

    class Kind(models.TextChoices):
        CANCELLED = "cancelled", "Booking cancelled"
        REFUND = "refund", "Refund made"
        PAYMENT_RETURNED = "payment_returned", "Payment returned"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [
            models.Index(
                fields=["requested_at"],
                condition=Q(emailed_at__isnull=True, given_up_at__isnull=True),
                name="order_notice_owed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.order_id}"
