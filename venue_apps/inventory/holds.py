"""Seat holds: all or nothing, never two owners for one seat, exact expiry.

Locking scheme, chosen for a flash sale: the requested seat rows are locked in id
order with `FOR UPDATE SKIP LOCKED`. A seat another transaction is holding right now
is simply not returned, and counts as unavailable: nobody waits for anybody, so
overlapping holds can neither queue up nor deadlock, and the loser gets its 409 at
once. A held seat whose `held_until` has passed counts as available to every reader
and writer, so expiry is exact without waiting for the sweeper. Each seat row names
at most one hold (a check constraint ties `state`, `hold` and `held_until` together),
so the database itself keeps one owner per seat, whatever the code does.

Each change bumps the show's inventory version in the same transaction and, after
commit, publishes a delta `{version, seats: [{id, state}]}` to the show's channel
group and drops its cached seat map.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from tenants.addresses import same_subscriber
from tenants.cache import cache_namespace_bump
from tenants.channels import group_send_on_commit, tenant_group_name
from tenants.error_codes import Conflict, DomainError, NotFound
from tenants.schemas import current_schema_name
from venue_apps.inventory.availability import seat_available
from venue_apps.inventory.best_available import Candidate, best_available
from venue_apps.inventory.error_codes import InventoryErrorCode
from venue_apps.inventory.models import Hold, SeatState, ShowSeat
from venue_apps.shows.models import Show, show_seats_cache_namespace

BEST_AVAILABLE_ATTEMPTS = 3


@dataclass(frozen=True)
class HoldOwner:
    """A signed-in customer (`user_id`) or an anonymous cart (`cart_id`, from `address`)."""

    user_id: int | None = None
    cart_id: str = ""
    address: str | None = None

    @property
    def key(self) -> str:
        return f"user:{self.user_id}" if self.user_id is not None else f"cart:{self.cart_id}"

    def owns(self, hold: Hold) -> bool:
        if self.user_id is not None:
            return hold.user_id == self.user_id
        return bool(self.cart_id) and hold.user_id is None and hold.cart_id == self.cart_id


@dataclass(frozen=True)
class HoldPolicy:
    ttl: timedelta
    max_seats: int
    max_active_holds: int
    # Anonymous carts cost nothing to mint; this bounds them per address.
    max_anonymous_holds_per_address: int = 20


def seat_group(show_id: int) -> str:
    return tenant_group_name(current_schema_name(), "show", show_id, "seats")


def seats_changed(show_id: int, seats: Sequence[tuple[int, str]]) -> int:
    """Bump the show's version and announce the change after commit; return the version."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_showinventory SET version = version + 1 "
            "WHERE show_id = %s RETURNING version",
            [show_id],
        )
        row = cursor.fetchone()
    if row is None:  # no inventory: nothing on sale to announce
        return 0
    version = int(row[0])
    cache_namespace_bump(show_seats_cache_namespace(show_id))
    group_send_on_commit(
        seat_group(show_id),
        {
            "type": "seats.delta",
            "version": version,
            "seats": [{"id": seat_id, "state": state} for seat_id, state in seats],
        },
    )
    return version


def _show_for_sale(show_id: int) -> Show:
    show = (
        Show.objects.filter(pk=show_id)
        .only("id", "status", "sales_open_at", "sales_close_at")
        .first()
    )
    if show is None:
        raise NotFound(InventoryErrorCode.SHOW_NOT_FOUND, f"No show {show_id}.")
    now = timezone.now()
    if show.status != Show.Status.ON_SALE:
        raise Conflict(InventoryErrorCode.NOT_ON_SALE, "This show is not on sale.")
    if not show.sales_open_at <= now < show.sales_close_at:
        raise Conflict(InventoryErrorCode.SALES_CLOSED, "Sales for this show are closed.")
    return show


def _owner_checked(owner: HoldOwner, policy: HoldPolicy) -> None:
    """Refuse an owner who already holds as often as allowed. Runs inside the hold's
    transaction after `_owner_lock`, so concurrent requests of one owner count in turn."""
    if owner.user_id is None and not owner.cart_id:
        raise DomainError(InventoryErrorCode.OWNER_MISSING, "Sign in or send a cart id.")
    active = Hold.objects.filter(status=Hold.Status.ACTIVE, expires_at__gt=timezone.now())
    mine = (
        active.filter(user_id=owner.user_id)
        if owner.user_id is not None
        else active.filter(user_id=None, cart_id=owner.cart_id)
    )
    if mine.count() >= policy.max_active_holds:
        raise Conflict(
            InventoryErrorCode.HOLDS_LIMIT,
            f"You already hold seats {policy.max_active_holds} times; release one first.",
        )
    if owner.user_id is None and owner.address:
        # One subscriber, not one address: an IPv6 line is a whole /64.
        from_address = active.filter(
            same_subscriber("client_address", owner.address), user_id=None
        ).count()
        if from_address >= policy.max_anonymous_holds_per_address:
            raise Conflict(
                InventoryErrorCode.HOLDS_LIMIT,
                "Too many seats are held from this network; sign in to hold more.",
            )


def _advisory_lock(name: str) -> None:
    # Advisory lock keys are per database: the schema is part of the name.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"{current_schema_name()}:{name}"],
        )


def _hold_seats(show: Show, seat_ids: Sequence[int], owner: HoldOwner, policy: HoldPolicy) -> Hold:
    """Lock the requested seats or fail with the unavailable ones; one transaction."""
    with transaction.atomic():
        # One owner's requests take turns (the limit is counted, then a hold added);
        # different owners never wait for each other here.
        # The per-address count is a soft ceiling and takes no lock: anonymous carts
        # behind one address must not queue behind each other.
        _advisory_lock(f"hold-owner:{owner.key}")
        _owner_checked(owner, policy)
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, state, held_until FROM inventory_showseat "
                "WHERE show_id = %s AND id = ANY(%s) ORDER BY id FOR UPDATE SKIP LOCKED",
                [show.pk, list(seat_ids)],
            )
            locked = cursor.fetchall()
        takeable = [
            seat_id
            for seat_id, state, held_until in locked
            if seat_available(state, held_until, now=now)
        ]
        unavailable = sorted(set(seat_ids) - set(takeable))
        if unavailable:
            labels = dict(ShowSeat.objects.filter(pk__in=unavailable).values_list("id", "label"))
            raise Conflict(
                InventoryErrorCode.SEATS_UNAVAILABLE,
                f"Not available: {', '.join(labels.get(i, str(i)) for i in unavailable)}.",
                extra={"seats": unavailable},
            )
        hold = Hold.objects.create(
            show=show,
            user_id=owner.user_id,
            cart_id="" if owner.user_id is not None else owner.cart_id,
            client_address=owner.address if owner.user_id is None else None,
            seat_ids=sorted(seat_ids),
            expires_at=now + policy.ttl,
        )
        ShowSeat.objects.filter(pk__in=takeable).update(
            state=SeatState.HELD, hold=hold, held_until=hold.expires_at
        )
        seats_changed(show.pk, [(seat_id, SeatState.HELD) for seat_id in sorted(takeable)])
    return hold


def hold_create(
    show_id: int,
    *,
    owner: HoldOwner,
    policy: HoldPolicy,
    seat_ids: Sequence[int] | None = None,
    count: int | None = None,
    category: str | None = None,
) -> Hold:
    """Hold the given seats, or the best `count` seats of `category`, all or none.

    Raises Conflict (409) naming the unavailable seats, or when the owner already
    holds seats as often as the chain allows; DomainError (400) for bad requests.
    """
    if (seat_ids is None) == (count is None):
        raise DomainError(
            InventoryErrorCode.HOLD_INVALID, "Ask for `seats` or for `best_available`."
        )
    wanted = len(set(seat_ids)) if seat_ids is not None else int(count or 0)
    if seat_ids is not None and len(set(seat_ids)) != len(seat_ids):
        raise DomainError(InventoryErrorCode.HOLD_INVALID, "A seat is listed twice.")
    if not 1 <= wanted <= policy.max_seats:
        raise DomainError(
            InventoryErrorCode.HOLD_INVALID, f"Hold 1 to {policy.max_seats} seats at a time."
        )
    show = _show_for_sale(show_id)
    if owner.user_id is None and not owner.cart_id:
        raise DomainError(InventoryErrorCode.OWNER_MISSING, "Sign in or send a cart id.")
    if seat_ids is not None:
        known = set(
            ShowSeat.objects.filter(show_id=show.pk, pk__in=seat_ids).values_list("pk", flat=True)
        )
        unknown = sorted(set(seat_ids) - known)
        if unknown:
            raise DomainError(
                InventoryErrorCode.SEATS_UNKNOWN,
                "These seats are not seats of this show.",
                extra={"seats": unknown},
            )
        return _hold_seats(show, seat_ids, owner, policy)
    for _ in range(BEST_AVAILABLE_ATTEMPTS):
        picked = best_available(_candidates(show.pk), count=wanted, category=category or "regular")
        if not picked:
            raise Conflict(
                InventoryErrorCode.SEATS_UNAVAILABLE,
                f"No {wanted} adjacent {category or 'regular'} seats are available.",
                extra={"seats": []},
            )
        try:
            return _hold_seats(show, picked, owner, policy)
        except Conflict as refusal:
            # Someone took them meanwhile: pick again from what is left. Any other
            # refusal (the owner's limit of holds) would only come again.
            if refusal.code != InventoryErrorCode.SEATS_UNAVAILABLE:
                raise
    raise Conflict(
        InventoryErrorCode.SEATS_UNAVAILABLE,
        "Seats are going fast; try again.",
        extra={"seats": []},
    )


def _candidates(show_id: int) -> list[Candidate]:
    now = timezone.now()
    fields = ("id", "row", "number", "x", "y", "width", "category", "is_wheelchair")
    rows = ShowSeat.objects.filter(show_id=show_id).values(
        *fields, "companion_id", "state", "held_until"
    )
    return [
        Candidate(
            **{field: row[field] for field in fields},
            companion_id=row["companion_id"],
            available=seat_available(row["state"], row["held_until"], now=now),
        )
        for row in rows
    ]


def hold_get(hold_id: str, *, owner: HoldOwner) -> Hold:
    """The owner's hold; anyone else's is reported as not found."""
    hold = Hold.objects.filter(pk=hold_id).first()
    if hold is None or not owner.owns(hold):
        raise NotFound(InventoryErrorCode.HOLD_NOT_FOUND, "No such hold.")
    return hold


def hold_get_for_any(hold_id: str, *, owners: Sequence[HoldOwner]) -> Hold:
    """The hold, if any of these owners owns it (a signed-in customer who also presents
    the cart id of a hold made before signing in); otherwise not found."""
    hold = Hold.objects.filter(pk=hold_id).first()
    if hold is None or not any(owner.owns(hold) for owner in owners):
        raise NotFound(InventoryErrorCode.HOLD_NOT_FOUND, "No such hold.")
    return hold


@transaction.atomic
def hold_release(hold: Hold, *, owner: HoldOwner | None = None) -> Hold:
    """Give the seats back at once (on request, or when payment fails: `owner=None`).

    Only seats that still belong to this hold are freed: once a hold has lapsed its
    seats may already be someone else's. Seats are locked before the hold row, in the
    same order as the expiry sweeper, so the two never deadlock.
    """
    if owner is not None and not owner.owns(hold):
        raise NotFound(InventoryErrorCode.HOLD_NOT_FOUND, "No such hold.")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_showseat SET state = 'available', hold_id = NULL, "
            "held_until = NULL WHERE id IN ("
            "  SELECT id FROM inventory_showseat WHERE hold_id = %s AND state = 'held'"
            "  ORDER BY id FOR UPDATE"
            ") AND hold_id = %s AND state = 'held' RETURNING id",
            [hold.pk, hold.pk],
        )
        freed = sorted(row[0] for row in cursor.fetchall())
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if hold.status == Hold.Status.ACTIVE:
        hold.status = Hold.Status.RELEASED
        hold.ended_at = timezone.now()
        hold.save(update_fields=["status", "ended_at"])
    if freed:
        seats_changed(hold.show_id, [(seat_id, SeatState.AVAILABLE) for seat_id in freed])
    return hold


@transaction.atomic
def holds_expire(*, now: datetime | None = None) -> int:
    """Free every lapsed hold of this schema and announce it; return the seats freed.

    Readers already treat lapsed seats as free; this makes it so in the rows, closes
    the holds and tells live seat maps.
    """
    now = now or timezone.now()
    with connection.cursor() as cursor:
        # One sweeper per schema at a time; a second one has nothing to add.
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"{current_schema_name()}:holds-expire"],
        )
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(
            "UPDATE inventory_showseat SET state = 'available', hold_id = NULL, "
            "held_until = NULL WHERE id IN ("
            "  SELECT id FROM inventory_showseat WHERE state = 'held' AND held_until <= %s"
            "  ORDER BY id FOR UPDATE SKIP LOCKED"
            ") RETURNING id, show_id",
            [now],
        )
        freed = cursor.fetchall()
        cursor.execute(
            "UPDATE inventory_hold SET status = 'expired', ended_at = %s WHERE id IN ("
            "  SELECT id FROM inventory_hold WHERE status = 'active' AND expires_at <= %s"
            "  ORDER BY id FOR UPDATE SKIP LOCKED)",
            [now, now],
        )
    by_show: dict[int, list[int]] = defaultdict(list)
    for seat_id, show_id in freed:
        by_show[show_id].append(seat_id)
    for show_id, seat_ids in sorted(by_show.items()):
        seats_changed(show_id, [(seat_id, SeatState.AVAILABLE) for seat_id in sorted(seat_ids)])
    return len(freed)


@transaction.atomic
def hold_claim(hold: Hold, *, user_id: int, cart_id: str) -> Hold:
    """A customer who held seats signed out, then signed in: the cart's hold becomes
    theirs. Only the cart that made it can hand it over."""
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if hold.user_id == user_id:
        return hold
    if hold.user_id is not None or not cart_id or hold.cart_id != cart_id:
        raise NotFound(InventoryErrorCode.HOLD_NOT_FOUND, "No such hold.")
    hold.user_id = user_id
    hold.cart_id = ""
    hold.client_address = None
    hold.save(update_fields=["user_id", "cart_id", "client_address"])
    return hold
