"""Reads of titles: filters and full-text search (current schema)."""

from __future__ import annotations

import re
from datetime import date as Date

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, Q, QuerySet

from tenants.error_codes import NotFound
from venue_apps.catalog.error_codes import CatalogErrorCode
from venue_apps.catalog.models import Title

_WORD = re.compile(r"\w+", re.UNICODE)


def title_search_query(text: str) -> SearchQuery | None:
    """Every word must match, the last as a prefix, so "aveng end" finds "Avengers: Endgame".

    Asked twice: unstemmed (`simple`) for names and people, stemmed (`english`) for the
    synopsis, so "forgers robbery" finds a synopsis that says "forgers ... robbery".
    """
    words = _WORD.findall(text.lower())[:8]
    if not words:
        return None
    terms = [f"{word}:*" if index == len(words) - 1 else word for index, word in enumerate(words)]
    raw = " & ".join(terms)
    return SearchQuery(raw, search_type="raw", config="simple") | SearchQuery(
        raw, search_type="raw", config="english"
    )


def title_list(
    *,
    kind: str | None = None,
    genre: str | None = None,
    language: str | None = None,
    format: str | None = None,
    q: str | None = None,
    coming_soon: bool | None = None,
    today: Date | None = None,
    include_inactive: bool = False,
) -> QuerySet[Title]:
    """Titles by the storefront's filters. `coming_soon=True` keeps titles released
    after `today` (the chain's today, in its own time zone); `False` keeps those already
    out, and titles without a release date, which are taken to be out."""
    titles = Title.objects.all() if include_inactive else Title.objects.filter(is_active=True)
    if coming_soon is not None:
        if today is None:
            raise ValueError("`coming_soon` needs the chain's `today`.")
        upcoming = Q(release_date__gt=today)
        titles = titles.filter(upcoming if coming_soon else ~upcoming)
    if kind:
        titles = titles.filter(kind=kind)
    if genre:
        titles = titles.filter(genres__contains=[genre.lower()])
    if language:
        titles = titles.filter(languages__contains=[language.lower()])
    if format:
        titles = titles.filter(formats__contains=[format.lower()])
    if q:
        query = title_search_query(q)
        if query is None:
            return titles.none()
        titles = (
            titles.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "name", "id")
        )
    return titles.defer("search_vector")


def title_get(title_id: int) -> Title:
    try:
        return Title.objects.defer("search_vector").prefetch_related("credits").get(pk=title_id)
    except Title.DoesNotExist as error:
        raise NotFound(CatalogErrorCode.TITLE_NOT_FOUND, f"No title {title_id}.") from error


def title_public(title_id: int) -> Title | None:
    """A title customers may see (active), with its credits; None otherwise."""
    return (
        Title.objects.defer("search_vector")
        .filter(pk=title_id, is_active=True)
        .prefetch_related("credits")
        .first()
    )
