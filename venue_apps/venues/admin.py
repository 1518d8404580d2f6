"""The chain dashboard's view of venues and seat maps (registered in dashboards.sites).

Auditoriums are edited as a text layout: the form shows the current map in the
layout language and saves changes through the services (seats matched by label,
retired rather than deleted once a show used them).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, Q

from venue_apps.audit.admin import AuditedAdmin
from venue_apps.audit.services import audit_snapshot
from venue_apps.venues import selectors, services
from venue_apps.venues.drawing import DrawnSeat, seat_map_svg
from venue_apps.venues.layout import LayoutError, layout_parse, layout_render
from venue_apps.venues.models import Auditorium, SeatCategory, Venue
from venue_apps.venues.services import DEFAULT_CATEGORY_CODES


class VenueForm(forms.ModelForm):
    class Meta:
        model = Venue
        fields = list(Venue.EDITABLE_FIELDS)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Venue.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("A venue with this name exists.")
        return name


class VenueAdmin(admin.ModelAdmin):
    form = VenueForm
    list_display = ["name", "city", "country", "timezone", "is_active"]
    list_filter = ["is_active", "country"]
    search_fields = ["name", "city"]

    def save_model(self, request, obj, form, change) -> None:
        # Through the service: shows follow a time zone change, caches are refreshed.
        values = {field: form.cleaned_data[field] for field in form.changed_data}
        if change:
            services.venue_update(Venue.objects.get(pk=obj.pk), actor=request.user, **values)
        else:
            values = dict(form.cleaned_data)
            values.pop("is_active", None)  # new venues start active
            obj.pk = services.venue_create(actor=request.user, **values).pk


class SeatCategoryAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "rank", "colour"]
    ordering = ["rank"]
    audit_kind = "seat_category"

    def audit_snapshot_of(self, obj):
        return audit_snapshot(obj, services.SEAT_CATEGORY_AUDIT_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        # Prices and show seats refer to the code: it cannot change once created.
        return ["code"] if obj else []


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

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        venue = self.cleaned_data.get("venue") or getattr(self.instance, "venue", None)
        if venue is not None:
            taken = Auditorium.objects.filter(venue=venue, name__iexact=name)
            if taken.exclude(pk=self.instance.pk).exists():
                raise forms.ValidationError("This venue already has an auditorium of that name.")
        return name

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

    def get_readonly_fields(self, request, obj=None):
        # Shows are scheduled in an auditorium of a venue; it cannot move venue.
        return ["venue", "seat_map"] if obj else []

    def get_fieldsets(self, request, obj=None):
        details = ["venue", "name", "cleaning_minutes", "screen_y", "is_active"]
        if obj is None:
            return [(None, {"fields": [*details, "layout"]})]
        # The layout's text and its picture side by side.
        return [
            (None, {"fields": details}),
            ("Seat map", {"fields": [("layout", "seat_map")], "classes": ["seat-map-pair"]}),
        ]

    @admin.display(description="picture")
    def seat_map(self, auditorium: Auditorium):
        loaded = selectors.auditorium_seat_map(auditorium.pk)
        seats = [
            DrawnSeat(
                label=seat.label,
                row=seat.row,
                x=seat.x,
                y=seat.y,
                width=seat.width,
                category=seat.category.name,
                colour=seat.category.colour,
                is_wheelchair=seat.is_wheelchair,
                is_blocked=seat.is_blocked,
            )
            for seat in loaded.active_seats  # type: ignore[attr-defined]
        ]
        return seat_map_svg(seats, screen_y=loaded.screen_y)

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
                actor=request.user,
            )
            obj.pk = created.pk
            return
        services.auditorium_update(
            obj,
            name=obj.name,
            cleaning_minutes=obj.cleaning_minutes,
            screen_y=obj.screen_y,
            is_active=obj.is_active,
            actor=request.user,
        )
        if layout.strip() and "layout" in form.changed_data:
            services.auditorium_layout_replace(obj, layout=layout, actor=request.user)
