"""Shows and the price cards that price them.

A show is a title in an auditorium at a time. The database refuses two live shows whose
time in one auditorium overlaps, cleaning time included (an exclusion constraint), so
no code path and no race can double-book a screen.
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q

from venue_apps.catalog.models import Format, Title
from venue_apps.venues.models import Auditorium, SeatCategory, Venue


class PriceCard(models.Model):
    """A chain's named set of pricing rules, e.g. "Standard 2D" or "IMAX premium"."""

    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PriceRule(models.Model):
    """The price of one seat category on some days at some times of day.

    Days are ISO weekdays (1 = Monday ... 7 = Sunday) in the venue's local time; an
    empty list means every day. `starts_at`/`ends_at` bound the show's local start
    time (end exclusive); empty means all day. When several rules match, the one with
    the highest `priority` wins (see shows.pricing).
    """

    price_card = models.ForeignKey(PriceCard, on_delete=models.CASCADE, related_name="rules")
    category = models.ForeignKey(SeatCategory, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveIntegerField(help_text="Minor units of the chain's currency.")
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(7)]),
        default=list,
        blank=True,
    )
    starts_at = models.TimeField(null=True, blank=True)
    ends_at = models.TimeField(null=True, blank=True)
    priority = models.SmallIntegerField(default=0)

    class Meta:
        ordering = ["price_card_id", "category_id", "-priority", "id"]

    def __str__(self) -> str:
        return f"{self.price_card} / {self.category}: {self.amount}"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def show_seats_cache_namespace(show_id: int) -> str:
    """The cache namespace of a show's seat map: every change of its seats bumps it."""
    return f"show-seats:{show_id}"


class Show(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"  # visible, not yet selling
        ON_SALE = "on_sale", "On sale"
        CANCELLED = "cancelled", "Cancelled"

    title = models.ForeignKey(Title, on_delete=models.PROTECT, related_name="shows")
    auditorium = models.ForeignKey(Auditorium, on_delete=models.PROTECT, related_name="shows")
    # Copied from the auditorium so that listing shows by venue needs no join.
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="shows")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # ends_at plus the auditorium's cleaning time: the screen is busy until then.
    busy_until = models.DateTimeField()
    # The calendar day of the start in the venue's time zone (what "today" means there).
    local_date = models.DateField()
    format = models.CharField(max_length=16, choices=Format.choices, default=Format.TWO_D)
    audio_language = models.CharField(max_length=3, blank=True)
    subtitle_language = models.CharField(max_length=3, blank=True)
    # Free tags a chain filters by: "recliners", "kids", "sensory-friendly", "q-and-a".
    attributes = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    price_card = models.ForeignKey(
        PriceCard, on_delete=models.PROTECT, null=True, blank=True, related_name="shows"
    )
    # Minor units per seat category code, resolved from the price card when scheduled.
    prices = models.JSONField(default=dict)
    sales_open_at = models.DateTimeField()
    sales_close_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    # The auditorium layout version the inventory was copied from.
    layout_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            ExclusionConstraint(
                name="show_no_overlap_in_auditorium",
                expressions=[
                    (F("auditorium"), RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "busy_until"), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status="cancelled"),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")) & Q(busy_until__gte=F("ends_at")),
                name="show_times_ordered",
            ),
            models.CheckConstraint(
                condition=Q(sales_close_at__gt=F("sales_open_at")), name="show_sales_window"
            ),
        ]
        indexes = [
            models.Index(fields=["local_date", "venue"], name="show_day_venue"),
            models.Index(fields=["title", "starts_at"], name="show_title_start"),
            models.Index(fields=["auditorium", "starts_at"], name="show_auditorium_start"),
        ]

    def __str__(self) -> str:
        # What staff recognise in the dashboards' lists and choices: the title, the
        # venue and the local start (lists select the title and venue with the show).
        if self.starts_at is None or not (self.title_id and self.venue_id):
            return f"show {self.pk or '(new)'}"
        local = self.starts_at.astimezone(self.venue.zone)
        return f"{self.title.name} · {self.venue.name} · {local:%a %d %b %Y %H:%M}"
