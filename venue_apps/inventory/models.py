"""The seats of each show: what is for sale, copied from the seat map at on-sale time.

A show's inventory is its own copy of the auditorium's seats (label, row, category,
position, pairing), so editing the seat map later never changes a show already on
sale. The seat-inventory work (holds, sales) builds on `ShowSeat.state` and the
per-show `ShowInventory.version`.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from venue_apps.shows.models import Show
from venue_apps.venues.models import Seat


class SeatState(models.TextChoices):
    AVAILABLE = "available", "Available"
    HELD = "held", "Held"
    SOLD = "sold", "Sold"
    BLOCKED = "blocked", "Blocked"


class ShowInventory(models.Model):
    """One row per show on sale; `version` increases with every change of its seats."""

    show = models.OneToOneField(
        Show, on_delete=models.CASCADE, primary_key=True, related_name="inventory"
    )
    version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"inventory of show {self.show_id} v{self.version}"


class Hold(models.Model):
    """Seats of one show kept for one customer or anonymous cart until `expires_at`.

    Which seats a hold has is recorded on the seats themselves (`ShowSeat.hold`), so a
    seat can belong to at most one hold by construction.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RELEASED = "released", "Released"
        EXPIRED = "expired", "Expired"
        CONVERTED = "converted", "Converted to an order"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="holds")
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    cart_id = models.CharField(max_length=64, blank=True, db_index=True)
    # Where an anonymous cart's request came from: carts are free to mint, so the
    # number of anonymous holds per address is limited too (generously: a cinema's
    # Wi-Fi or a mobile carrier puts many customers behind one address).
    client_address = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    seat_ids = ArrayField(models.BigIntegerField(), default=list)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    # A hold just made carries its seats as taken (sorted as the seat map lists them),
    # so its answer needs no second read; None on a hold read from the database.
    held_seats: list[ShowSeat] | None = None

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user_id__isnull=False) | ~Q(cart_id=""), name="hold_has_owner"
            )
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="hold_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"hold {self.id} ({self.status})"

    @property
    def current_status(self) -> str:
        """`expired` as soon as the deadline passes, before the sweeper records it."""
        if self.status == self.Status.ACTIVE and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.status


class ShowSeat(models.Model):
    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="seats")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="show_seats")
    section = models.CharField(max_length=60)
    row = models.CharField(max_length=8)
    number = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=16)
    category = models.CharField(max_length=32)
    x = models.IntegerField()
    y = models.IntegerField()
    width = models.PositiveSmallIntegerField(default=1)
    is_wheelchair = models.BooleanField(default=False)
    companion = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="companion_of"
    )
    state = models.CharField(max_length=16, choices=SeatState.choices, default=SeatState.AVAILABLE)
    # The one hold a held seat belongs to, and when that hold lapses. A held seat whose
    # time has passed is free to others at once, before any sweeper runs.
    hold = models.ForeignKey(
        Hold, on_delete=models.SET_NULL, null=True, blank=True, related_name="seats"
    )
    held_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["show_id", "y", "x"]
        constraints = [
            models.UniqueConstraint("show", "seat", name="show_seat_unique"),
            models.CheckConstraint(
                condition=Q(state__in=[state.value for state in SeatState]),
                name="show_seat_state_valid",
            ),
            # A held seat names its hold and deadline; any other seat names neither.
            models.CheckConstraint(
                condition=(
                    Q(state="held", hold__isnull=False, held_until__isnull=False)
                    | (~Q(state="held") & Q(held_until__isnull=True))
                ),
                name="show_seat_hold_consistent",
            ),
        ]
        indexes = [models.Index(fields=["show", "state"], name="show_seat_state")]

    def __str__(self) -> str:
        return f"{self.label} ({self.state})"
