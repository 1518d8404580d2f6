"""Signed ticket codes (tickets/signing.py): what a scanner reads offline."""

from __future__ import annotations

import uuid

import pytest

from venue_apps.tickets import signing


def test_a_code_round_trips_and_any_change_breaks_it():
    pair = signing.key_pair_new()
    claims = signing.TicketClaims("alpha", pair.kid, uuid.uuid4().hex, 7, "2026-12-24", "F12", 1)

    code = signing.code_sign(claims, pair.private_key)
    read, signed_text, signature = signing.code_read(code)
    signing.code_verify(signed_text, signature, pair.public_key)

    assert read == claims
    assert code.startswith("TK1.") and len(code) < 300
    other = signing.key_pair_new()
    with pytest.raises(signing.CodeForged):
        signing.code_verify(signed_text, signature, other.public_key)
    forged = signing.code_sign(
        signing.TicketClaims("alpha", pair.kid, claims.ticket, 7, "2026-12-24", "A1", 1),
        other.private_key,
    )
    _, forged_text, forged_signature = signing.code_read(forged)
    with pytest.raises(signing.CodeForged):
        signing.code_verify(forged_text, forged_signature, pair.public_key)
    for broken in ("", "TK1.abc", "XX1.a.b", "TK1.!!!.???", "TK1." + "A" * 2000 + ".x"):
        with pytest.raises(signing.CodeMalformed):
            signing.code_read(broken)
