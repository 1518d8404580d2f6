from __future__ import annotations

from rest_framework import serializers

from api.fields import MediaPathField
from api.filters import OffsetDateTimeField
from venue_apps.catalog.models import Format, Kind
from venue_apps.shows.models import PriceCard, PriceRule, Show
from venue_apps.shows.services import MAX_AMOUNT


class ShowOutput(serializers.ModelSerializer):
    """API.md's show: ids of title, auditorium and venue; times with the venue's offset."""

    title_name = serializers.CharField(source="title.name", read_only=True)
    title_kind = serializers.CharField(source="title.kind", read_only=True)
    poster = MediaPathField(source="title.poster")
    auditorium_name = serializers.CharField(source="auditorium.name", read_only=True)
    venue_name = serializers.CharField(source="venue.name", read_only=True)
    venue_timezone = serializers.CharField(
        source="venue.timezone",
        read_only=True,
        help_text="The venue's IANA time zone: show local times in it, not the browser's.",
    )
    starts_at = serializers.SerializerMethodField()
    ends_at = serializers.SerializerMethodField()
    currency = serializers.SerializerMethodField()

    prices = serializers.DictField(
        child=serializers.IntegerField(), help_text="Minor units per seat category."
    )

    class Meta:
        model = Show
        fields = [
            "id",
            "title",
            "title_name",
            "title_kind",
            "poster",
            "auditorium",
            "auditorium_name",
            "venue",
            "venue_name",
            "venue_timezone",
            "starts_at",
            "ends_at",
            "local_date",
            "format",
            "audio_language",
            "subtitle_language",
            "attributes",
            "prices",
            "currency",
            "status",
            "sales_open_at",
            "sales_close_at",
        ]

    def get_starts_at(self, show: Show) -> str:
        return show.starts_at.astimezone(show.venue.zone).isoformat()

    def get_ends_at(self, show: Show) -> str:
        return show.ends_at.astimezone(show.venue.zone).isoformat()

    def get_currency(self, show: Show) -> str:
        return self.context["currency"]


class ShowInput(serializers.Serializer):
    title = serializers.IntegerField(min_value=1)
    auditorium = serializers.IntegerField(min_value=1)
    starts_at = OffsetDateTimeField()
    format = serializers.ChoiceField(choices=Format.choices, required=False)
    audio_language = serializers.CharField(max_length=3, required=False, allow_blank=True)
    subtitle_language = serializers.CharField(max_length=3, required=False, allow_blank=True)
    attributes = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    price_card = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    prices = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT), required=False
    )
    sales_open_at = OffsetDateTimeField(required=False)
    sales_close_at = OffsetDateTimeField(required=False)
    extra_minutes = serializers.IntegerField(min_value=0, max_value=240, required=False)


class ShowChangeInput(serializers.Serializer):
    starts_at = OffsetDateTimeField(required=False)
    extra_minutes = serializers.IntegerField(min_value=0, max_value=240, required=False)
    audio_language = serializers.CharField(max_length=3, required=False, allow_blank=True)
    subtitle_language = serializers.CharField(max_length=3, required=False, allow_blank=True)
    attributes = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    prices = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT), required=False
    )
    sales_open_at = OffsetDateTimeField(required=False)
    sales_close_at = OffsetDateTimeField(required=False)


class ShowFilters(serializers.Serializer):
    title = serializers.IntegerField(min_value=1, required=False)
    venue = serializers.IntegerField(min_value=1, required=False)
    auditorium = serializers.IntegerField(min_value=1, required=False)
    date = serializers.DateField(required=False)
    format = serializers.ChoiceField(choices=Format.choices, required=False)
    language = serializers.CharField(max_length=3, required=False)
    attribute = serializers.CharField(max_length=32, required=False)


class ShowtimeFilters(serializers.Serializer):
    date = serializers.DateField()
    venue = serializers.IntegerField(min_value=1, required=False)


# The showtime grid is served as cached JSON bytes (shows.selectors.showtime_grid_json);
# these serializers only describe it for the schema, and a test keeps them in step.
class NamedRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ShowtimeShowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    auditorium = NamedRefOutput()
    starts_at = serializers.CharField(help_text="ISO 8601 with the venue's offset.")
    ends_at = serializers.CharField(help_text="ISO 8601 with the venue's offset.")
    format = serializers.ChoiceField(choices=Format.choices)
    audio_language = serializers.CharField()
    subtitle_language = serializers.CharField()
    attributes = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=Show.Status.choices)
    prices = serializers.DictField(
        child=serializers.IntegerField(), help_text="Minor units per seat category."
    )


class ShowtimeVenueOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    timezone = serializers.CharField(help_text="The venue's IANA time zone.")
    shows = ShowtimeShowOutput(many=True)


class ShowtimeTitleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    certificate = serializers.CharField()
    runtime_minutes = serializers.IntegerField()
    genres = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    poster_url = serializers.CharField()
    poster = serializers.CharField(allow_null=True)
    venues = ShowtimeVenueOutput(many=True)


class ShowtimeGridOutput(serializers.Serializer):
    date = serializers.DateField()
    titles = ShowtimeTitleOutput(many=True)


class PriceRuleSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PriceRule
        fields = ["category", "amount", "weekdays", "starts_at", "ends_at", "priority"]


class PriceRuleInput(serializers.Serializer):
    category = serializers.SlugField(max_length=32)
    amount = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), required=False, default=list
    )
    starts_at = serializers.TimeField(required=False, allow_null=True)
    ends_at = serializers.TimeField(required=False, allow_null=True)
    priority = serializers.IntegerField(min_value=-1000, max_value=1000, required=False, default=0)


class PriceCardOutput(serializers.ModelSerializer):
    rules = PriceRuleSerializer(many=True, read_only=True)

    class Meta:
        model = PriceCard
        fields = ["id", "name", "description", "is_active", "rules"]


class PriceCardChangeInput(serializers.Serializer):
    name = serializers.CharField(max_length=80, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    rules = PriceRuleInput(many=True, required=False)


class PriceCardInput(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    rules = PriceRuleInput(many=True)


class ShowSeatOutput(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    section = serializers.CharField()
    row = serializers.CharField()
    number = serializers.IntegerField()
    category = serializers.CharField()
    x = serializers.IntegerField()
    y = serializers.IntegerField()
    width = serializers.IntegerField()
    wheelchair = serializers.BooleanField()
    companion = serializers.IntegerField(allow_null=True)
    state = serializers.ChoiceField(choices=["available", "held", "sold", "blocked"])


class ScreenOutput(serializers.Serializer):
    y = serializers.IntegerField(help_text="The screen's (or stage's) line, in seat y units.")
    label = serializers.ChoiceField(
        choices=["Screen", "Stage"], help_text="Screen for films, Stage for everything else."
    )


class SeatMapOutput(serializers.Serializer):
    version = serializers.IntegerField()
    seats = ShowSeatOutput(many=True)
    screen = ScreenOutput()
