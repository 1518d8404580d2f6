"""The hold endpoint's one call into the waiting room: `admission_check(request, show_id)`
raises `403 {"code": "queue_required", "detail", "queue"}` while the show's queue is on
and the request presents no valid admission (`X-Queue-Admission`) of its own account or
cart."""

from __future__ import annotations

import time

from django.urls import reverse
from rest_framework.request import Request

from api.throttles import CART_HEADER, Rider
from tenants.error_codes import DomainError
from venue_apps.waiting_room import queue
from venue_apps.waiting_room.error_codes import WaitingRoomErrorCode
from venue_apps.waiting_room.services import admission_required, redis_usable

ADMISSION_HEADER = "HTTP_X_QUEUE_ADMISSION"


def request_owners(request: Request) -> list[str]:
    """Every queue owner the request speaks for: its account, and the cart it presents
    (a customer who joined before signing in still has the cart's id)."""
    owners = []
    if request.user and request.user.is_authenticated:
        owners.append(f"u:{request.user.pk}")
    cart_id = request.META.get(CART_HEADER, "")
    if cart_id:
        owners.append(f"c:{cart_id}")
    return owners


def admission_rider(show_id: int) -> Rider | None:
    """The queue's check, to run in the hold's rate-limit script (one round trip to
    Redis for both); None while the waiting room treats Redis as lost."""
    if not redis_usable():
        return None
    keys = queue.check_keys(show_id, now=time.time())
    return Rider(queue.CHECK_FUNCTION, "queue_check", keys)


def admission_check(request: Request, show_id: int, *, checked: object = None) -> None:
    """`checked`: the answer of `admission_rider`'s check, when it ran."""
    if admission_required(
        show_id,
        admission=request.META.get(ADMISSION_HEADER) or None,
        owners=request_owners(request),
        checked=checked,
    ):
        raise DomainError(
            WaitingRoomErrorCode.QUEUE_REQUIRED,
            "This show's sale has a waiting room: join the queue, then hold seats with "
            "its admission in X-Queue-Admission.",
            status_code=403,
            extra={"queue": reverse("show-queue", kwargs={"pk": show_id})},
        )
