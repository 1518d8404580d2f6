"""The chain dashboard's view of price cards and shows (registered in dashboards.sites).

Shows are scheduled here (the add page calls `show_create`, which prices them from the
card and checks the auditorium's calendar), through the API or a CSV/XLSX import; here
staff find them with their sold and held seats, open them for sale and cancel them.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin

from tenants.error_codes import DomainError
from tenants.money import money
from tenants.money_admin import MoneyFieldsAdmin, chain_currency
from tenants.spreadsheets import BoundedImportAdmin
from venue_apps.audit.admin import AuditedAdmin
from venue_apps.catalog.models import Format, Title
from venue_apps.inventory.selectors import shows_with_seat_counts
from venue_apps.inventory.services import show_put_on_sale
from venue_apps.shows.models import PriceCard, PriceRule, Show
from venue_apps.shows.resources import ShowResource
from venue_apps.shows.services import price_card_snapshot, show_cancel, show_create, show_update
from venue_apps.venues.models import Auditorium


class PriceRuleInline(MoneyFieldsAdmin, admin.TabularInline):
    model = PriceRule
    money_fields = ["amount"]
    extra = 1
    fields = ["category", "amount", "weekdays", "starts_at", "ends_at", "priority"]


class ShowCreateForm(forms.Form):
    """A new show: what `show_create` needs, the start typed in the venue's own time."""

    title = forms.ModelChoiceField(queryset=Title.objects.filter(is_active=True).order_by("name"))
    auditorium = forms.ModelChoiceField(
        queryset=Auditorium.objects.filter(is_active=True)
        .select_related("venue")
        .order_by("venue__name", "name")
    )
    starts_at = forms.DateTimeField(
        label="Starts at",
        help_text="In the venue's own time zone.",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    format = forms.ChoiceField(choices=Format.choices, initial=Format.TWO_D)
    price_card = forms.ModelChoiceField(
        queryset=PriceCard.objects.filter(is_active=True).order_by("name"),
        help_text="The show's prices come from this card, at its start time.",
    )
    extra_minutes = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=240,
        initial=0,
        help_text="Trailers and intervals, added to the title's running time.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cards = self.fields["price_card"].queryset
        if len(cards) == 1:
            self.fields["price_card"].initial = cards[0].pk

    def clean(self):
        cleaned = super().clean()
        moment, auditorium = cleaned.get("starts_at"), cleaned.get("auditorium")
        if moment is None or auditorium is None:
            return cleaned
        # Typed in the venue's zone (the field read it in the dashboard's: the chain's).
        local = timezone.make_naive(moment).replace(tzinfo=auditorium.venue.zone)
        if not dt.date(2000, 1, 1) <= local.date() <= dt.date(2999, 12, 31):
            self.add_error("starts_at", "Choose a day between 2000 and 2999.")
        cleaned["starts_at"] = local
        return cleaned


class PriceCardAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "description", "is_active"]
    inlines = [PriceRuleInline]
    audit_kind = "price_card"

    def audit_snapshot_of(self, obj):
        return price_card_snapshot(obj)


class ShowAdmin(BoundedImportAdmin, ImportExportModelAdmin):
    resource_classes = [ShowResource]
    list_display = ["title", "screen", "starts", "format", "status", "sold", "held"]
    ordering = ["starts_at", "id"]
    list_filter = ["status", "venue", "format", "local_date"]
    list_select_related = ["title", "venue", "auditorium", "price_card"]
    search_fields = ["title__name"]
    date_hierarchy = "starts_at"
    actions = ["put_on_sale", "cancel"]
    readonly_fields = [
        "title",
        "auditorium",
        "venue",
        "starts_at",
        "ends_at",
        "busy_until",
        "local_date",
        "format",
        "price_card",
        "price_list",
        "sales_open_at",
        "sales_close_at",
        "status",
        "layout_version",
    ]
    fields = [*readonly_fields, "audio_language", "subtitle_language", "attributes"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancel instead: it checks for held and sold seats

    def get_queryset(self, request):
        return shows_with_seat_counts(super().get_queryset(request))

    def add_view(self, request, form_url="", extra_context=None):
        """A show through `show_create`: priced from the card, the calendar checked (an
        overlap is the form's error, in the service's words)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        request.current_app = self.admin_site.name
        form = ShowCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            values = form.cleaned_data
            try:
                show = show_create(
                    title=values["title"],
                    auditorium=values["auditorium"],
                    starts_at=values["starts_at"],
                    format=values["format"],
                    price_card=values["price_card"],
                    extra_minutes=values.get("extra_minutes") or 0,
                    actor=request.user,
                )
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                self.message_user(
                    request,
                    f"{show.title.name} at {self.starts(show)} in {show.auditorium.name} "
                    f"is scheduled ({self.price_list(show)}).",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse(f"{self.admin_site.name}:shows_show_changelist")
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "Add show",
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
        }
        status = 400 if form.is_bound and form.errors else 200
        return TemplateResponse(request, "dashboards/show_add.html", context, status=status)

    @admin.display(description="starts (venue time)", ordering="starts_at")
    def starts(self, show: Show) -> str:
        local = timezone.localtime(show.starts_at, show.venue.zone)
        return f"{formats.date_format(local, 'D j M Y, H:i')} {local.tzname()}"

    @admin.display(description="sold", ordering="sold_count")
    def sold(self, show: Show) -> int:
        return getattr(show, "sold_count", 0)

    @admin.display(description="held", ordering="held_count")
    def held(self, show: Show) -> int:
        return getattr(show, "held_count", 0)

    @admin.display(description="prices")
    def price_list(self, show: Show) -> str:
        currency = chain_currency()
        return ", ".join(
            f"{category} {money(int(amount), currency)}"
            for category, amount in sorted((show.prices or {}).items())
        )

    def save_model(self, request, obj, form, change) -> None:
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        show_update(obj, actor=request.user, **changes)

    @admin.display(description="auditorium", ordering="venue__name")
    def screen(self, show):
        return format_html('{}<div class="quiet">{}</div>', show.auditorium.name, show.venue.name)

    def _each(self, request, queryset, action, verb: str) -> None:
        for show in queryset:
            try:
                action(show)
            except DomainError as error:
                self.message_user(request, f"{show}: {error.detail}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{show.title.name} at {show.starts_at:%d %b %H:%M} {verb}."
                )

    @admin.action(description="Put the selected shows on sale")
    def put_on_sale(self, request, queryset) -> None:
        self._each(
            request,
            queryset.select_related("title", "venue"),
            lambda show: show_put_on_sale(show, actor=request.user),
            "is on sale",
        )

    @admin.action(description="Cancel the selected shows")
    def cancel(self, request, queryset) -> None:
        self._each(
            request,
            queryset.select_related("title", "venue"),
            lambda show: show_cancel(show, actor=request.user),
            "is cancelled",
        )
