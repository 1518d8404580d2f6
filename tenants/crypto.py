"""Secrets at rest: payment keys, webhook secrets, signing keys, OAuth client secrets.

A value is sealed with AES-256-GCM under the platform's data key and bound to where it
lives: the schema and the purpose ("alpha:payments.stripe.secret_key") are the
authenticated data, so a ciphertext copied into another tenant's row, or into another
column, does not open. Sealed text names the key that sealed it, so keys rotate:
`FIELD_ENCRYPTION_KEYS` lists the current key first and older ones after it; values
sealed under an older key still open and are re-sealed when next written.

Nothing here logs a value, and errors never include one.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "s1"
_NONCE_BYTES = 12


class SealError(Exception):
    """A sealed value that cannot be opened: wrong key, wrong place, or tampered."""


def _decode_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (ValueError, TypeError) as error:
        raise ValueError("FIELD_ENCRYPTION_KEYS holds a value that is not base64.") from error
    if len(key) != 32:
        raise ValueError("Each FIELD_ENCRYPTION_KEYS key must be 32 bytes (base64 of 32 bytes).")
    return key


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"key-id:" + key).hexdigest()[:8]


@lru_cache(maxsize=4)
def _keys(configured: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    keys = tuple((_key_id(key), key) for key in map(_decode_key, configured))
    if not keys:
        raise ValueError("FIELD_ENCRYPTION_KEYS is empty.")
    return keys


def _current_keys() -> tuple[tuple[str, bytes], ...]:
    return _keys(tuple(settings.FIELD_ENCRYPTION_KEYS))


def key_ids(configured: list[str]) -> list[str]:
    """The ids of the configured keys, in order; ValueError when one is not usable."""
    return [key_id for key_id, _ in _keys(tuple(configured))]


def current_key_id() -> str:
    """The id of the key that seals new values (the first configured)."""
    return _current_keys()[0][0]


def new_key() -> str:
    """A fresh data key, as FIELD_ENCRYPTION_KEYS wants it."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def seal(plaintext: str, *, context: str) -> str:
    """Encrypt `plaintext` for storage at `context` (schema and purpose)."""
    key_id, key = _current_keys()[0]
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}.{key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(token: str, *, context: str) -> str:
    """The plaintext of a value sealed for `context`; SealError if it does not open."""
    try:
        prefix, key_id, body = token.split(".", 2)
        raw = base64.urlsafe_b64decode(body)
    except (ValueError, AttributeError) as error:
        raise SealError("Not a sealed value.") from error
    if prefix != PREFIX:
        raise SealError("Not a sealed value.")
    key = dict(_current_keys()).get(key_id)
    if key is None:
        raise SealError(f"Sealed with key {key_id}, which is not configured.")
    try:
        plain = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
    except InvalidTag as error:
        raise SealError("The sealed value does not open here (wrong place or tampered).") from error
    return plain.decode()


def sealed_with_current_key(token: str) -> bool:
    return token.startswith(current_key_prefix())


def current_key_prefix() -> str:
    """How every value sealed under the current key begins."""
    return f"{PREFIX}.{current_key_id()}."


def hint(secret: str) -> str:
    """What staff may see of a secret to recognise it: its kind and last four characters."""
    if not secret:
        return ""
    head = secret.split("_", 2)
    kind = "_".join(head[:2]) + "_" if len(head) > 2 else ""
    return f"{kind}…{secret[-4:]}"
