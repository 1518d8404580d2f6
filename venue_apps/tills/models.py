"""Tills and shifts: where the box office's money is counted.

A till is a cash drawer (with the card terminal beside it) at one of the chain's
venues. A cashier opens a shift at a till with a float (the change put in the drawer),
sells and refunds during it, and closes it with the cash counted. Every counter
payment and refund carries its shift (`payments.Payment.shift_id`,
`payments.Refund.shift_id`, `payments.LedgerEntry.shift_id`), so a shift's report is
a sum over the ledger. Money is minor units.

One open shift per till and one per person, held by the database (partial unique
indexes), so two cashiers opening one till at the same moment get one shift.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from venue_apps.venues.models import Venue


class Till(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="tills")
    name = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["venue__name", "name", "pk"]
        constraints = [
            models.UniqueConstraint("venue", "name", name="till_name_per_venue"),
        ]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    till = models.ForeignKey(Till, on_delete=models.PROTECT, related_name="shifts")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    # The change put into the drawer when the shift opened (minor units).
    float = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The cash counted in the drawer at the close (minor units), and what the ledger
    # said should be there then (kept, so that the closed report never moves).
    counted = models.PositiveIntegerField(null=True, blank=True)
    expected_cash = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "till", condition=Q(status="open"), name="shift_one_open_per_till"
            ),
            models.UniqueConstraint(
                "opened_by", condition=Q(status="open"), name="shift_one_open_per_person"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True, counted__isnull=True)
                | Q(status="closed", closed_at__isnull=False, counted__isnull=False),
                name="shift_closed_with_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.till} shift {self.pk} ({self.status})"

    @property
    def variance(self) -> int | None:
        if self.counted is None or self.expected_cash is None:
            return None
        return self.counted - self.expected_cash
