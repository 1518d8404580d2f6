"""Queue tickets and admissions: signed (django.core.signing, one salt each), naming the
chain's schema, the show, the place and its owner (`u:<user id>` or `c:<cart id>`), so
one is worthless at another chain, show or owner. An admission also names when it
ends; checking it needs no Redis."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

TICKET_SALT = "waiting_room.ticket"
ADMISSION_SALT = "waiting_room.admission"


@dataclass(frozen=True)
class Place:
    schema: str
    show_id: int
    number: int
    owner: str


def ticket_sign(place: Place) -> str:
    return signing.dumps([place.schema, place.show_id, place.number, place.owner], salt=TICKET_SALT)


def admission_sign(place: Place, *, expires_at: float) -> str:
    payload = [place.schema, place.show_id, place.number, place.owner, round(expires_at, 3)]
    return signing.dumps(payload, salt=ADMISSION_SALT)


def _read(token: str, salt: str, length: int) -> list | None:
    try:
        payload = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    if not isinstance(payload, list) or len(payload) != length:
        return None
    return payload


def ticket_read(token: str, *, schema: str, show_id: int) -> Place | None:
    """The place a ticket names, if it is a ticket of this chain's show."""
    payload = _read(token, TICKET_SALT, 4)
    if payload is None or payload[0] != schema or payload[1] != show_id:
        return None
    return Place(schema, show_id, int(payload[2]), str(payload[3]))


def admission_valid(
    token: str, *, schema: str, show_id: int, owners: list[str], now: float
) -> bool:
    """Is this an unexpired admission to this chain's show, of one of these owners?"""
    payload = _read(token, ADMISSION_SALT, 5)
    if payload is None or payload[0] != schema or payload[1] != show_id:
        return False
    return payload[3] in owners and float(payload[4]) > now
