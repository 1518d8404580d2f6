"""Issuing, revoking and re-issuing tickets, the chain's signing keys, and check-in.

`tickets_issue` runs inside the transaction that marks an order paid (payments calls
it), so a paid order always has its tickets and a rolled-back payment has none.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.utils import timezone

from tenants import deliveries
from tenants.crypto import seal, unseal
from tenants.error_codes import Conflict, DomainError
from tenants.locking import lock_objects
from tenants.queue import task_enqueue_on_commit
from tenants.schemas import current_schema_name
from venue_apps.audit.selectors import audit_entries
from venue_apps.audit.services import audit_log
from venue_apps.orders.models import Order, OrderLine
from venue_apps.payments.selectors import payments_live
from venue_apps.shows.models import Show
from venue_apps.tickets import signing, sms
from venue_apps.tickets.error_codes import CheckInCode, TicketErrorCode
from venue_apps.tickets.models import CheckIn, SigningKey, Ticket, TicketDelivery

logger = logging.getLogger(__name__)
# How long before a show its tickets start to be admitted.
DOORS_OPEN_BEFORE = timedelta(hours=3)


def signing_key_context() -> str:
    """The sealing context of the chain's signing key (also used by re-sealing)."""
    return f"{current_schema_name()}:tickets.signing_key"


def signing_key_create() -> SigningKey:
    """A new Ed25519 key pair for this chain; it signs every ticket issued from now."""
    if current_schema_name() in (settings.PUBLIC_SCHEMA_NAME, settings.TENANT_BASE_SCHEMA):
        # A key made in the template would be cloned into every new chain.
        raise DomainError(TicketErrorCode.NO_SIGNING_KEY, "Keys belong to a chain's schema.")
    pair = signing.key_pair_new()
    SigningKey.objects.filter(is_active=True).update(is_active=False, retired_at=timezone.now())
    return SigningKey.objects.create(
        kid=pair.kid,
        public_key=pair.public_key,
        private_key_sealed=seal(pair.private_key, context=signing_key_context()),
    )


def signing_key_compromised(key: SigningKey, *, actor: Any = None) -> int:
    """A key that may have leaked: nothing it signed is admitted any more, a new key
    signs from now on, and every valid ticket it signed for a show not yet over is
    re-issued and emailed again. Returns how many tickets were re-issued.

    Audited as `signing_key.revoked` with the key's revocation, then one
    `ticket.reissued` per ticket, each in its own transaction."""
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().get(pk=key.pk)
        was_compromised = key.compromised_at is not None
        key.compromised_at = key.compromised_at or timezone.now()
        key.is_active = False
        key.retired_at = key.retired_at or timezone.now()
        key.save()
        if not SigningKey.objects.filter(is_active=True).exists():
            signing_key_create()
        if not was_compromised:
            audit_log(actor, "signing_key.revoked", key, kid=key.kid)
    affected = list(
        Ticket.objects.filter(
            key=key,
            status=Ticket.Status.VALID,
            show__ends_at__gt=timezone.now(),
            checked_in_at__isnull=True,
        ).order_by("order_id", "pk")
    )
    orders = set()
    for ticket in affected:
        ticket_reissue(ticket, actor=actor)
        orders.add(ticket.order_id)
    for order in Order.objects.filter(pk__in=orders):
        with transaction.atomic():
            tickets_email_on_commit(order)
    return len(affected)


def signing_key_ensure(*, fresh: bool = False) -> SigningKey:
    """The chain's signing key, made at onboarding (`fresh`: discard whatever the
    schema came with, and make a new one)."""
    if fresh:
        SigningKey.objects.all().delete()
    key = SigningKey.objects.filter(is_active=True).order_by("-created_at").first()
    return key or signing_key_create()


def onboarding_signing_key() -> None:
    """Onboarding step (TENANT_ONBOARDING_STEPS): every chain gets its own key pair."""
    signing_key_ensure(fresh=True)


def _claims(ticket: Ticket, show: Show, key: SigningKey) -> signing.TicketClaims:
    return signing.TicketClaims(
        tenant=current_schema_name(),
        kid=key.kid,
        ticket=ticket.pk.hex,
        show=show.pk,
        day=show.local_date.isoformat(),
        seat=ticket.seat_label,
        serial=ticket.serial,
    )


def _signed(ticket: Ticket, show: Show, key: SigningKey) -> str:
    return signing.code_sign(
        _claims(ticket, show, key), unseal(key.private_key_sealed, context=signing_key_context())
    )


def tickets_issue(order: Order) -> list[Ticket]:
    """One signed ticket per sold seat of a paid order that has none yet. Runs in the
    caller's transaction (the one that marks the order paid)."""
    key = signing_key_ensure()
    show = Show.objects.get(pk=order.show_id)
    have = set(
        Ticket.objects.filter(order=order, status=Ticket.Status.VALID).values_list(
            "order_line_id", flat=True
        )
    )
    tickets = []
    for line in order.lines.filter(status=OrderLine.Status.SOLD).order_by("pk"):
        if line.pk in have:
            continue
        ticket = Ticket(
            order=order,
            order_line=line,
            show=show,
            show_seat_id=line.show_seat_id,
            seat_label=line.seat_label,
            category=line.category,
            key=key,
        )
        ticket.code = _signed(ticket, show, key)
        tickets.append(ticket)
    Ticket.objects.bulk_create(tickets)
    return tickets


def tickets_email_on_commit(order: Order, *, to: str = "") -> None:
    """Send the tickets (PDF attached) once the transaction that issued them commits,
    to the order's email (or to `to`, an address staff gave at the box office).

    The email is recorded as owed in this transaction (`TicketDelivery`), so the sweep
    sends it if the queue loses it. A new request starts afresh: the tickets changed,
    so an earlier email does not count and the attempts start again."""
    from venue_apps.tickets.tasks import order_tickets_email_send

    if to or order.email:
        TicketDelivery.objects.update_or_create(
            order=order, defaults={**deliveries.FRESH, "requested_at": timezone.now()}
        )
        extra = {"to": to} if to and to != order.email else {}
        task_enqueue_on_commit(order_tickets_email_send, str(order.pk), **extra)


# Sends of one order's tickets (by email or SMS) allowed per window: a slip of the
# keyboard is forgiven, a loop that texts a stranger all night is not.
SEND_LIMIT = 5
SEND_WINDOW = timedelta(hours=1)
SENT_ACTION = "order.tickets_sent"


class Channel(models.TextChoices):
    EMAIL = "email", "Email (the PDF tickets attached)"
    SMS = "sms", "SMS (a link to the tickets)"


@dataclass(frozen=True)
class TicketsSent:
    order: Order
    channel: Channel
    to: str  # masked: `a***@example.com`, `********2345`
    added_to_order: bool


def email_masked(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _destination(order: Order, channel: Channel, to: str) -> str:
    """Where to send: `to`, or the order's own address or number; checked."""
    to = (to or "").strip()
    known = order.email if channel == Channel.EMAIL else order.phone
    destination = to or known
    kind = "email address" if channel == Channel.EMAIL else "phone number"
    if not destination:
        raise DomainError(
            TicketErrorCode.DESTINATION_MISSING,
            f"The order has no {kind}: give one in `to`.",
        )
    if channel == Channel.EMAIL:
        try:
            validate_email(destination)
        except ValidationError as error:
            raise DomainError(
                TicketErrorCode.DESTINATION_INVALID, f"{destination!r} is not an email address."
            ) from error
        if len(destination) > 254:
            raise DomainError(TicketErrorCode.DESTINATION_INVALID, "That email is too long.")
    elif not sms.phone_valid(destination):
        raise DomainError(
            TicketErrorCode.DESTINATION_INVALID,
            "That is not a phone number: 7 to 15 digits, with spaces, dashes, brackets "
            "or a leading + if you like.",
        )
    return destination


@transaction.atomic
def order_tickets_send(order: Order, *, channel: str, to: str = "", actor: Any) -> TicketsSent:
    """Send an order's valid tickets again: by email (the PDF attached, the tickets
    email's own task) or by SMS (a short text with a signed link to them,
    `tickets.links`), to `to` or to the order's own address or number. An order without
    an address or number gets the one given. At most `SEND_LIMIT` sends of an order in
    `SEND_WINDOW` (429 `send_limit`); bad or missing destinations are 400s, an order
    without valid tickets a 409. Audited as `order.tickets_sent` with the channel and
    the destination masked (never the full number). Locks the order (`tenants.locking`)
    so that concurrent sends are counted one at a time."""
    channel = Channel(channel)
    [locked] = lock_objects(Order.objects.filter(pk=order.pk))
    if not locked:
        raise Order.DoesNotExist(f"No order {order.pk}.")
    order = locked[0]
    if not Ticket.objects.filter(order=order, status=Ticket.Status.VALID).exists():
        raise Conflict(TicketErrorCode.NO_TICKETS, "This order has no valid tickets to send.")
    now = timezone.now()
    recent = list(
        audit_entries(kind=SENT_ACTION, target=order, since=now - SEND_WINDOW).values_list(
            "created_at", flat=True
        )[:SEND_LIMIT]
    )
    if len(recent) >= SEND_LIMIT:
        wait = int((min(recent) + SEND_WINDOW - now).total_seconds()) + 1
        raise DomainError(
            TicketErrorCode.SEND_LIMIT,
            f"This order's tickets were sent {SEND_LIMIT} times in the last hour; "
            f"try again in {max(wait // 60, 1)} minutes.",
            status_code=429,
            extra={"retry_after": wait},
        )
    destination = _destination(order, channel, to)
    field = "email" if channel == Channel.EMAIL else "phone"
    added = not getattr(order, field)
    if added:
        setattr(order, field, destination)
        order.save(update_fields=[field])
    if channel == Channel.EMAIL:
        tickets_email_on_commit(order, to=destination)
        masked = email_masked(destination)
    else:
        from venue_apps.tickets.tasks import order_tickets_sms_send

        task_enqueue_on_commit(order_tickets_sms_send, str(order.pk), destination)
        masked = sms.phone_masked(destination)
    # The masked destination only: the audit log is read by people who need not know
    # a walk-in's number (it is on the order for those who do).
    audit_log(actor, SENT_ACTION, order, channel=str(channel), to=masked, added_to_order=added)
    return TicketsSent(order=order, channel=channel, to=masked, added_to_order=added)


def tickets_revoke(
    order: Order, *, line_ids: Iterable[int] | None = None, reason: str
) -> list[Ticket]:
    """Revoke the valid tickets of an order (or of some of its lines): their codes are
    refused at the door from now on."""
    tickets = Ticket.objects.filter(order=order, status=Ticket.Status.VALID)
    if line_ids is not None:
        tickets = tickets.filter(order_line_id__in=list(line_ids))
    [revoked] = lock_objects(tickets)
    now = timezone.now()
    for ticket in revoked:
        ticket.status = Ticket.Status.REVOKED
        ticket.revoked_at = now
        ticket.revoke_reason = reason[:40]
    Ticket.objects.bulk_update(revoked, ["status", "revoked_at", "revoke_reason"])
    return revoked


@transaction.atomic
def ticket_reissue(ticket: Ticket, *, actor: Any = None) -> Ticket:
    """A new code for a ticket (lost, or perhaps copied); the old code is revoked.
    Audited as `ticket.reissued`, the old ticket the target.
    Locks the order, its line and the ticket (`tenants.locking`), as refunds do."""
    _, _, tickets = lock_objects(
        Order.objects.filter(pk=ticket.order_id),
        OrderLine.objects.filter(pk=ticket.order_line_id),
        Ticket.objects.filter(pk=ticket.pk),
    )
    if not tickets:
        raise Ticket.DoesNotExist(f"No ticket {ticket.pk}.")
    ticket = tickets[0]
    if ticket.status != Ticket.Status.VALID:
        raise Conflict(TicketErrorCode.TICKET_NOT_VALID, "Only a valid ticket is re-issued.")
    if ticket.checked_in_at is not None:
        raise Conflict(TicketErrorCode.TICKET_NOT_VALID, "This ticket was already used.")
    ticket.status = Ticket.Status.REVOKED
    ticket.revoked_at = timezone.now()
    ticket.revoke_reason = "reissued"
    ticket.save(update_fields=["status", "revoked_at", "revoke_reason"])
    key = signing_key_ensure()
    show = Show.objects.get(pk=ticket.show_id)
    fresh = Ticket(
        order_id=ticket.order_id,
        order_line_id=ticket.order_line_id,
        show=show,
        show_seat_id=ticket.show_seat_id,
        seat_label=ticket.seat_label,
        category=ticket.category,
        serial=ticket.serial + 1,
        key=key,
    )
    fresh.code = _signed(fresh, show, key)
    fresh.save()
    # The old ticket is the target (the order's history reads its tickets' rows too).
    audit_log(
        actor,
        "ticket.reissued",
        ticket,
        order=ticket.order_id,
        seat=ticket.seat_label,
        serial=fresh.serial,
        ticket=fresh.pk,
    )
    return fresh


# --- at the door ---------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    admitted: bool
    code: str
    detail: str
    status: int  # the HTTP status the API answers with
    ticket: Ticket | None = None


def _refused(code: CheckInCode, detail: str, status: int, ticket: Ticket | None = None) -> Verdict:
    return Verdict(False, code, detail, status, ticket)


def _judge(code: str, *, scanner: Any, venue_id: int | None, gate: str, now: datetime) -> Verdict:
    try:
        claims, signed_text, signature = signing.code_read(code)
    except signing.CodeMalformed as error:
        return _refused(CheckInCode.MALFORMED, str(error), 400)
    if claims.tenant != current_schema_name():
        return _refused(CheckInCode.OTHER_TENANT, "This ticket is for another chain.", 403)
    key = SigningKey.objects.filter(kid=claims.kid, compromised_at__isnull=True).first()
    if key is None:
        return _refused(CheckInCode.UNKNOWN_KEY, "Not signed by this chain: a forgery.", 400)
    try:
        signing.code_verify(signed_text, signature, key.public_key)
    except signing.CodeForged:
        return _refused(CheckInCode.FORGED, "The signature does not match: forged or altered.", 400)
    ticket = (
        Ticket.objects.select_related("show__venue", "show__title", "order")
        .filter(pk=_uuid(claims.ticket))
        .first()
    )
    if ticket is None:
        return _refused(CheckInCode.UNKNOWN_TICKET, "No such ticket.", 400)
    if claims.serial != ticket.serial or ticket.status != Ticket.Status.VALID:
        why = (
            "replaced by a newer code"
            if ticket.revoke_reason == "reissued"
            else (ticket.revoke_reason.replace("_", " ") or "revoked")
        )
        return _refused(
            CheckInCode.REVOKED, f"This ticket is no longer valid ({why}).", 403, ticket
        )
    show = ticket.show
    if show.status == Show.Status.CANCELLED or ticket.order.status != Order.Status.PAID:
        return _refused(
            CheckInCode.REVOKED,
            "This ticket is no longer valid (the show was cancelled or the order refunded).",
            403,
            ticket,
        )
    if ticket.order.test_mode and payments_live():
        # Paid with test money (or free in test mode): no admission once the chain
        # takes real money, whether or not the sweep has voided its order yet.
        return _refused(
            CheckInCode.TEST_TICKET,
            "This is a test-mode ticket; it admits nobody now that the chain is live.",
            403,
            ticket,
        )
    if venue_id is not None and show.venue_id != venue_id:
        return _refused(
            CheckInCode.WRONG_VENUE, f"This ticket is for {show.venue.name}.", 403, ticket
        )
    # Doors open a while before the show and stay open for latecomers until it ends,
    # whatever the calendar says (a show at 00:15 is admitted from 21:15 the day before).
    zone = show.venue.zone
    opens, closes = show.starts_at - DOORS_OPEN_BEFORE, show.ends_at
    if not opens <= now <= closes:
        local_start = show.starts_at.astimezone(zone)
        if now.astimezone(zone).date() != local_start.date():
            return _refused(
                CheckInCode.WRONG_DAY,
                f"This ticket is for {local_start:%A} {local_start.day} "
                f"{local_start:%B %Y} at {local_start:%H:%M}, not today.",
                403,
                ticket,
            )
        detail = (
            f"Too early: doors open at {opens.astimezone(zone):%H:%M}."
            if now < opens
            else f"This show ended at {closes.astimezone(zone):%H:%M}."
        )
        return _refused(CheckInCode.WRONG_TIME, detail, 403, ticket)
    # Admit once: only the scan that finds it not yet checked in changes the row.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tickets_ticket SET checked_in_at = %s, checked_in_by_id = %s, "
            "checked_in_gate = %s WHERE id = %s AND status = 'valid' "
            "AND checked_in_at IS NULL RETURNING id",
            [now, getattr(scanner, "pk", None), gate[:40], ticket.pk],
        )
        won = cursor.fetchone() is not None
    ticket.refresh_from_db()
    if not won:
        if ticket.checked_in_at is not None:
            when = ticket.checked_in_at.astimezone(show.venue.zone)
            gate_text = f" at {ticket.checked_in_gate}" if ticket.checked_in_gate else ""
            return _refused(
                CheckInCode.ALREADY_USED,
                f"Seat {ticket.seat_label} was already let in at {when:%H:%M:%S}{gate_text}.",
                409,
                ticket,
            )
        return _refused(CheckInCode.REVOKED, "This ticket is no longer valid.", 403, ticket)
    return Verdict(
        True, CheckInCode.ADMITTED, f"{show.title.name}, seat {ticket.seat_label}", 200, ticket
    )


def _uuid(text: str):
    import uuid

    try:
        return uuid.UUID(hex=text)
    except ValueError:
        return None


@transaction.atomic
def ticket_check_in(
    code: str,
    *,
    scanner: Any,
    venue_id: int | None = None,
    gate: str = "",
    now: datetime | None = None,
) -> Verdict:
    """Admit the ticket a QR code carries, once, or say why not. Every scan is logged.

    Two doors scanning the same ticket at the same moment: both updates target the
    row, PostgreSQL runs them one after the other, and only the first finds it not yet
    checked in.
    """
    now = now or timezone.now()
    verdict = _judge(code, scanner=scanner, venue_id=venue_id, gate=gate, now=now)
    CheckIn.objects.create(
        ticket=verdict.ticket,
        verdict=verdict.code,
        admitted=verdict.admitted,
        detail=verdict.detail[:255],
        scanner_id=getattr(scanner, "pk", None),
        venue_id=venue_id,
        gate=gate[:40],
        code_digest=signing.code_digest(code),
    )
    return verdict
