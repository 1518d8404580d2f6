"""Sending text messages (SMS), behind backends chosen by a setting, as Django sends
email: `SMS_BACKEND` names a class with `send_messages(messages) -> int`.

- `OutboxBackend` (the default): records each message in the chain's outbox
  (`tickets.TextMessage`), which the dashboard lists; a gateway integration (or a
  person) delivers from there. No SMS gateway is reachable from the platform yet.
- `ConsoleBackend`: prints each message (development), its number masked.
- `LocmemBackend`: keeps them in `outbox` of this module (tests).

A gateway is one more backend class; nothing else changes. Numbers are never logged
in full (`phone_masked`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "venue_apps.tickets.sms.OutboxBackend"
# E.164 has at most 15 digits; fewer than 7 is no one's full number.
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 7, 15
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,30}$")


@dataclass(frozen=True)
class SmsMessage:
    """One message: the number as typed and the text. `order_id` ties it to the order
    it was sent for (the outbox shows it)."""

    to: str
    body: str
    order_id: Any = None


def phone_valid(text: str) -> bool:
    """A phone number as people type one: digits with spaces, dashes, brackets and a
    leading "+", 7 to 15 digits."""
    digits = re.sub(r"\D", "", text)
    return bool(_PHONE.match(text)) and PHONE_MIN_DIGITS <= len(digits) <= PHONE_MAX_DIGITS


def phone_masked(text: str) -> str:
    """The last four digits, the rest hidden: `+91 98450-12345` → `********2345`."""
    digits = re.sub(r"\D", "", text)
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


class BaseSmsBackend:
    """Sends text messages; returns how many were sent (or accepted for sending)."""

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        raise NotImplementedError


class OutboxBackend(BaseSmsBackend):
    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        from venue_apps.tickets.models import TextMessage as OutboxRow

        OutboxRow.objects.bulk_create(
            OutboxRow(to=message.to, body=message.body, order_id=message.order_id)
            for message in messages
        )
        return len(messages)


class ConsoleBackend(BaseSmsBackend):
    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stdout

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        for message in messages:
            self.stream.write(f"SMS to {phone_masked(message.to)}:\n{message.body}\n{'-' * 40}\n")
        self.stream.flush()
        return len(messages)


# What `LocmemBackend` sent, oldest first (tests empty it).
outbox: list[SmsMessage] = []


class LocmemBackend(BaseSmsBackend):
    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


def sms_backend() -> BaseSmsBackend:
    return import_string(getattr(settings, "SMS_BACKEND", DEFAULT_BACKEND))()


def sms_send(message: SmsMessage) -> int:
    """Send one message through the configured backend."""
    return sms_backend().send_messages([message])
