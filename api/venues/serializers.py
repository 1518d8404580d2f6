from __future__ import annotations

from rest_framework import serializers

from venue_apps.venues.models import Auditorium, Seat, SeatCategory, Section, Venue


class VenueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Venue
        fields = ["id", *Venue.EDITABLE_FIELDS]
        read_only_fields = ["id"]
        # Uniqueness and time zones are checked by the service (409 / 400 with a code).
        validators: list = []
        extra_kwargs = {"country": {"validators": []}}

    def validate_country(self, value: str) -> str:
        return value.strip().upper()


class SeatCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = SeatCategory
        fields = ["id", "code", "name", "rank", "colour"]
        read_only_fields = ["id"]


class SeatCategoryChangeInput(serializers.Serializer):
    """The code is fixed once created; a `code` in the request is refused, not ignored."""

    name = serializers.CharField(max_length=60, required=False)
    rank = serializers.IntegerField(min_value=0, max_value=32767, required=False)
    colour = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)

    def validate(self, attrs):
        if "code" in self.initial_data:
            raise serializers.ValidationError(
                "A category's code cannot change: maps and prices refer to it.",
                code="code_fixed",
            )
        return attrs


class SeatOutput(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    section = serializers.CharField(source="section.name")
    wheelchair = serializers.BooleanField(source="is_wheelchair")
    blocked = serializers.BooleanField(source="is_blocked")

    class Meta:
        model = Seat
        fields = [
            "id",
            "label",
            "section",
            "row",
            "number",
            "category",
            "x",
            "y",
            "width",
            "wheelchair",
            "companion",
            "blocked",
        ]


class SectionOutput(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["id", "name", "position"]


class AuditoriumOutput(serializers.ModelSerializer):
    venue_name = serializers.CharField(source="venue.name", read_only=True)
    seat_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Auditorium
        fields = [
            "id",
            "venue",
            "venue_name",
            "name",
            "cleaning_minutes",
            "screen_y",
            "layout_version",
            "seat_count",
            "is_active",
        ]


class AuditoriumDetailOutput(AuditoriumOutput):
    sections = SectionOutput(many=True, read_only=True)
    seats = SeatOutput(many=True, read_only=True, source="active_seats")
    rows = serializers.SerializerMethodField()

    class Meta(AuditoriumOutput.Meta):
        # No `seat_count`: only lists count the seats (an annotation); a seat map has them.
        fields = [
            *(name for name in AuditoriumOutput.Meta.fields if name != "seat_count"),
            "sections",
            "rows",
            "seats",
        ]

    def get_rows(self, auditorium: Auditorium) -> list[str]:
        return list(dict.fromkeys(seat.row for seat in auditorium.active_seats))


class SeatSpecInput(serializers.Serializer):
    section = serializers.CharField(max_length=60, default="Main")
    row = serializers.CharField(max_length=8)
    number = serializers.IntegerField(min_value=1, max_value=999)
    label = serializers.CharField(max_length=16, required=False)
    category = serializers.SlugField(max_length=32)
    x = serializers.IntegerField(min_value=-1000, max_value=1000)
    y = serializers.IntegerField(min_value=-1000, max_value=1000)
    width = serializers.IntegerField(min_value=1, max_value=4, default=1)
    wheelchair = serializers.BooleanField(default=False)
    companion = serializers.CharField(max_length=16, required=False, allow_null=True)
    blocked = serializers.BooleanField(default=False)


class AuditoriumInput(serializers.Serializer):
    venue = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=80)
    cleaning_minutes = serializers.IntegerField(min_value=0, max_value=240, default=15)
    screen_y = serializers.IntegerField(min_value=-100, max_value=100, default=-2)
    layout = serializers.CharField(max_length=100_000, required=False, trim_whitespace=False)
    seats = SeatSpecInput(many=True, required=False, max_length=2000)

    def validate(self, attrs):
        if ("layout" in attrs) == ("seats" in attrs):
            raise serializers.ValidationError(
                "Give the seat map either as a text `layout` or as a list of `seats`.",
                code="layout_required",
            )
        return attrs


class AuditoriumChangeInput(serializers.Serializer):
    name = serializers.CharField(max_length=80, required=False)
    cleaning_minutes = serializers.IntegerField(min_value=0, max_value=240, required=False)
    screen_y = serializers.IntegerField(min_value=-100, max_value=100, required=False)
    is_active = serializers.BooleanField(required=False)
    layout = serializers.CharField(max_length=100_000, required=False, trim_whitespace=False)
    seats = SeatSpecInput(many=True, required=False, max_length=2000)

    def validate(self, attrs):
        if "layout" in attrs and "seats" in attrs:
            raise serializers.ValidationError(
                "Give either `layout` or `seats`, not both.", code="layout_ambiguous"
            )
        return attrs


class AuditoriumFilters(serializers.Serializer):
    venue = serializers.IntegerField(min_value=1, required=False)
