"""Bulk import and export of shows (CSV, XLSX) with django-import-export.

Each imported row schedules a new show through `show_create`, so it is priced from its
price card and checked against the auditorium's other shows (cleaning time included)
exactly as through the API. A start time without an offset is read in the venue's
time zone. With any row in error nothing is imported.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from tenants.error_codes import DomainError
from venue_apps.catalog.models import Title
from venue_apps.shows.models import PriceCard, Show
from venue_apps.shows.services import show_create
from venue_apps.venues.models import Auditorium, Venue


class AuditoriumOfRowWidget(widgets.ForeignKeyWidget):
    """An auditorium by name within the row's venue."""

    def get_queryset(self, value: Any, row: dict, *args: Any, **kwargs: Any):
        return Auditorium.objects.filter(venue__name=row.get("venue"))


class LocalDateTimeWidget(widgets.Widget):
    """ISO 8601; without an offset the time is the venue's local time."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> datetime | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            moment = value
        else:
            try:
                moment = datetime.fromisoformat(str(value).strip())
            except ValueError as error:
                raise ValueError(
                    f"{value!r} is not a date and time like 2026-12-01T18:30"
                ) from error
        if moment.tzinfo is None:
            venue = Venue.objects.filter(name=(row or {}).get("venue")).first()
            if venue is None:
                raise ValueError("Give the venue, or a start time with its UTC offset.")
            moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(venue.timezone))
        return moment

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        zone = obj.venue.zone if obj is not None else None
        return value.astimezone(zone).isoformat() if zone else value.isoformat()


class ShowResource(resources.ModelResource):
    title = fields.Field(
        attribute="title", column_name="title", widget=widgets.ForeignKeyWidget(Title, "slug")
    )
    venue = fields.Field(
        attribute="venue", column_name="venue", widget=widgets.ForeignKeyWidget(Venue, "name")
    )
    auditorium = fields.Field(
        attribute="auditorium",
        column_name="auditorium",
        widget=AuditoriumOfRowWidget(Auditorium, "name"),
    )
    starts_at = fields.Field(
        attribute="starts_at", column_name="starts_at", widget=LocalDateTimeWidget()
    )
    price_card = fields.Field(
        attribute="price_card",
        column_name="price_card",
        widget=widgets.ForeignKeyWidget(PriceCard, "name"),
    )
    attributes = fields.Field(
        attribute="attributes", column_name="attributes", widget=widgets.SimpleArrayWidget()
    )
    prices = fields.Field(attribute="prices", column_name="prices", widget=widgets.JSONWidget())

    class Meta:
        model = Show
        import_id_fields = ("id",)
        fields = (
            "id",
            "title",
            "venue",
            "auditorium",
            "starts_at",
            "format",
            "audio_language",
            "subtitle_language",
            "attributes",
            "price_card",
            "prices",
            "status",
        )
        export_order = fields
        use_transactions = True
        clean_model_instances = False

    def get_queryset(self):
        return Show.objects.select_related("title", "venue", "auditorium", "price_card")

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        if "id" not in (dataset.headers or []):
            dataset.append_col([""] * len(dataset), header="id")

    def before_import_row(self, row: dict, **kwargs: Any) -> None:
        if row.get("id"):
            raise ValidationError(
                "Import creates shows; leave `id` empty (change shows in the API)."
            )
        for name in ("attributes", "format", "audio_language", "subtitle_language"):
            if row.get(name) is None:
                row[name] = ""

    def do_instance_save(self, instance: Show, is_create: bool) -> None:
        if (
            instance.title_id is None
            or instance.auditorium_id is None
            or instance.starts_at is None
        ):
            raise ValidationError(
                "Each show needs a title, a venue with its auditorium, and a start."
            )
        try:
            created = show_create(
                title=instance.title,
                auditorium=instance.auditorium,
                starts_at=instance.starts_at,
                format=instance.format or "2d",
                audio_language=instance.audio_language or "",
                subtitle_language=instance.subtitle_language or "",
                attributes=[value for value in instance.attributes or [] if value],
                price_card=instance.price_card,
                prices=instance.prices or None,
            )
        except DomainError as error:
            raise ValidationError(error.detail) from error
        instance.pk = created.pk
