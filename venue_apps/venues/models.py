"""Venues, auditoriums and their seat maps.

A seat map is a set of seats, each with a label, row, number, category and drawing
coordinates. Maps are edited in place, but shows already on sale never see the edit:
their inventory copies what it needs from each seat when the show goes on sale, and
seats are retired (`is_active=False`), never deleted, once a show has used them.
"""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from tenants.validators import timezone_canonical

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1a2b3c.")


def validate_timezone(value: str) -> None:
    # The chains' own rule (tenants.validators): a zone of the IANA database in its own
    # spelling, never `localtime` (the server's zone) or `Factory`.
    if timezone_canonical(value) != value:
        raise ValidationError(f"{value!r} is not an IANA time zone, e.g. Asia/Kolkata.")


class Venue(models.Model):
    # What staff edit, in the API and the dashboard alike.
    EDITABLE_FIELDS = (
        "name",
        "address_line1",
        "address_line2",
        "city",
        "region",
        "postal_code",
        "country",
        "timezone",
        "latitude",
        "longitude",
        "is_active",
    )

    name = models.CharField(max_length=120)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2, validators=[RegexValidator(r"^[A-Z]{2}$", "ISO 3166 code, e.g. IN.")]
    )
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint("name", name="venue_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class SeatCategory(models.Model):
    """A kind of seat the chain prices separately: regular, premium, recliner, couple..."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=60)
    # Lower ranks are listed first on the seat map legend and in price lists.
    rank = models.PositiveSmallIntegerField(default=100)
    colour = models.CharField(max_length=7, default="#64748b", validators=[HEX_COLOUR])

    class Meta:
        ordering = ["rank", "code"]
        verbose_name_plural = "seat categories"

    def __str__(self) -> str:
        return self.name


class Auditorium(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="auditoriums")
    name = models.CharField(max_length=80)
    # Minutes the screen stays closed after a show for cleaning; shows cannot overlap it.
    cleaning_minutes = models.PositiveSmallIntegerField(default=15)
    # Where the screen or stage is on the map (y grows away from it); best-available
    # seating measures distance from here.
    screen_y = models.IntegerField(default=-2)
    # Bumped on every change of the seat map; shows keep the version they copied.
    layout_version = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["venue_id", "name"]
        constraints = [
            models.UniqueConstraint("venue", "name", name="auditorium_name_unique_per_venue")
        ]

    def __str__(self) -> str:
        return f"{self.venue.name} / {self.name}"


class Section(models.Model):
    auditorium = models.ForeignKey(Auditorium, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["auditorium_id", "position", "id"]
        constraints = [models.UniqueConstraint("auditorium", "name", name="section_name_unique")]

    def __str__(self) -> str:
        return self.name


class Seat(models.Model):
    auditorium = models.ForeignKey(Auditorium, on_delete=models.CASCADE, related_name="seats")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="seats")
    category = models.ForeignKey(SeatCategory, on_delete=models.PROTECT, related_name="seats")
    row = models.CharField(max_length=8)
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    label = models.CharField(max_length=16)
    # Drawing coordinates in grid units: x along the row, y away from the screen.
    x = models.IntegerField()
    y = models.IntegerField()
    # Places wide: 2 for a couple seat sold as one.
    width = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    is_wheelchair = models.BooleanField(default=False)
    # The seat kept for a wheelchair user's companion; sold together with it.
    companion = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="companion_of"
    )
    # Never sold (a pillar, a broken seat, a camera position) until unblocked.
    is_blocked = models.BooleanField(default=False)
    # Retired from the map; kept because shows on sale may still reference it.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["auditorium_id", "y", "x"]
        constraints = [
            models.UniqueConstraint(
                "auditorium", "label", condition=Q(is_active=True), name="seat_label_unique"
            ),
            models.UniqueConstraint(
                "auditorium",
                "x",
                "y",
                condition=Q(is_active=True),
                name="seat_position_unique",
            ),
            models.CheckConstraint(condition=Q(width__gte=1), name="seat_width_positive"),
        ]
        indexes = [models.Index(fields=["auditorium", "is_active"], name="seat_auditorium_active")]

    def __str__(self) -> str:
        return self.label
