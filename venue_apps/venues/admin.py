"""The chain dashboard's view of venues and seat maps (registered in dashboards.sites).

Auditoriums are edited as a text layout: the form shows the current map in the
layout language and saves changes through the services (seats matched by label,
retired rather than deleted once a show used them).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, Q

from venue_apps.venues import selectors, services
from venue_apps.venues.layout import LayoutError, layout_parse, layout_render
from venue_apps.venues.models import Auditorium, SeatCategory
from venue_apps.venues.services import DEFAULT_CATEGORY_CODES


class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "timezone", "is_active"]
    list_filter = ["is_active", "country"]
    search_fields = ["name", "city"]


class SeatCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "rank", "colour"]
    ordering = ["rank"]


class AuditoriumForm(forms.ModelForm):
    layout = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "cols": 90, "style": "font-family: monospace"}),
        help_text=(
            "One line a row, e.g. <code>A: RRRR.RRRR</code>. R regular, P premium, "
            "L recliner, CC couple seat, W wheelchair place with an adjacent M companion, "
            "X blocked seat, . aisle; <code>[Name]</code> starts a section, <code>-</code> "
            "leaves an empty row."
        ),
    )

    class Meta:
        model = Auditorium
        fields = ["venue", "name", "cleaning_minutes", "screen_y", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            auditorium = selectors.auditorium_seat_map(self.instance.pk)
            try:
                self.fields["layout"].initial = layout_render(
                    selectors.auditorium_seat_specs(auditorium)
                )
            except LayoutError:
                self.fields["layout"].required = False
                self.fields["layout"].help_text = (
                    "This map was imported from a file the text layout cannot express; "
                    "replace it with a new layout or upload a CSV through the API."
                )

    def clean_layout(self) -> str:
        text = self.cleaned_data.get("layout") or ""
        if text.strip():
            try:
                specs = layout_parse(text)
            except LayoutError as error:
                raise forms.ValidationError(str(error)) from error
            known = set(SeatCategory.objects.values_list("code", flat=True))
            unknown = sorted({spec.category for spec in specs} - known - DEFAULT_CATEGORY_CODES)
            if unknown:
                raise forms.ValidationError(
                    f"Unknown seat categories {', '.join(unknown)}: add them first."
                )
        return text


class AuditoriumAdmin(admin.ModelAdmin):
    form = AuditoriumForm
    list_display = ["name", "venue", "seat_count", "layout_version", "is_active"]
    list_filter = ["venue", "is_active"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("venue")
            .annotate(active_seat_count=Count("seats", filter=Q(seats__is_active=True)))
        )

    @admin.display(description="seats", ordering="active_seat_count")
    def seat_count(self, auditorium: Auditorium) -> int:
        return auditorium.active_seat_count  # type: ignore[attr-defined]

    def save_model(self, request, obj, form, change) -> None:
        # The form has validated the layout and the name; the services apply them.
        layout = form.cleaned_data.get("layout") or ""
        if not change:
            created = services.auditorium_create(
                venue=obj.venue,
                name=obj.name,
                layout=layout,
                cleaning_minutes=obj.cleaning_minutes,
                screen_y=obj.screen_y,
            )
            obj.pk = created.pk
            return
        services.auditorium_update(
            obj,
            name=obj.name,
            cleaning_minutes=obj.cleaning_minutes,
            screen_y=obj.screen_y,
            is_active=obj.is_active,
        )
        if layout.strip() and "layout" in form.changed_data:
            services.auditorium_layout_replace(obj, layout=layout)
