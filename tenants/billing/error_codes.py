"""Refusals of the platform's billing (plans, subscriptions, the monthly close)."""

from __future__ import annotations

from enum import StrEnum


class BillingErrorCode(StrEnum):
    PLAN_INVALID = "plan_invalid"
    PLAN_NOT_FOUND = "plan_not_found"
    PLAN_TAKEN = "plan_taken"
    # The plan has no price in the chain's currency (400).
    PLAN_CURRENCY_MISSING = "plan_currency_missing"
    NO_SUBSCRIPTION = "no_subscription"
    MONTH_INVALID = "month_invalid"
    # The month has not ended yet (in the chain's zone, or anywhere for a whole close).
    MONTH_NOT_ENDED = "month_not_ended"
    INVOICE_NOT_FOUND = "invoice_not_found"
