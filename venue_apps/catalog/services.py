"""State changes of titles and their credits (current schema)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.utils import timezone
from django.utils.text import slugify

from tenants.cache import PROGRAMME_CACHE, cache_namespace_bump
from tenants.error_codes import Conflict, DomainError
from venue_apps.audit.services import audit_log, audit_snapshot
from venue_apps.catalog.error_codes import CatalogErrorCode
from venue_apps.catalog.models import Credit, Format, Kind, Title

CATALOG_CACHE = PROGRAMME_CACHE
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_EDITABLE = frozenset(Title.EDITABLE_FIELDS)


@dataclass(frozen=True)
class CreditSpec:
    person: str
    role: str
    character: str = ""


def title_fields_clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise title fields; raises DomainError with the reason."""
    unknown = set(fields) - _EDITABLE
    if unknown:
        raise DomainError(CatalogErrorCode.TITLE_INVALID, f"Unknown fields: {sorted(unknown)}.")
    if "kind" in fields and fields["kind"] not in Kind.values:
        raise DomainError(CatalogErrorCode.TITLE_INVALID, f"Unknown kind {fields['kind']!r}.")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise DomainError(CatalogErrorCode.TITLE_INVALID, "A title needs a name.")
    if "runtime_minutes" in fields and not 1 <= int(fields["runtime_minutes"]) <= 1440:
        raise DomainError(CatalogErrorCode.TITLE_INVALID, "The runtime is 1 to 1440 minutes.")
    if "formats" in fields:
        bad = [value for value in fields["formats"] if value not in Format.values]
        if bad:
            raise DomainError(
                CatalogErrorCode.FORMAT_INVALID,
                f"Unknown formats {bad}; use {', '.join(Format.values)}.",
            )
        fields["formats"] = list(dict.fromkeys(fields["formats"]))
    if "languages" in fields:
        fields["languages"] = [value.strip().lower() for value in fields["languages"]]
        bad = [value for value in fields["languages"] if not _LANGUAGE.match(value)]
        if bad:
            raise DomainError(
                CatalogErrorCode.LANGUAGE_INVALID, f"Use ISO 639 codes like 'hi', not {bad}."
            )
        fields["languages"] = list(dict.fromkeys(fields["languages"]))
    if "genres" in fields:
        fields["genres"] = list(
            dict.fromkeys(slugify(value) for value in fields["genres"] if slugify(value))
        )
    return fields


def _unique_slug(name: str) -> str:
    base = slugify(name)[:180] or "title"
    taken = set(Title.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def _credits_replace(title: Title, credits: Sequence[CreditSpec]) -> None:
    for credit in credits:
        if credit.role not in Credit.Role.values:
            raise DomainError(
                CatalogErrorCode.TITLE_INVALID, f"Unknown credit role {credit.role!r}."
            )
    title.credits.all().delete()
    Credit.objects.bulk_create(
        Credit(
            title=title,
            person=credit.person.strip(),
            role=credit.role,
            character=credit.character.strip(),
            position=position,
        )
        for position, credit in enumerate(credits)
    )


def _upcoming_shows_lengthen(title: Title, *, minutes: int) -> None:
    # Shows not yet started end `minutes` later (or earlier), and their screens stay busy
    # as much longer; the exclusion constraint refuses the change if that makes two
    # shows overlap, and the whole update is refused.
    delta = timedelta(minutes=minutes)
    try:
        with transaction.atomic():
            title.shows.exclude(status="cancelled").filter(starts_at__gt=timezone.now()).update(
                ends_at=F("ends_at") + delta, busy_until=F("busy_until") + delta
            )
    except IntegrityError as error:
        raise Conflict(
            CatalogErrorCode.TITLE_INVALID,
            "With that runtime some of its shows would overlap the next show in their "
            "auditorium; reschedule them first.",
        ) from error


def title_snapshot(title: Title) -> dict[str, Any]:
    """A title's editable fields and credits, as the audit log keeps them."""
    snapshot = audit_snapshot(title, Title.EDITABLE_FIELDS)
    snapshot["credits"] = [
        [credit.person, credit.role, credit.character]
        for credit in title.credits.order_by("position", "pk")
    ]
    return snapshot


def title_search_refresh(title_ids: Iterable[int]) -> None:
    """Recompute the stored full-text vector: name (A), people (B), synopsis (C).

    Names and people use the `simple` configuration (no stemming: titles and names are
    often not English); the synopsis uses `english`.
    """
    for title in Title.objects.filter(pk__in=list(title_ids)).prefetch_related("credits"):
        people = " ".join(
            f"{credit.person} {credit.character}".strip() for credit in title.credits.all()
        )
        Title.objects.filter(pk=title.pk).update(
            search_vector=SearchVector("name", weight="A", config="simple")
            + SearchVector(Value(people), weight="B", config="simple")
            + SearchVector("synopsis", weight="C", config="english")
        )


@transaction.atomic
def title_create(*, credits: Sequence[CreditSpec] = (), actor: Any = None, **fields: Any) -> Title:
    """Create a film or event. Genres are slugged, languages are ISO 639 codes.
    Audited as `title.created` by `actor` (None: the system, e.g. an import)."""
    fields = title_fields_clean(fields)
    for required in ("name", "runtime_minutes"):
        if required not in fields:
            raise DomainError(CatalogErrorCode.TITLE_INVALID, f"{required} is required.")
    title = Title.objects.create(slug=_unique_slug(fields["name"]), **fields)
    _credits_replace(title, credits)
    title_search_refresh([title.pk])
    audit_log(actor, "title.created", title, after=title_snapshot(title))
    cache_namespace_bump(CATALOG_CACHE)
    return title


@transaction.atomic
def title_update(
    title: Title,
    *,
    credits: Sequence[CreditSpec] | None = None,
    actor: Any = None,
    **fields: Any,
) -> Title:
    """Change a title; `credits`, when given, replace the existing ones. Audited as
    `title.changed` with the fields (and credits) that changed."""
    fields = title_fields_clean(fields)
    title = Title.objects.select_for_update().get(pk=title.pk)
    before = title_snapshot(title)
    runtime_change = (
        int(fields.get("runtime_minutes", title.runtime_minutes)) - title.runtime_minutes
    )
    for name, value in fields.items():
        setattr(title, name, value)
    title.save()
    if runtime_change:
        _upcoming_shows_lengthen(title, minutes=runtime_change)
    if credits is not None:
        _credits_replace(title, credits)
    title_search_refresh([title.pk])
    audit_log(actor, "title.changed", title, before, title_snapshot(title))
    cache_namespace_bump(CATALOG_CACHE)
    return title


@transaction.atomic
def title_poster_set(title: Title, *, image: bytes, filename: str, actor: Any = None) -> Title:
    """Store a poster image for the title (under the chain's own media path, see
    `catalog.models.poster_path`), replacing the reference to any earlier one; audited
    as `title.poster_changed` with the old and new file names."""
    from django.core.files.base import ContentFile

    title = Title.objects.select_for_update().get(pk=title.pk)
    old = title.poster.name or ""
    title.poster.save(filename, ContentFile(image), save=False)
    title.save(update_fields=["poster", "updated_at"])
    audit_log(actor, "title.poster_changed", title, {"poster": old}, {"poster": title.poster.name})
    cache_namespace_bump(CATALOG_CACHE)
    return title
