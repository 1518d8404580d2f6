"""Output shapes of the imports (for the OpenAPI schema and the tests)."""

from __future__ import annotations

from rest_framework import serializers


class ImportOutput(serializers.Serializer):
    dry_run = serializers.BooleanField(help_text="Checked only: nothing was written.")
    rows = serializers.IntegerField()
    totals = serializers.DictField(
        child=serializers.IntegerField(), help_text="Rows per outcome: new, update, skip..."
    )


class SeatMapImportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    layout_version = serializers.IntegerField()
    seats = serializers.IntegerField(help_text="How many seats the map has now.")
