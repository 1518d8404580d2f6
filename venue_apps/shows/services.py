"""State changes of price cards and shows (current schema)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tenants.cache import cache_namespace_bump
from tenants.error_codes import Conflict, DomainError
from tenants.locking import lock_objects
from venue_apps.audit.services import audit_log, audit_snapshot
from venue_apps.catalog.models import Format, Title
from venue_apps.catalog.services import CATALOG_CACHE
from venue_apps.shows import pricing
from venue_apps.shows.error_codes import ShowErrorCode
from venue_apps.shows.models import PriceCard, PriceRule, Show, show_seats_cache_namespace
from venue_apps.venues.models import Auditorium, SeatCategory
from venue_apps.venues.services import DEFAULT_CATEGORY_CODES, seat_categories_ensure_defaults

MAX_AMOUNT = 100_000_000  # minor units: a million in any currency is no ticket price
LATEST_START = timedelta(days=2 * 366)
# What the audit log keeps of a show (its prices among them).
SHOW_AUDIT_FIELDS = (
    "title",
    "auditorium",
    "starts_at",
    "ends_at",
    "format",
    "audio_language",
    "subtitle_language",
    "attributes",
    "price_card",
    "prices",
    "sales_open_at",
    "sales_close_at",
    "status",
)


@dataclass(frozen=True)
class RuleSpec:
    category: str  # seat category code
    amount: int  # minor units
    weekdays: Sequence[int] = ()
    starts_at: time | None = None
    ends_at: time | None = None
    priority: int = 0


def _rules_check(rules: Sequence[RuleSpec]) -> dict[str, SeatCategory]:
    categories = {category.code: category for category in SeatCategory.objects.all()}
    if ({rule.category for rule in rules} - categories.keys()) & DEFAULT_CATEGORY_CODES:
        # The five standard categories exist on demand, as for seat maps.
        categories.update({c.code: c for c in seat_categories_ensure_defaults()})
    for rule in rules:
        if rule.amount > MAX_AMOUNT:
            raise DomainError(
                ShowErrorCode.PRICE_CARD_INVALID, f"Prices are 0 to {MAX_AMOUNT} in minor units."
            )
        if rule.category not in categories:
            raise DomainError(
                ShowErrorCode.PRICE_CARD_INVALID, f"Unknown seat category {rule.category!r}."
            )
        if rule.amount < 0:
            raise DomainError(ShowErrorCode.PRICE_CARD_INVALID, "Prices cannot be negative.")
        if any(day not in range(1, 8) for day in rule.weekdays):
            raise DomainError(
                ShowErrorCode.PRICE_CARD_INVALID, "Weekdays are 1 (Monday) to 7 (Sunday)."
            )
    return categories


def price_card_snapshot(card: PriceCard) -> dict[str, Any]:
    """A price card as the audit log keeps it: its fields and its rules, each as
    `[category, amount, weekdays, starts_at, ends_at, priority]`."""
    snapshot = audit_snapshot(card, ["name", "description", "is_active"])
    snapshot["rules"] = [
        [
            rule.category.code,
            rule.amount,
            rule.weekdays,
            rule.starts_at,
            rule.ends_at,
            rule.priority,
        ]
        for rule in card.rules.select_related("category").order_by("pk")
    ]
    return snapshot


@transaction.atomic
def price_card_create(
    *, name: str, rules: Sequence[RuleSpec], description: str = "", actor: Any = None
) -> PriceCard:
    """A named set of pricing rules. Changing it later does not reprice scheduled shows.
    Audited as `price_card.created` by `actor` (None: the system)."""
    categories = _rules_check(rules)
    if PriceCard.objects.filter(name=name.strip()).exists():
        raise Conflict(ShowErrorCode.PRICE_CARD_INVALID, f"A price card {name!r} exists.")
    card = PriceCard.objects.create(name=name.strip(), description=description)
    _rules_replace(card, rules, categories)
    audit_log(actor, "price_card.created", card, after=price_card_snapshot(card))
    return card


@transaction.atomic
def price_card_update(
    card: PriceCard,
    *,
    name: str | None = None,
    description: str | None = None,
    rules: Sequence[RuleSpec] | None = None,
    actor: Any = None,
) -> PriceCard:
    """Rename, describe or re-rule a price card (`rules`, when given, replace the
    card's). Audited as `price_card.changed` with what changed, rules included."""
    card = PriceCard.objects.select_for_update().get(pk=card.pk)
    before = price_card_snapshot(card)
    if name is not None:
        if PriceCard.objects.filter(name=name.strip()).exclude(pk=card.pk).exists():
            raise Conflict(ShowErrorCode.PRICE_CARD_INVALID, f"A price card {name!r} exists.")
        card.name = name.strip()
    if description is not None:
        card.description = description
    card.save()
    if rules is not None:
        _rules_replace(card, rules, _rules_check(rules))
    audit_log(actor, "price_card.changed", card, before, price_card_snapshot(card))
    return card


def _rules_replace(
    card: PriceCard, rules: Sequence[RuleSpec], categories: Mapping[str, SeatCategory]
) -> None:
    card.rules.all().delete()
    PriceRule.objects.bulk_create(
        PriceRule(
            price_card=card,
            category=categories[rule.category],
            amount=rule.amount,
            weekdays=sorted(set(rule.weekdays)),
            starts_at=rule.starts_at,
            ends_at=rule.ends_at,
            priority=rule.priority,
        )
        for rule in rules
    )


def price_card_prices(card: PriceCard, local_start: datetime) -> dict[str, int]:
    """Resolve a price card for a show's local start time (see shows.pricing)."""
    rules = [
        pricing.Rule(
            category=rule.category.code,
            amount=rule.amount,
            weekdays=frozenset(rule.weekdays),
            starts_at=rule.starts_at,
            ends_at=rule.ends_at,
            priority=rule.priority,
            order=rule.pk,
        )
        for rule in card.rules.select_related("category")
    ]
    return pricing.prices_for(rules, local_start)


def _categories_in(auditorium: Auditorium) -> set[str]:
    return set(
        auditorium.seats.filter(is_active=True).values_list("category__code", flat=True).distinct()
    )


def _schedule(
    show: Show,
    *,
    title: Title,
    auditorium: Auditorium,
    starts_at: datetime,
    extra_minutes: int,
) -> None:
    if timezone.is_naive(starts_at):
        raise DomainError(ShowErrorCode.SHOW_INVALID, "Give start times with a UTC offset.")
    show.title, show.auditorium, show.venue = title, auditorium, auditorium.venue
    show.starts_at = starts_at
    show.ends_at = starts_at + timedelta(minutes=title.runtime_minutes + extra_minutes)
    show.busy_until = show.ends_at + timedelta(minutes=auditorium.cleaning_minutes)
    show.local_date = starts_at.astimezone(zoneinfo.ZoneInfo(auditorium.venue.timezone)).date()


def _starts_checked(starts_at: datetime) -> None:
    now = timezone.now()
    if starts_at < now - timedelta(minutes=5):
        raise DomainError(ShowErrorCode.SHOW_INVALID, "A show cannot be scheduled in the past.")
    if starts_at > now + LATEST_START:
        raise DomainError(ShowErrorCode.SHOW_INVALID, "Shows are scheduled up to two years ahead.")


def _price(show: Show, *, prices: Mapping[str, int] | None, price_card: PriceCard | None) -> None:
    if prices is None and price_card is None:
        raise DomainError(ShowErrorCode.PRICE_MISSING, "Give a price card or prices.")
    local_start = show.starts_at.astimezone(zoneinfo.ZoneInfo(show.venue.timezone))
    resolved = dict(price_card_prices(price_card, local_start)) if price_card else {}
    given = {code: int(amount) for code, amount in (prices or {}).items()}
    unknown = sorted(set(given) - set(SeatCategory.objects.values_list("code", flat=True)))
    if unknown:
        raise DomainError(ShowErrorCode.PRICE_MISSING, f"Unknown seat categories {unknown}.")
    resolved.update(given)
    if any(not 0 <= amount <= MAX_AMOUNT for amount in resolved.values()):
        raise DomainError(
            ShowErrorCode.PRICE_MISSING, f"Prices are 0 to {MAX_AMOUNT} in minor units."
        )
    missing = sorted(_categories_in(show.auditorium) - set(resolved))
    if missing:
        raise DomainError(
            ShowErrorCode.PRICE_MISSING,
            f"No price for seat categories {', '.join(missing)} at this time.",
        )
    show.price_card, show.prices = price_card, resolved


def _schedule_locked(auditorium_id: int) -> None:
    # Two concurrent inserts that clash on an exclusion constraint can each wait for
    # the other to finish (a deadlock PostgreSQL then breaks by failing one at
    # random). Whatever puts a show on a screen or moves one takes the auditorium's
    # row first (`tenants.locking`), so they go one after the other: the second then
    # meets the first's committed row and fails cleanly with the overlap.
    lock_objects(Auditorium.objects.filter(pk=auditorium_id))


def _saved(show: Show) -> Show:
    try:
        with transaction.atomic():
            show.save()
    except IntegrityError as error:
        if "show_no_overlap_in_auditorium" not in str(error):
            raise
        clash = (
            Show.objects.exclude(pk=show.pk)
            .exclude(status=Show.Status.CANCELLED)
            .filter(
                auditorium=show.auditorium,
                starts_at__lt=show.busy_until,
                busy_until__gt=show.starts_at,
            )
            .select_related("title")
            .first()
        )
        detail = f"{show.auditorium.name} is busy at that time"
        if clash:
            detail += (
                f" with {clash.title.name} from {clash.starts_at.isoformat()} until "
                f"{clash.busy_until.isoformat()} (cleaning included)"
            )
        raise Conflict(ShowErrorCode.SHOW_OVERLAP, detail + ".") from error
    cache_namespace_bump(CATALOG_CACHE)
    return show


@transaction.atomic
def show_create(
    *,
    title: Title,
    auditorium: Auditorium,
    starts_at: datetime,
    format: str = Format.TWO_D,
    audio_language: str = "",
    subtitle_language: str = "",
    attributes: Sequence[str] = (),
    price_card: PriceCard | None = None,
    prices: Mapping[str, int] | None = None,
    sales_open_at: datetime | None = None,
    sales_close_at: datetime | None = None,
    extra_minutes: int = 0,
    actor: Any = None,
) -> Show:
    """Schedule a title in an auditorium. The database refuses overlaps (409).

    `extra_minutes` covers trailers and intervals: the show ends `runtime +
    extra_minutes` after it starts, and the screen is busy for the auditorium's
    cleaning time after that. Prices come from the price card at the show's local
    start time, with `prices` overriding single categories; every seat category of the
    auditorium must end up priced. Sales open now (or at `sales_open_at`) and close at
    the start unless `sales_close_at` says otherwise. Audited as `show.created` by
    `actor` (None: the system, e.g. an import).
    """
    if not auditorium.is_active or not title.is_active:
        raise DomainError(ShowErrorCode.SHOW_INVALID, "The title and auditorium must be active.")
    if title.formats and format not in title.formats:
        raise DomainError(ShowErrorCode.SHOW_INVALID, f"{title.name} is not available in {format}.")
    if format not in Format.values:
        raise DomainError(ShowErrorCode.SHOW_INVALID, f"Unknown format {format!r}.")
    _starts_checked(starts_at)
    show = Show(
        format=format,
        audio_language=audio_language.lower(),
        subtitle_language=subtitle_language.lower(),
        attributes=sorted({attribute.strip().lower() for attribute in attributes if attribute}),
    )
    _schedule(
        show, title=title, auditorium=auditorium, starts_at=starts_at, extra_minutes=extra_minutes
    )
    _price(show, prices=prices, price_card=price_card)
    show.sales_open_at = sales_open_at or min(timezone.now(), show.starts_at - timedelta(minutes=1))
    show.sales_close_at = sales_close_at or show.starts_at
    _sales_window_checked(show)
    _schedule_locked(auditorium.pk)
    _saved(show)
    audit_log(actor, "show.created", show, after=audit_snapshot(show, SHOW_AUDIT_FIELDS))
    return show


def _sales_window_checked(show: Show) -> None:
    if show.sales_close_at <= show.sales_open_at:
        raise DomainError(ShowErrorCode.SHOW_INVALID, "Sales must close after they open.")
    if show.sales_close_at > show.ends_at:
        raise DomainError(ShowErrorCode.SHOW_INVALID, "Sales must close before the show ends.")


@transaction.atomic
def show_reschedule(
    show: Show, *, starts_at: datetime, extra_minutes: int | None = None, actor: Any = None
) -> Show:
    """Move a show that is not on sale yet (customers may hold seats of one on sale).

    Trailers and intervals (`extra_minutes`) stay as they were unless given; a show
    priced by its card is priced again for the new local time; the sales window moves
    with the show. Audited as `show.rescheduled`.
    """
    _schedule_locked(show.auditorium_id)
    show = (
        Show.objects.select_for_update()
        .select_related("title", "auditorium__venue")
        .get(pk=show.pk)
    )
    if show.status != Show.Status.SCHEDULED:
        raise Conflict(ShowErrorCode.SHOW_ON_SALE, "Only a show not yet on sale can move.")
    before = audit_snapshot(show, SHOW_AUDIT_FIELDS)
    if extra_minutes is None:
        extra_minutes = int((show.ends_at - show.starts_at).total_seconds() // 60) - (
            show.title.runtime_minutes
        )
    moved_by = starts_at - show.starts_at
    _starts_checked(starts_at)
    _schedule(
        show,
        title=show.title,
        auditorium=show.auditorium,
        starts_at=starts_at,
        extra_minutes=max(0, extra_minutes),
    )
    if show.price_card_id:
        _price(show, prices=None, price_card=show.price_card)
    show.sales_close_at += moved_by
    show.sales_open_at = min(show.sales_open_at, show.sales_close_at - timedelta(minutes=1))
    _saved(show)
    audit_log(actor, "show.rescheduled", show, before, audit_snapshot(show, SHOW_AUDIT_FIELDS))
    return show


@transaction.atomic
def show_update(show: Show, *, actor: Any = None, **fields: Any) -> Show:
    """Change a show's attributes, prices or sales window (not its time or place).
    Audited as `show.changed` with what changed (prices too)."""
    allowed = {
        "audio_language",
        "subtitle_language",
        "attributes",
        "prices",
        "sales_open_at",
        "sales_close_at",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(ShowErrorCode.SHOW_INVALID, f"Cannot change {sorted(unknown)} here.")
    show = Show.objects.select_for_update().select_related("auditorium", "venue").get(pk=show.pk)
    before = audit_snapshot(show, SHOW_AUDIT_FIELDS)
    if "prices" in fields:
        merged = {**show.prices, **fields.pop("prices")}
        # Prices set by hand are the show's own from now on, not the card's.
        _price(show, prices=merged, price_card=None)
    for name, value in fields.items():
        setattr(show, name, value)
    _sales_window_checked(show)
    if show.status == Show.Status.ON_SALE:
        cache_namespace_bump(show_seats_cache_namespace(show.pk))
    _saved(show)
    audit_log(actor, "show.changed", show, before, audit_snapshot(show, SHOW_AUDIT_FIELDS))
    return show


@transaction.atomic
def show_cancel(show: Show, *, with_sales: bool = False, actor: Any = None) -> Show:
    """Cancel a show; its time in the auditorium becomes free for another.

    Refused while any of its seats is held or sold, unless `with_sales`: then the
    caller (`venue_apps.sales.cancellation.show_cancel_and_refund`) refunds everyone
    afterwards; from the moment this commits nothing more can be sold for it. Audited
    as `show.cancelled` by `actor` (the caller that refunds passes on its own).
    """
    show = Show.objects.select_for_update().get(pk=show.pk)
    if show.status == Show.Status.CANCELLED:
        return show
    if not with_sales and show.seats.filter(state__in=["held", "sold"]).exists():
        raise Conflict(
            ShowErrorCode.SHOW_ON_SALE, "Seats of this show are held or sold; refund them first."
        )
    before = {"status": show.status}
    show.status = Show.Status.CANCELLED
    cache_namespace_bump(show_seats_cache_namespace(show.pk))
    _saved(show)
    audit_log(actor, "show.cancelled", show, before, {"status": show.status}, with_sales=with_sales)
    return show
