from __future__ import annotations

from rest_framework import serializers

from api.fields import MediaPathField
from venue_apps.catalog.models import Credit, Format, Kind, Title


class CreditSerializer(serializers.ModelSerializer):
    class Meta:
        model = Credit
        fields = ["person", "role", "character"]


class TitleOutput(serializers.ModelSerializer):
    poster = MediaPathField()

    class Meta:
        model = Title
        fields = ["id", "slug", *Title.EDITABLE_FIELDS, "poster"]


class TitleDetailOutput(TitleOutput):
    credits = CreditSerializer(many=True, read_only=True)

    class Meta(TitleOutput.Meta):
        fields = [*TitleOutput.Meta.fields, "credits"]


class TitleInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    name = serializers.CharField(max_length=200)
    synopsis = serializers.CharField(required=False, allow_blank=True)
    runtime_minutes = serializers.IntegerField(min_value=1, max_value=1440)
    certificate = serializers.CharField(max_length=16, required=False, allow_blank=True)
    minimum_age = serializers.IntegerField(
        min_value=0, max_value=99, required=False, allow_null=True
    )
    genres = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    languages = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    formats = serializers.ListField(
        child=serializers.ChoiceField(choices=Format.choices), required=False
    )
    release_date = serializers.DateField(required=False, allow_null=True)
    poster_url = serializers.URLField(required=False, allow_blank=True)
    trailer_url = serializers.URLField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    credits = CreditSerializer(many=True, required=False)

    def validate_credits(self, credits: list) -> list:
        # `credits` replaces the title's whole list, so each credit is validated whole even
        # in a PATCH (DRF would otherwise let a partial update skip the credit's required
        # fields too, and a credit without its person would reach the service).
        if not self.partial:
            return credits
        whole = CreditSerializer(data=self.initial_data.get("credits"), many=True)
        whole.is_valid(raise_exception=True)
        return whole.validated_data


class TitleFilters(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    genre = serializers.CharField(max_length=40, required=False)
    language = serializers.CharField(max_length=3, required=False)
    format = serializers.ChoiceField(choices=Format.choices, required=False)
    q = serializers.CharField(max_length=100, required=False)
    date = serializers.DateField(required=False)
    venue = serializers.IntegerField(min_value=1, required=False)
    coming_soon = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only titles released after today in the chain's time zone; "
        "false: only titles already released (or without a release date).",
    )
