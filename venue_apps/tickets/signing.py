"""Signed ticket codes: compact, verifiable offline with the chain's public key.

A code is `TK1.<payload>.<signature>`: the payload is base64url of a small JSON object
(`t` chain schema, `k` key id, `i` ticket id, `s` show id, `d` show day in the venue's
time zone, `st` seat label, `n` issue number), and the signature is Ed25519 over the
text `TK1.<payload>`. Anything that changes a single character breaks the signature.
About 250 characters: a QR code of version 10 or so, easy for phone cameras.

Pure functions over keys and text; no database.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

PREFIX = "TK1"
MAX_CODE_LENGTH = 1024


class CodeMalformed(Exception):
    """Not a ticket code of this platform."""


class CodeForged(Exception):
    """The signature does not match the payload: made up, or altered."""


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    """Strict base64url: one text for one value (no padding, no stray characters, no
    spare bits set), so a code cannot be rewritten into a look-alike that verifies."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise ValueError("not base64url") from error
    if b64(data) != text:
        raise ValueError("not canonical base64url")
    return data


@dataclass(frozen=True)
class KeyPair:
    kid: str
    public_key: str  # base64url of the raw 32 bytes
    private_key: str  # base64url of the raw 32 bytes; sealed before it is stored


def key_pair_new() -> KeyPair:
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    kid = hashlib.sha256(raw_public).hexdigest()[:12]
    return KeyPair(kid=kid, public_key=b64(raw_public), private_key=b64(raw_private))


@dataclass(frozen=True)
class TicketClaims:
    tenant: str
    kid: str
    ticket: str  # the ticket's id, hex
    show: int
    day: str  # ISO date of the show in the venue's time zone
    seat: str
    serial: int

    def as_json(self) -> bytes:
        return json.dumps(
            {
                "t": self.tenant,
                "k": self.kid,
                "i": self.ticket,
                "s": self.show,
                "d": self.day,
                "st": self.seat,
                "n": self.serial,
            },
            separators=(",", ":"),
            sort_keys=True,
        ).encode()


def code_sign(claims: TicketClaims, private_key: str) -> str:
    """The QR payload for these claims, signed with the chain's private key."""
    body = f"{PREFIX}.{b64(claims.as_json())}"
    signature = Ed25519PrivateKey.from_private_bytes(unb64(private_key)).sign(body.encode())
    return f"{body}.{b64(signature)}"


def code_read(code: str) -> tuple[TicketClaims, str, bytes]:
    """The claims of a code, without trusting them yet: (claims, signed text, signature).
    Raises CodeMalformed for anything that is not a code of ours."""
    text = (code or "").strip()
    if len(text) > MAX_CODE_LENGTH:
        raise CodeMalformed("Too long to be a ticket code.")
    parts = text.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise CodeMalformed("Not a ticket code of this platform.")
    try:
        data: dict[str, Any] = json.loads(unb64(parts[1]))
        signature = unb64(parts[2])
        claims = TicketClaims(
            tenant=str(data["t"]),
            kid=str(data["k"]),
            ticket=str(data["i"]),
            show=int(data["s"]),
            day=str(data["d"]),
            seat=str(data["st"]),
            serial=int(data["n"]),
        )
    except (ValueError, KeyError, TypeError, OverflowError, UnicodeDecodeError) as error:
        raise CodeMalformed("The ticket code is damaged.") from error
    return claims, f"{parts[0]}.{parts[1]}", signature


def code_verify(signed_text: str, signature: bytes, public_key: str) -> None:
    """Raise CodeForged unless `signature` is the key's signature over `signed_text`."""
    try:
        Ed25519PublicKey.from_public_bytes(unb64(public_key)).verify(
            signature, signed_text.encode()
        )
    except (InvalidSignature, ValueError) as error:
        raise CodeForged("The signature does not match.") from error


def code_digest(code: str) -> str:
    return hashlib.sha256((code or "").encode()).hexdigest()
