"""Reads of shows: lists with their filters and the day's showtime grid."""

from __future__ import annotations

import json
from datetime import date as Date
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from tenants.cache import cache_key, cached
from tenants.error_codes import NotFound
from venue_apps.catalog.models import Title
from venue_apps.catalog.services import CATALOG_CACHE
from venue_apps.shows.error_codes import ShowErrorCode
from venue_apps.shows.models import PriceCard, Show


def show_list(
    *,
    title: int | None = None,
    venue: int | None = None,
    auditorium: int | None = None,
    date: Date | None = None,
    format: str | None = None,
    language: str | None = None,
    attribute: str | None = None,
    include_cancelled: bool = False,
) -> QuerySet[Show]:
    shows = Show.objects.select_related("title", "auditorium", "venue")
    if not include_cancelled:
        shows = shows.exclude(status=Show.Status.CANCELLED)
    if title:
        shows = shows.filter(title_id=title)
    if venue:
        shows = shows.filter(venue_id=venue)
    if auditorium:
        shows = shows.filter(auditorium_id=auditorium)
    if date:
        shows = shows.filter(local_date=date)
    if format:
        shows = shows.filter(format=format.lower())
    if language:
        shows = shows.filter(audio_language=language.lower())
    if attribute:
        shows = shows.filter(attributes__contains=[attribute.lower()])
    return shows.order_by("starts_at", "id")


def show_get(show_id: int) -> Show:
    try:
        return Show.objects.select_related("title", "auditorium", "venue").get(pk=show_id)
    except Show.DoesNotExist as error:
        raise NotFound(ShowErrorCode.SHOW_NOT_FOUND, f"No show {show_id}.") from error


def titles_showing(
    titles: QuerySet[Title], *, date: Date | None = None, venue: int | None = None
) -> QuerySet[Title]:
    """Narrow titles to those with a live show on that local date and/or at that venue."""
    if not date and not venue:
        return titles
    shows = Show.objects.filter(title=OuterRef("pk")).exclude(status=Show.Status.CANCELLED)
    if date:
        shows = shows.filter(local_date=date)
    if venue:
        shows = shows.filter(venue_id=venue)
    return titles.filter(Exists(shows))


def _show_summary(show: Show) -> dict[str, Any]:
    return {
        "id": show.pk,
        "auditorium": {"id": show.auditorium_id, "name": show.auditorium.name},
        "starts_at": show.starts_at.astimezone(show.venue.zone).isoformat(),
        "ends_at": show.ends_at.astimezone(show.venue.zone).isoformat(),
        "format": show.format,
        "audio_language": show.audio_language,
        "subtitle_language": show.subtitle_language,
        "attributes": show.attributes,
        "status": show.status,
        "prices": show.prices,
    }


def showtime_grid_uncached(*, date: Date, venue: int | None = None) -> dict[str, Any]:
    """All live shows of a local day across the chain's venues, grouped by title then
    venue, in start order: the page a cinema customer expects. One query."""
    grid: dict[int, dict[str, Any]] = {}
    for show in show_list(date=date, venue=venue).select_related("title", "venue"):
        title = show.title
        entry = grid.setdefault(
            title.pk,
            {
                "id": title.pk,
                "name": title.name,
                "slug": title.slug,
                "kind": title.kind,
                "certificate": title.certificate,
                "runtime_minutes": title.runtime_minutes,
                "genres": title.genres,
                "languages": title.languages,
                "poster_url": title.poster_url,
                "poster": title.poster.url if title.poster else None,
                "venues": {},
            },
        )
        venue_entry = entry["venues"].setdefault(
            show.venue_id,
            {
                "id": show.venue_id,
                "name": show.venue.name,
                "timezone": show.venue.timezone,
                "shows": [],
            },
        )
        venue_entry["shows"].append(_show_summary(show))
    titles = sorted(grid.values(), key=lambda entry: entry["name"])
    for entry in titles:
        entry["venues"] = sorted(entry["venues"].values(), key=lambda venue: venue["name"])
    return {"date": date.isoformat(), "titles": titles}


def showtime_grid_json(*, date: Date, venue: int | None = None) -> bytes:
    """The grid as JSON, cached per tenant until the next change of the programme."""
    return cached(
        CATALOG_CACHE,
        "grid.json:" + cache_key(date, venue),
        lambda: json.dumps(
            showtime_grid_uncached(date=date, venue=venue), separators=(",", ":")
        ).encode(),
    )


def price_card_list() -> QuerySet[PriceCard]:
    return PriceCard.objects.prefetch_related("rules__category")


def show_public(show_id: int) -> Show | None:
    """A show customers may see (not cancelled, of an active title), with its title,
    venue and auditorium; None otherwise."""
    return (
        Show.objects.select_related("title", "venue", "auditorium")
        .defer("title__search_vector")
        .exclude(status=Show.Status.CANCELLED)
        .filter(pk=show_id, title__is_active=True)
        .first()
    )


def shows_selling(*, title: int | None = None) -> QuerySet[Show]:
    """Shows on sale now and yet to start, soonest first, with their venue: what a
    customer can book today."""
    now = timezone.now()
    shows = Show.objects.select_related("venue").filter(
        status=Show.Status.ON_SALE, starts_at__gt=now, sales_close_at__gt=now
    )
    if title is not None:
        shows = shows.filter(title_id=title)
    return shows.order_by("starts_at", "id")
