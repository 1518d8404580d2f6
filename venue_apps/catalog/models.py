"""Titles: the films and events a chain shows, with what customers search and filter by.

Genres, languages and formats are arrays on the title (with GIN indexes), so a list of
titles needs no join to filter or to serialise them. Full-text search uses a stored
tsvector kept up to date by PostgreSQL itself (a generated column).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models

from tenants.schemas import current_schema_name


def poster_path(title: Title, filename: str) -> str:
    # Files are keyed by schema like every other store outside PostgreSQL.
    return f"tenants/{current_schema_name()}/posters/{filename}"


class Kind(models.TextChoices):
    FILM = "film", "Film"
    PLAY = "play", "Play"
    MUSICAL = "musical", "Musical"
    CONCERT = "concert", "Concert"
    COMEDY = "comedy", "Comedy"
    OPERA = "opera", "Opera"
    DANCE = "dance", "Dance"
    SPORT = "sport", "Sport screening"
    EVENT = "event", "Event"


class Format(models.TextChoices):
    TWO_D = "2d", "2D"
    THREE_D = "3d", "3D"
    IMAX = "imax", "IMAX"
    IMAX_3D = "imax-3d", "IMAX 3D"
    FOUR_DX = "4dx", "4DX"
    DOLBY_ATMOS = "dolby-atmos", "Dolby Atmos"
    SCREEN_X = "screenx", "ScreenX"
    LIVE = "live", "Live"


class Title(models.Model):
    # What staff set, through the API, the dashboard and imports alike.
    EDITABLE_FIELDS = (
        "kind",
        "name",
        "synopsis",
        "runtime_minutes",
        "certificate",
        "minimum_age",
        "genres",
        "languages",
        "formats",
        "release_date",
        "poster_url",
        "trailer_url",
        "is_active",
    )

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FILM)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    synopsis = models.TextField(blank=True)
    runtime_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    # As the local board rates it: "U/A 13+", "PG-13", "15", "FSK 12".
    certificate = models.CharField(max_length=16, blank=True)
    # Lowest age admitted, for filtering across rating systems; null when unrated.
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    genres = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    # ISO 639 codes of the original/audio languages: "hi", "en", "ta".
    languages = ArrayField(models.CharField(max_length=3), default=list, blank=True)
    formats = ArrayField(
        models.CharField(max_length=16, choices=Format.choices), default=list, blank=True
    )
    release_date = models.DateField(null=True, blank=True)
    poster = models.ImageField(upload_to=poster_path, blank=True)
    poster_url = models.URLField(blank=True)
    trailer_url = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    # Maintained by the database from name, synopsis and credits (see catalog services).
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            GinIndex(fields=["search_vector"], name="title_search"),
            GinIndex(fields=["genres"], name="title_genres"),
            GinIndex(fields=["languages"], name="title_languages"),
            GinIndex(fields=["formats"], name="title_formats"),
            models.Index(fields=["kind", "is_active"], name="title_kind_active"),
        ]

    def __str__(self) -> str:
        return self.name


class Credit(models.Model):
    class Role(models.TextChoices):
        DIRECTOR = "director", "Director"
        CAST = "cast", "Cast"
        WRITER = "writer", "Writer"
        PRODUCER = "producer", "Producer"
        MUSIC = "music", "Music"
        CHOREOGRAPHER = "choreographer", "Choreographer"

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="credits")
    person = models.CharField(max_length=120)
    role = models.CharField(max_length=16, choices=Role.choices)
    character = models.CharField(max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["title_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.person} ({self.role})"
