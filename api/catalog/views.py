"""Titles: `/api/v1/titles/` and `/api/v1/titles/{id}/`."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from api.catalog.serializers import TitleDetailOutput, TitleFilters, TitleInput, TitleOutput
from api.filters import list_cache_key, page_of, parse_query
from api.permissions import PROGRAMME, HasCapability
from tenants.cache import cached
from venue_apps.catalog import selectors, services
from venue_apps.catalog.services import CATALOG_CACHE, CreditSpec
from venue_apps.shows.selectors import titles_showing


def _credits(data: dict) -> list[CreditSpec] | None:
    credits = data.pop("credits", None)
    return None if credits is None else [CreditSpec(**credit) for credit in credits]


class TitleListCreateView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = PROGRAMME
    serializer_class = TitleOutput

    @extend_schema(
        operation_id="titles_list", parameters=[TitleFilters], responses=TitleOutput(many=True)
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(TitleFilters, request)
        # What "coming soon" means changes at the chain's midnight, so the day is part of
        # the cache key.
        today = timezone.now().astimezone(zoneinfo.ZoneInfo(request.tenant.timezone)).date()

        def compute() -> dict:
            showing = {key: filters[key] for key in ("date", "venue") if key in filters}
            listed = {key: value for key, value in filters.items() if key not in showing}
            titles = titles_showing(selectors.title_list(**listed, today=today), **showing)
            return page_of(
                request,
                self,
                titles,
                lambda page: TitleOutput(page, many=True).data,
                filters=filters,
            )

        key = list_cache_key("titles", request, self, filters, today)
        return Response(cached(CATALOG_CACHE, key, compute))

    @extend_schema(request=TitleInput, responses={201: TitleDetailOutput})
    def post(self, request: Request) -> Response:
        data = TitleInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        title = services.title_create(credits=_credits(values) or [], actor=request.user, **values)
        return Response(
            TitleDetailOutput(selectors.title_get(title.pk)).data, status=status.HTTP_201_CREATED
        )


class TitleDetailView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = PROGRAMME
    serializer_class = TitleDetailOutput

    def get(self, request: Request, pk: int) -> Response:
        return Response(
            cached(
                CATALOG_CACHE,
                f"title:{pk}",
                lambda: TitleDetailOutput(selectors.title_get(pk)).data,
            )
        )

    @extend_schema(request=TitleInput, responses=TitleDetailOutput)
    def patch(self, request: Request, pk: int) -> Response:
        data = TitleInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        services.title_update(
            selectors.title_get(pk), credits=_credits(values), actor=request.user, **values
        )
        return Response(TitleDetailOutput(selectors.title_get(pk)).data)
