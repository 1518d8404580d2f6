"""Tills and shifts: opening and closing a shift, creating tills, and the shift a
counter sale or refund goes through.

A shift is opened with a float and closed with the cash counted. The database keeps
one open shift per till and one per person (partial unique indexes): two cashiers
opening one till at the same moment get one shift and one 409, whatever the timing.
A counter sale or refund takes its shift's row for share (`shift_for_counter`), and
closing takes it for update, so a close waits for the sales in flight and the
expected cash it records is final (`tenants.locking`: the shift comes first).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tenants.error_codes import Conflict, DomainError, NotFound
from tenants.locking import lock_objects
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.audit.services import audit_log
from venue_apps.tills.error_codes import TillErrorCode
from venue_apps.tills.models import Shift, Till
from venue_apps.tills.selectors import shift_report
from venue_apps.venues.models import Venue

# Minor units; a till holds less than this (it keeps a typo from becoming a float).
AMOUNT_MAX = 10**11


def _amount(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < AMOUNT_MAX:
        raise DomainError(
            TillErrorCode.AMOUNT_INVALID, f"The {name} is a whole number of minor units, 0 or more."
        )
    return value


@transaction.atomic
def till_create(venue: Venue, *, name: str, actor: Any) -> Till:
    """A new till at `venue`. Refused (409) when the venue has a till of that name."""
    name = (name or "").strip()
    if not name:
        raise DomainError(TillErrorCode.TILL_NOT_FOUND, "A till needs a name.")
    if Till.objects.filter(venue=venue, name=name).exists():
        raise Conflict(TillErrorCode.TILL_BUSY, f"{venue.name} already has a till {name!r}.")
    till = Till.objects.create(venue=venue, name=name)
    audit_log(actor, "till.created", till, venue=venue.pk, name=name)
    return till


def shift_open(till: Till, *, float_amount: int, currency: str, actor: Any) -> Shift:
    """Open a shift at `till` for `actor` with `float_amount` in the drawer.

    Refused (409 `till_busy`) when the till has an open shift, and (409
    `shift_already_open`) when the person has one at another till: both held by the
    database, so concurrent opens cannot both win. Audited as `shift.opened`.
    """
    float_amount = _amount(float_amount, "float")
    if not till.is_active:
        raise Conflict(TillErrorCode.TILL_BUSY, f"The till {till.name} is not in use.")
    try:
        with transaction.atomic():
            shift = Shift.objects.create(
                till=till, opened_by=actor, float=float_amount, currency=currency
            )
            audit_log(actor, "shift.opened", shift, till=till.pk, float=float_amount)
    except IntegrityError as error:
        busy = Shift.objects.filter(till=till, status=Shift.Status.OPEN).first()
        if busy is not None:
            raise Conflict(
                TillErrorCode.TILL_BUSY,
                f"The till {till.name} already has an open shift.",
                extra={"shift": busy.pk},
            ) from error
        raise Conflict(
            TillErrorCode.SHIFT_ALREADY_OPEN,
            "You already have a shift open; close it first.",
        ) from error
    return shift


def shift_may_manage(user: Any, shift: Shift) -> bool:
    """The cashier who opened it, or someone who manages every till."""
    return shift.opened_by_id == getattr(user, "pk", None) or has_capability(
        user, Capability.MANAGE_TILLS
    )


@transaction.atomic
def shift_close(shift: Shift, *, counted: int, actor: Any) -> Shift:
    """Close a shift with the cash counted in the drawer, keeping what the ledger says
    should be there, so its report never moves again.

    Waits for counter sales in flight on it (it takes the row for update; they hold it
    for share). Refused (403) to anyone but the cashier or a manager or owner, (409) for
    a shift already closed. Audited as `shift.closed` with the count and the variance.
    """
    counted = _amount(counted, "counted amount")
    if not shift_may_manage(actor, shift):
        raise DomainError(
            TillErrorCode.NOT_YOUR_SHIFT,
            "Only the cashier who opened this shift, or a manager, may close it.",
            status_code=403,
        )
    [shifts] = lock_objects(Shift.objects.filter(pk=shift.pk))
    if not shifts:
        raise NotFound(TillErrorCode.SHIFT_NOT_FOUND, "No such shift.")
    shift = shifts[0]
    if shift.status != Shift.Status.OPEN:
        raise Conflict(TillErrorCode.SHIFT_CLOSED, "This shift is already closed.")
    expected = shift_report(shift)["expected_cash"]
    shift.status = Shift.Status.CLOSED
    shift.closed_at = timezone.now()
    shift.closed_by = actor
    shift.counted = counted
    shift.expected_cash = expected
    shift.save()
    audit_log(
        actor,
        "shift.closed",
        shift,
        till=shift.till_id,
        float=shift.float,
        counted=counted,
        expected_cash=expected,
        variance=counted - expected,
    )
    return shift


def shift_for_counter(user: Any) -> Shift:
    """`user`'s open shift, taken for share for the rest of the caller's transaction (a
    close waits for it); 409 `shift_required` when they have none."""
    open_shift = Shift.objects.filter(opened_by_id=getattr(user, "pk", None), status="open")
    lock_objects(shared=[open_shift])
    shift = open_shift.select_related("till").first()
    if shift is None:
        raise Conflict(
            TillErrorCode.SHIFT_REQUIRED,
            "Open a shift at a till first: cash and card at the counter go through a till.",
        )
    return shift


@transaction.atomic
def till_update(till: Till, *, name: str, is_active: bool, actor: Any) -> Till:
    """Rename a till or take it out of use (its shifts stay). Audited as
    `till.changed`."""
    name = (name or "").strip()
    if not name:
        raise DomainError(TillErrorCode.TILL_NOT_FOUND, "A till needs a name.")
    if Till.objects.filter(venue_id=till.venue_id, name=name).exclude(pk=till.pk).exists():
        raise Conflict(TillErrorCode.TILL_BUSY, f"This venue already has a till {name!r}.")
    before = {"name": till.name, "is_active": till.is_active}
    till.name, till.is_active = name, is_active
    till.save(update_fields=["name", "is_active"])
    audit_log(actor, "till.changed", till, before, {"name": name, "is_active": is_active})
    return till
