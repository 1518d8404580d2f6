"""Venues, seat categories and auditoriums with their seat maps."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from api.filters import page_of, parse_query
from api.permissions import PROGRAMME, HasCapability
from api.schema import ErrorOutput
from api.venues import serializers as io
from tenants.error_codes import NotFound
from venue_apps.venues import selectors, services
from venue_apps.venues.layout import SeatSpec
from venue_apps.venues.models import Venue


def _venue(venue_id: int) -> Venue:
    venue = Venue.objects.filter(pk=venue_id).first()
    if venue is None:
        raise NotFound("venue_not_found", f"No venue {venue_id}.")
    return venue


def _seat_specs(seats: list[dict[str, Any]]) -> list[SeatSpec]:
    return [
        SeatSpec(
            section=seat["section"],
            row=seat["row"],
            number=seat["number"],
            label=seat.get("label") or f"{seat['row']}{seat['number']}",
            category=seat["category"],
            x=seat["x"],
            y=seat["y"],
            width=seat["width"],
            is_wheelchair=seat["wheelchair"],
            companion_label=seat.get("companion"),
            is_blocked=seat["blocked"],
        )
        for seat in seats
    ]


def _seat_map(pk: int) -> dict:
    return io.AuditoriumDetailOutput(selectors.auditorium_seat_map(pk)).data


class VenueListCreateView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = PROGRAMME
    serializer_class = io.VenueSerializer

    @extend_schema(operation_id="venues_list", responses=io.VenueSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            page_of(
                request,
                self,
                selectors.venue_list(),
                lambda page: io.VenueSerializer(page, many=True).data,
            )
        )

    @extend_schema(responses={201: io.VenueSerializer})
    def post(self, request: Request) -> Response:
        data = io.VenueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        venue = services.venue_create(actor=request.user, **data.validated_data)
        return Response(io.VenueSerializer(venue).data, status=status.HTTP_201_CREATED)


class VenueDetailView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = PROGRAMME
    serializer_class = io.VenueSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(io.VenueSerializer(_venue(pk)).data)

    def patch(self, request: Request, pk: int) -> Response:
        data = io.VenueSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        venue = services.venue_update(_venue(pk), actor=request.user, **data.validated_data)
        return Response(io.VenueSerializer(venue).data)


class SeatCategoryListCreateView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = PROGRAMME
    serializer_class = io.SeatCategorySerializer
    # The categories are few: one plain list, no pages (this tells the schema so).
    pagination_class = None

    @extend_schema(
        operation_id="seat_categories_list", responses=io.SeatCategorySerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        return Response(io.SeatCategorySerializer(selectors.seat_category_list(), many=True).data)

    @extend_schema(responses={201: io.SeatCategorySerializer})
    def post(self, request: Request) -> Response:
        data = io.SeatCategorySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.seat_category_create(actor=request.user, **data.validated_data)
        return Response(io.SeatCategorySerializer(category).data, status=status.HTTP_201_CREATED)


class AuditoriumListCreateView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = PROGRAMME
    serializer_class = io.AuditoriumOutput

    @extend_schema(
        operation_id="auditoriums_list",
        parameters=[io.AuditoriumFilters],
        responses=io.AuditoriumOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(io.AuditoriumFilters, request)
        return Response(
            page_of(
                request,
                self,
                selectors.auditorium_list(venue_id=filters.get("venue")),
                lambda page: io.AuditoriumOutput(page, many=True).data,
                filters=filters,
            )
        )

    # 404: no such venue.
    @extend_schema(
        request=io.AuditoriumInput, responses={201: io.AuditoriumDetailOutput, 404: ErrorOutput}
    )
    def post(self, request: Request) -> Response:
        data = io.AuditoriumInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        seats = values.pop("seats", None)
        auditorium = services.auditorium_create(
            venue=_venue(values.pop("venue")),
            seats=_seat_specs(seats) if seats is not None else None,
            actor=request.user,
            **values,
        )
        return Response(_seat_map(auditorium.pk), status=status.HTTP_201_CREATED)


class AuditoriumDetailView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = PROGRAMME
    serializer_class = io.AuditoriumDetailOutput

    def get(self, request: Request, pk: int) -> Response:
        return Response(_seat_map(pk))

    @extend_schema(request=io.AuditoriumChangeInput, responses=io.AuditoriumDetailOutput)
    def patch(self, request: Request, pk: int) -> Response:
        data = io.AuditoriumChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        auditorium = selectors.auditorium_seat_map(pk)
        layout, seats = values.pop("layout", None), values.pop("seats", None)
        if values:
            auditorium = services.auditorium_update(auditorium, actor=request.user, **values)
        if layout is not None or seats is not None:
            services.auditorium_layout_replace(
                auditorium,
                layout=layout,
                seats=_seat_specs(seats) if seats else None,
                actor=request.user,
            )
        return Response(_seat_map(pk))


class SeatCategoryDetailView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = PROGRAMME
    serializer_class = io.SeatCategorySerializer

    def _category(self, pk: int):
        category = selectors.seat_category_list().filter(pk=pk).first()
        if category is None:
            raise NotFound("category_not_found", f"No seat category {pk}.")
        return category

    def get(self, request: Request, pk: int) -> Response:
        return Response(io.SeatCategorySerializer(self._category(pk)).data)

    @extend_schema(request=io.SeatCategoryChangeInput, responses=io.SeatCategorySerializer)
    def patch(self, request: Request, pk: int) -> Response:
        data = io.SeatCategoryChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.seat_category_update(
            self._category(pk), actor=request.user, **data.validated_data
        )
        return Response(io.SeatCategorySerializer(category).data)
