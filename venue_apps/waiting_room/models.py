"""A show's waiting-room settings. The queue itself (tickets, the admission frontier,
arrivals) lives in Redis (`venue_apps.waiting_room.queue`); these rows are what staff
decided, and survive Redis."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from venue_apps.shows.models import Show

# What picking seats and paying takes beyond the hold's own TTL: an admission lasts
# the chain's hold TTL plus this, unless the show sets its own.
CHECKOUT_ALLOWANCE_SECONDS = 600


class QueueSettings(models.Model):
    show = models.OneToOneField(
        Show, on_delete=models.CASCADE, primary_key=True, related_name="queue_settings"
    )
    # Turned on by staff; it may also be on for a while by itself (auto-enable).
    enabled = models.BooleanField(default=False)
    admissions_per_second = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    # Hold requests per second on this show above which the queue turns itself on for
    # `auto_enable_seconds`; None: never by itself.
    auto_enable_arrivals_per_second = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    auto_enable_seconds = models.PositiveIntegerField(
        default=900, validators=[MinValueValidator(60), MaxValueValidator(86_400)]
    )
    # How long an admission lasts; None: the chain's hold TTL + CHECKOUT_ALLOWANCE_SECONDS.
    admission_ttl_seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(60), MaxValueValidator(7_200)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "waiting room"
        verbose_name_plural = "waiting rooms"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(admissions_per_second__gte=1),
                name="queue_settings_rate_positive",
            )
        ]

    def __str__(self) -> str:
        return f"Waiting room of show {self.show_id}"
