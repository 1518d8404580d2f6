"""Tickets: one per sold seat, each with a QR code signed by the chain's Ed25519 key.

The code carries what a door needs (chain, ticket, show, day, seat, issue number) and
the chain's signature over it, so a scanner with only the chain's public key can tell
a genuine code from a forged or altered one, offline. A cancelled, refunded or
re-issued ticket is revoked: its old code is refused at the door and listed for
offline scanners. Admission happens once: the database admits a ticket only while it
has not been checked in.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from tenants.deliveries import Delivery
from venue_apps.inventory.models import ShowSeat
from venue_apps.orders.models import Order, OrderLine
from venue_apps.shows.models import Show


class SigningKey(models.Model):
    """A chain's Ed25519 key pair. The newest active key signs; older keys still verify
    the codes they signed until those shows are over."""

    kid = models.CharField(max_length=16, unique=True)
    public_key = models.CharField(max_length=64, help_text="Raw 32 bytes, base64url.")
    private_key_sealed = models.TextField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    # A key whose private half may have leaked: nothing it signed is admitted any more,
    # and offline scanners stop trusting it (the valid tickets it signed are re-issued).
    compromised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Ed25519 key {self.kid}"


class Ticket(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        REVOKED = "revoked", "Revoked"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="tickets")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="tickets")
    show = models.ForeignKey(Show, on_delete=models.PROTECT, related_name="tickets")
    show_seat = models.ForeignKey(ShowSeat, on_delete=models.PROTECT, related_name="tickets")
    seat_label = models.CharField(max_length=16)
    category = models.CharField(max_length=32)
    # Re-issuing a ticket gives it a new code with the next number; older codes are void.
    serial = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.VALID)
    code = models.TextField(help_text="The signed QR payload.")
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="tickets")
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=40, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by_id = models.BigIntegerField(null=True, blank=True)
    checked_in_gate = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["order_id", "seat_label", "-serial"]
        constraints = [
            # One admissible ticket per sold seat of an order.
            models.UniqueConstraint(
                "order_line", condition=Q(status="valid"), name="ticket_one_valid_per_line"
            ),
            models.UniqueConstraint("order_line", "serial", name="ticket_serial_per_line"),
            models.CheckConstraint(
                condition=Q(status__in=["valid", "revoked"]), name="ticket_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["show", "status"], name="ticket_show_status"),
            models.Index(fields=["status", "revoked_at"], name="ticket_revoked"),
        ]

    def __str__(self) -> str:
        return f"ticket {self.seat_label} #{self.serial} ({self.status})"


class CheckIn(models.Model):
    """Every scan at a door, admitted or refused, with the reason (for disputes and for
    spotting a copied code being tried twice)."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="scans"
    )
    verdict = models.CharField(max_length=16)
    admitted = models.BooleanField(default=False)
    detail = models.CharField(max_length=255, blank=True)
    scanner_id = models.BigIntegerField(null=True, blank=True)
    venue_id = models.BigIntegerField(null=True, blank=True)
    gate = models.CharField(max_length=40, blank=True)
    code_digest = models.CharField(max_length=64, help_text="SHA-256 of what was scanned.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%H:%M:%S} {self.verdict}"


class EmailTemplate(models.Model):
    """The chain's own wording of an email: plain text with named placeholders
    (`{{ title }}`) and nothing else (`tenants.placeholders`), checked when saved."""

    class Kind(models.TextChoices):
        TICKETS = "tickets", "Tickets (order confirmation with the PDF)"

    kind = models.CharField(max_length=16, choices=Kind.choices, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.get_kind_display()


class TicketDelivery(Delivery):
    """Whether an order's tickets reached the customer's inbox: asked for in the
    transaction that issued them (again when they are re-issued), each attempt counted
    (the sweep resends what did not go, say after a broker outage; an email whose
    attempts kill workers is given up)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="ticket_delivery")

    def __str__(self) -> str:
        return f"tickets of {self.order_id}: {'sent' if self.emailed_at else 'not sent'}"


class TextMessage(models.Model):
    """The SMS outbox: text messages as the default backend (`tickets.sms.OutboxBackend`)
    records them, for the dashboard, and for a gateway to deliver from."""

    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="text_messages"
    )
    to = models.CharField(max_length=32)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "text message (SMS)"
        verbose_name_plural = "text messages (SMS outbox)"

    def __str__(self) -> str:
        return f"SMS of {self.created_at:%Y-%m-%d %H:%M}"
