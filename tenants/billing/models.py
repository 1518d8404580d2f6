"""The platform's own business (public schema): plans, each chain's subscription,
monthly invoices with their lines and charge attempts, and self sign-ups.

Nothing here holds a chain's customers' data: an invoice is built from totals of the
chain's ledger (tickets, gross, refunds), never from its orders or customers.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from tenants.models import Tenant
from tenants.validators import validate_currency, validate_timezone


class Plan(models.Model):
    """What a chain pays the platform: a monthly fee and a fee per ticket (both per
    currency, in `PlanPrice`) plus a share of net sales in basis points, with an
    optional free trial of the monthly fee."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=255, blank=True)
    # 100 basis points = 1% of the month's net live sales (gross less refunds).
    basis_points = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(2_000)])
    trial_days = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(365)])
    # Offered on the public sign-up page (staff can still put a chain on any plan).
    public = models.BooleanField(default=True)
    # A retired plan keeps its chains and invoices but takes no new ones.
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlanPrice(models.Model):
    """A plan's fees in one currency, in that currency's minor units."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(max_length=3, validators=[validate_currency])
    monthly_fee = models.PositiveBigIntegerField(default=0)
    per_ticket = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "currency"], name="plan_price_one_per_currency")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.currency}"


class Subscription(models.Model):
    """Which plan a chain is on. A change of plan waits in `next_plan` and takes
    effect from the first day of the next month (the monthly close applies it)."""

    tenant = models.OneToOneField(Tenant, on_delete=models.PROTECT, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    next_plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Days are the chain's own (its time zone): the first day it is billed for (a chain
    # that starts mid-month pays for the days from here) and the last day of its trial.
    starts_on = models.DateField()
    trial_ends_on = models.DateField(null=True, blank=True)
    # The owner's saved card at the platform's payment account (Stripe customer and
    # payment method ids; the sandbox's own ids in the demo). Never card numbers.
    gateway_customer = models.CharField(max_length=64, blank=True)
    gateway_payment_method = models.CharField(max_length=64, blank=True)
    card_label = models.CharField(max_length=40, blank=True)  # "Visa •••• 4242"
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.tenant} on {self.plan}"


class InvoiceSequence(models.Model):
    """The last invoice number used in a year. Numbers are taken under this row's lock
    in the transaction that issues the invoice, so a rollback gives its number back
    and the numbers of a year have no gaps."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Invoice(models.Model):
    """One chain's bill for one month. Its number, month, currency, lines and total are
    frozen once issued (the database refuses changes to them and to its lines); only
    its status and the dunning fields move."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PAID = "paid", "Paid"
        FAILED = "failed", "Payment failed"
        VOID = "void", "Void"

    number = models.CharField(max_length=20, unique=True)  # "2027-000001"
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="invoices")
    month = models.DateField()  # the first day of the month billed
    currency = models.CharField(max_length=3)
    total = models.BigIntegerField()
    # What the lines were built from, for the PDF and for checking: the plan, the
    # ledger's totals and the days billed (frozen with the rest).
    plan_code = models.CharField(max_length=40)
    plan_name = models.CharField(max_length=80)
    usage = models.JSONField(default=dict)
    issued_at = models.DateTimeField()
    due_on = models.DateField()

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # Dunning: when the first charge failed, how many charges were tried, and when the
    # next one is due (days 1, 3 and 7 after the first failure).
    first_failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # The gateway's charge id, or what staff typed when they marked it paid.
    payment_reference = models.CharField(max_length=120, blank=True)
    voided_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-month", "number"]
        constraints = [
            # Running the close twice for a month issues nothing new.
            models.UniqueConstraint(fields=["tenant", "month"], name="invoice_one_per_month"),
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "paid", "failed", "void"]),
                name="invoice_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="invoice_dunning")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_unpaid(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.FAILED)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=255)
    quantity = models.BigIntegerField()
    unit_amount = models.BigIntegerField()  # minor units
    amount = models.BigIntegerField()  # minor units

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position")
        ]

    def __str__(self) -> str:
        return self.description


class ChargeAttempt(models.Model):
    """One try to charge an invoice at the platform's payment account."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="charges")
    number = models.PositiveSmallIntegerField()  # 1 for the first try
    provider = models.CharField(max_length=16)  # "stripe" or "sandbox"
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    gateway_reference = models.CharField(max_length=120, blank=True)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    # Who asked: empty for the dunning schedule, else the owner's or staff's email.
    requested_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invoice", "number"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "number"], name="charge_attempt_number")
        ]

    def __str__(self) -> str:
        return f"{self.invoice} #{self.number} {self.outcome}"


class SignUp(models.Model):
    """A chain that asked to join on the public sign-up page. Nothing is created until
    the owner follows the link in the verification email; then the chain is onboarded
    (in test mode, on the plan's trial) and `tenant` points to it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the email to be verified"
        VERIFIED = "verified", "Verified; chain created"
        EXPIRED = "expired", "Expired"

    class Approval(models.TextChoices):
        NOT_REQUIRED = "not_required", "Not required"
        WAITING = "waiting", "Waiting for platform staff"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    name = models.CharField(max_length=120)
    slug = models.CharField(max_length=40)
    owner_email = models.EmailField()
    # The owner's password, hashed as Django hashes passwords: never kept in clear.
    password_hash = models.CharField(max_length=255)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    # A digest of the emailed token (the token itself is only in the email).
    token_digest = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Whether platform staff must approve before the chain may go live.
    approval = models.CharField(
        max_length=12, choices=Approval.choices, default=Approval.NOT_REQUIRED
    )
    approval_note = models.CharField(max_length=255, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    tenant = models.OneToOneField(
        Tenant, on_delete=models.PROTECT, null=True, blank=True, related_name="signup"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(status="pending"),
                name="signup_one_pending_per_slug",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"


class MonthUsage(models.Model):
    """A copy of one chain's month from its ledger (live money only), kept in the public
    schema so the console's figures read one table instead of every chain's schema.
    Refreshed every few minutes and by the monthly close; the invoice itself always
    reads the ledger."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="usage_months")
    month = models.DateField()  # the first day of the month, in the chain's time zone
    currency = models.CharField(max_length=3)
    tickets = models.BigIntegerField(default=0)  # sold less refunded in full
    gross = models.BigIntegerField(default=0)  # minor units
    refunded = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "month"], name="month_usage_one_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.tenant} {self.month:%Y-%m}"

    @property
    def net(self) -> int:
        return self.gross - self.refunded


class PlatformSettings(models.Model):
    """The platform's own switches, one row (pk 1), edited in the console."""

    # Sign-ups wait for platform staff before they may take live payments.
    signup_requires_approval = models.BooleanField(default=False)
    signups_open = models.BooleanField(default=True)
    # Days from an invoice's first failed charge to the chain's suspension.
    grace_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    # The plan the sign-up page selects first.
    default_plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "platform settings"
        verbose_name_plural = "platform settings"

    def __str__(self) -> str:
        return "Platform settings"
