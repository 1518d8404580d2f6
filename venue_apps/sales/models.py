"""The sale's own records: runs of a show's cancellation and how far each got."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from venue_apps.shows.models import Show


class ShowCancellation(models.Model):
    """One run of cancelling a show and refunding its orders (a Celery task).

    The counters are bumped in the same transaction as the order they count, so
    `orders_done` of `orders_total` is exactly what has been committed.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    show = models.ForeignKey(Show, on_delete=models.PROTECT, related_name="cancellations")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by_email = models.CharField(max_length=254, blank=True)
    orders_total = models.PositiveIntegerField(default=0)
    orders_done = models.PositiveIntegerField(default=0)
    refunded_orders = models.PositiveIntegerField(default=0)
    released_orders = models.PositiveIntegerField(default=0)
    released_holds = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(
        default=0, help_text="Orders not settled; cancel the show again for them."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"show {self.show_id} cancellation {self.pk}: {self.status}"
