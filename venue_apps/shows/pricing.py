"""Pure pricing rules: which price card rule prices a seat category at a show's time.

A rule applies when the show's local start falls on one of its weekdays (ISO: Monday
= 1 ... Sunday = 7; none listed means every day) and inside its time window
(`starts_at` inclusive, `ends_at` exclusive; a window whose end is before its start
runs past midnight, e.g. 22:00-02:00; no window means all day). Among the rules that
apply to a category, the highest `priority` wins; on a tie the more specific rule
(weekdays and a window beat weekdays or a window, which beat neither), and then the
most recently created one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time


@dataclass(frozen=True)
class Rule:
    category: str
    amount: int
    weekdays: frozenset[int] = field(default_factory=frozenset)
    starts_at: time | None = None
    ends_at: time | None = None
    priority: int = 0
    order: int = 0  # creation order: later wins a full tie


def rule_applies(rule: Rule, local_start: datetime) -> bool:
    if rule.weekdays and local_start.isoweekday() not in rule.weekdays:
        return False
    if rule.starts_at is None and rule.ends_at is None:
        return True
    moment = local_start.time().replace(tzinfo=None)
    start = rule.starts_at or time.min
    end = rule.ends_at
    if end is None:
        return moment >= start
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end  # the window runs past midnight


def _rank(rule: Rule) -> tuple[int, int, int]:
    specificity = int(bool(rule.weekdays)) + int(
        rule.starts_at is not None or rule.ends_at is not None
    )
    return (rule.priority, specificity, rule.order)


def prices_for(rules: Iterable[Rule], local_start: datetime) -> dict[str, int]:
    """Price per category code for a show starting at `local_start` (venue time)."""
    best: dict[str, Rule] = {}
    for rule in rules:
        if not rule_applies(rule, local_start):
            continue
        current = best.get(rule.category)
        if current is None or _rank(rule) > _rank(current):
            best[rule.category] = rule
    return {category: rule.amount for category, rule in sorted(best.items())}
