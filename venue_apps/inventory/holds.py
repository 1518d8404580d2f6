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

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from tenants.addresses import same_subscriber_sql
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
    seats_announce(show_id, version, seats)
    return version


def seats_announce(show_id: int, version: int, seats: Sequence[tuple[int, str]]) -> None:
    """After commit: drop the show's cached seat map and publish the delta of `version`
    (already bumped in this transaction)."""
    cache_namespace_bump(show_seats_cache_namespace(show_id))
    group_send_on_commit(
        seat_group(show_id),
        {
            "type": "seats.delta",
            "version": version,
            "seats": [{"id": seat_id, "state": state} for seat_id, state in seats],
        },
    )


def _show_refused(status: str, window_open: bool) -> None:
    """Raise unless a show with this status, whose sales window is open or not right
    now, is on sale."""
    if status != Show.Status.ON_SALE:
        raise Conflict(InventoryErrorCode.NOT_ON_SALE, "This show is not on sale.")
    if not window_open:
        raise Conflict(InventoryErrorCode.SALES_CLOSED, "Sales for this show are closed.")


def _show_for_sale(show_id: int) -> None:
    show = (
        Show.objects.filter(pk=show_id).values_list("status", "sales_open_at", "sales_close_at")
    ).first()
    if show is None:
        raise NotFound(InventoryErrorCode.SHOW_NOT_FOUND, f"No show {show_id}.")
    status, opens, closes = show
    _show_refused(status, opens <= timezone.now() < closes)


def _owner_lock(owner: HoldOwner) -> str:
    """The advisory lock one owner's hold requests take turns on. Keys are per database:
    the schema is part of the name."""
    return f"{current_schema_name()}:hold-owner:{owner.key}"


def _owner_missing(owner: HoldOwner) -> None:
    if owner.user_id is None and not owner.cart_id:
        raise DomainError(InventoryErrorCode.OWNER_MISSING, "Sign in or send a cart id.")


# The check's statement, prepared once per connection: PostgreSQL then plans it once
# rather than for every request (planning was two thirds of its cost: 0.12 of 0.18 ms).
# A prepared statement names its tables as they resolve on the search path of the
# moment; PostgreSQL plans it again when the path changes, so every chain's request on
# a shared connection reads its own chain's seats (tests/test_holds.py).
# The availability rule (inventory.availability) as `_TAKE` writes it.
_CHECK_NAME = "hold_check_3"
# The seats are found by id alone and their show compared here: with `show_id = s.id`
# in the query, the one plan PostgreSQL keeps would read every seat of the show.
# The sales window is compared here too, so no timestamp comes back (Django's loader
# for them is Python, made anew for each cursor), and the parameters go as text (the
# seat ids as an array literal: psycopg's list dumper is Python too).
_CHECK = """
SELECT status, sales_open_at <= $1 AND $1 < sales_close_at, ARRAY(
  SELECT ARRAY[id::text, label,
    (state = 'available' OR (state = 'held' AND held_until <= $1))::text, show_id::text]
  FROM inventory_showseat WHERE id = ANY($2)
) FROM shows_show s WHERE s.id = $3
"""
_CHECK_TYPES = "timestamptz, bigint[], bigint"
_PREPARED = "_inventory_prepared"


def _prepare(cursor, name: str, types: str, statement: str) -> None:
    """PREPARE `statement` as `name` on this connection unless it already was (a
    prepared statement lasts as long as the session; a rollback does not undo it)."""
    raw = connection.connection
    prepared = getattr(raw, _PREPARED, None)
    if prepared is None:
        prepared = set()
        setattr(raw, _PREPARED, prepared)
    if name not in prepared:
        if not prepared:
            # PostgreSQL would otherwise keep planning the statement afresh: a generic
            # plan's estimate for `id = ANY($2)` (an array of unknown length) is worse
            # than a plan for the three seats at hand, though it is the same plan. Only
            # prepared statements heed this, and these are the only ones made here.
            cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE {name} ({types}) AS {statement}")
        prepared.add(name)


def _check(show_id: int, seat_ids: Sequence[int], owner: HoldOwner) -> dict[int, str]:
    """One statement before the hold's transaction: the show is on sale, every seat is
    one of its seats and none is taken already; their labels by id.

    Most hold requests of an on-sale ask for seats someone already has. They are
    refused here, from the committed rows this statement reads, with no transaction
    (no BEGIN, lock or ROLLBACK) and without the hold's own statement, which would
    refuse the same seats. A seat that looks free here but is being taken by a
    transaction in flight is refused by `_TAKE`."""
    now = timezone.now()
    with connection.cursor() as cursor:
        _prepare(cursor, _CHECK_NAME, _CHECK_TYPES, _CHECK)
        ids = "{" + ",".join(str(int(seat_id)) for seat_id in seat_ids) + "}"
        cursor.execute(f"EXECUTE {_CHECK_NAME}(%s, %s, %s)", [now.isoformat(), ids, show_id])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(InventoryErrorCode.SHOW_NOT_FOUND, f"No show {show_id}.")
    status, window_open, found = row
    _show_refused(status, window_open)
    _owner_missing(owner)
    seats = [seat for seat in found if int(seat[3]) == show_id]
    labels = {int(seat_id): label for seat_id, label, _, _ in seats}
    unknown = sorted(set(seat_ids) - set(labels))
    if unknown:
        raise DomainError(
            InventoryErrorCode.SEATS_UNKNOWN,
            "These seats are not seats of this show.",
            extra={"seats": unknown},
        )
    taken = sorted(int(seat_id) for seat_id, _, free, _ in seats if free != "true")
    if taken:
        raise _seats_unavailable(taken, labels)
    return labels


def _seats_unavailable(seat_ids: list[int], labels: dict[int, str]) -> Conflict:
    return Conflict(
        InventoryErrorCode.SEATS_UNAVAILABLE,
        f"Not available: {', '.join(labels.get(i, str(i)) for i in seat_ids)}.",
        extra={"seats": seat_ids},
    )


# The hold itself in one statement, run after the owner's lock (a new statement sees
# the holds the owner's previous request committed): count the owner's live holds and
# the address's anonymous ones, lock the wanted seats with SKIP LOCKED (a seat someone
# is holding right now counts as taken: nobody waits, nothing deadlocks), and only when
# every wanted seat is free (`seat_available`) and the limits allow it: insert the
# hold, give it the seats and bump the show's version. The counts and the seats it
# could take come back either way, to name the refusal.
_TAKE = """
WITH mine AS (
    SELECT count(*) AS n FROM inventory_hold
    WHERE status = 'active' AND expires_at > %s AND {owner}
), near AS (
    SELECT count(*) AS n FROM inventory_hold
    WHERE status = 'active' AND expires_at > %s AND user_id IS NULL AND {near}
), locked AS (
    SELECT id, state, held_until FROM inventory_showseat
    WHERE show_id = %s AND id = ANY(%s) ORDER BY id FOR UPDATE SKIP LOCKED
), takeable AS (
    SELECT id FROM locked
    WHERE state = 'available' OR (state = 'held' AND held_until <= %s)
), allowed AS (
    SELECT (SELECT n FROM mine) < %s AND (SELECT n FROM near) < %s
        AND (SELECT count(*) FROM takeable) = %s AS ok
), hold AS (
    INSERT INTO inventory_hold (
        id, show_id, user_id, cart_id, client_address, status, seat_ids, expires_at,
        created_at
    )
    SELECT %s, %s, %s, %s, %s::inet, 'active', %s::bigint[], %s, %s FROM allowed WHERE ok
    RETURNING id
), taken AS (
    UPDATE inventory_showseat SET state = 'held', hold_id = hold.id, held_until = %s
    FROM hold WHERE inventory_showseat.id IN (SELECT id FROM takeable)
    RETURNING inventory_showseat.id, label, "row", number, category, section, x, y
), bumped AS (
    UPDATE inventory_showinventory SET version = version + 1
    WHERE show_id = %s AND EXISTS (SELECT FROM hold)
    RETURNING version
)
SELECT (SELECT n FROM mine), (SELECT n FROM near), ARRAY(SELECT id FROM takeable),
    (SELECT version FROM bumped),
    ARRAY(SELECT ARRAY[id::text, label, "row", number::text, category, section]
          FROM taken ORDER BY y, x)
"""


def _take(
    show_id: int,
    seat_ids: Sequence[int],
    owner: HoldOwner,
    policy: HoldPolicy,
    labels: dict[int, str] | None = None,
) -> Hold:
    """The hold, in its transaction after `_owner_lock`; or the refusal (naming the
    seats by `labels` when the caller has them)."""
    now = timezone.now()
    expires_at = now + policy.ttl
    wanted = sorted(seat_ids)
    mine_params: list[int | str]
    if owner.user_id is not None:
        mine, mine_params = "user_id = %s", [owner.user_id]
    else:
        mine, mine_params = "user_id IS NULL AND cart_id = %s", [owner.cart_id]
    anonymous_address = owner.address if owner.user_id is None else None
    near, near_params = (
        same_subscriber_sql("client_address", anonymous_address)
        if anonymous_address
        else ("FALSE", [])
    )
    hold = Hold(
        id=uuid.uuid4(),
        show_id=show_id,
        user_id=owner.user_id,
        cart_id="" if owner.user_id is not None else owner.cart_id,
        client_address=anonymous_address,
        seat_ids=wanted,
        expires_at=expires_at,
        created_at=now,
    )
    params = [
        now,
        *mine_params,
        now,
        *near_params,
        show_id,
        wanted,
        now,
        policy.max_active_holds,
        policy.max_anonymous_holds_per_address,
        len(wanted),
        hold.id,
        show_id,
        hold.user_id,
        hold.cart_id,
        hold.client_address,
        wanted,
        expires_at,
        now,
        expires_at,
        show_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_TAKE.format(owner=mine, near=near), params)
        mine_count, near_count, takeable, version, taken = cursor.fetchone()
    if mine_count >= policy.max_active_holds:
        raise Conflict(
            InventoryErrorCode.HOLDS_LIMIT,
            f"You already hold seats {policy.max_active_holds} times; release one first.",
        )
    if near_count >= policy.max_anonymous_holds_per_address:
        # One subscriber, not one address: an IPv6 line is a whole /64.
        raise Conflict(
            InventoryErrorCode.HOLDS_LIMIT,
            "Too many seats are held from this network; sign in to hold more.",
        )
    unavailable = sorted(set(wanted) - set(takeable))
    if unavailable:
        if labels is None:
            labels = dict(ShowSeat.objects.filter(pk__in=unavailable).values_list("id", "label"))
        raise _seats_unavailable(unavailable, labels)
    hold._state.adding = False
    hold._state.db = connection.alias
    hold.held_seats = [
        ShowSeat(
            id=int(seat_id),
            show_id=show_id,
            label=label,
            row=row,
            number=int(number),
            category=category,
            section=section,
            state=SeatState.HELD,
            hold_id=hold.id,
            held_until=expires_at,
        )
        for seat_id, label, row, number, category, section in taken
    ]
    if version is not None:  # no inventory row: nothing on sale to announce
        seats_announce(show_id, int(version), [(seat_id, SeatState.HELD) for seat_id in wanted])
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
    Given seats cost one statement (`_check`), then, unless it refused them, one
    transaction of two (the owner's lock, `_TAKE`).
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
    if seat_ids is not None:
        labels = _check(show_id, seat_ids, owner)
        with transaction.atomic():
            # The owner's turn first: `_TAKE`, a new statement, then sees the holds
            # the owner's previous request committed.
            _advisory_lock(_owner_lock(owner))
            return _take(show_id, seat_ids, owner, policy, labels)
    _show_for_sale(show_id)
    _owner_missing(owner)
    for _ in range(BEST_AVAILABLE_ATTEMPTS):
        picked = best_available(_candidates(show_id), count=wanted, category=category or "regular")
        if not picked:
            raise Conflict(
                InventoryErrorCode.SEATS_UNAVAILABLE,
                f"No {wanted} adjacent {category or 'regular'} seats are available.",
                extra={"seats": []},
            )
        try:
            with transaction.atomic():
                _advisory_lock(_owner_lock(owner))
                return _take(show_id, picked, owner, policy)
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


def _advisory_lock(key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


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


# Release in one statement. Seats are locked before the hold row and the hold before
# the show's version, the order of the expiry sweeper, so the two never deadlock: the
# select list runs its sub-statements from left to right.
_RELEASE = """
WITH freed AS (
    UPDATE inventory_showseat SET state = 'available', hold_id = NULL, held_until = NULL
    WHERE id IN (
        SELECT id FROM inventory_showseat WHERE hold_id = %s AND state = 'held'
        ORDER BY id FOR UPDATE
    ) AND hold_id = %s AND state = 'held'
    RETURNING id
), closed AS (
    UPDATE inventory_hold SET status = 'released', ended_at = %s
    WHERE id = %s AND status = 'active'
    RETURNING id
), bumped AS (
    UPDATE inventory_showinventory SET version = version + 1
    WHERE show_id = %s AND EXISTS (SELECT FROM freed)
    RETURNING version
)
SELECT ARRAY(SELECT id FROM freed ORDER BY id), EXISTS (SELECT FROM closed),
    (SELECT version FROM bumped)
"""


@transaction.atomic
def hold_release(hold: Hold, *, owner: HoldOwner | None = None) -> Hold:
    """Give the seats back at once (on request, or when payment fails: `owner=None`).

    Only seats that still belong to this hold are freed: once a hold has lapsed its
    seats may already be someone else's. One statement (`_RELEASE`).
    """
    if owner is not None and not owner.owns(hold):
        raise NotFound(InventoryErrorCode.HOLD_NOT_FOUND, "No such hold.")
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_RELEASE, [hold.pk, hold.pk, now, hold.pk, hold.show_id])
        freed, closed, version = cursor.fetchone()
    if closed:
        hold.status = Hold.Status.RELEASED
        hold.ended_at = now
    else:  # it had ended already (expired, converted): as it is now
        hold.refresh_from_db()
    if version is not None:
        seats_announce(
            hold.show_id, int(version), [(seat_id, SeatState.AVAILABLE) for seat_id in freed]
        )
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
