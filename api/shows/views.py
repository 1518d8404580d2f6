"""Shows, their seats, the showtime grid and price cards."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.conditional import AnonymousReadShortcut, json_with_etag
from api.filters import list_cache_key, page_of, parse_query
from api.permissions import PROGRAMME, HasCapability
from api.schema import ErrorOutput
from api.shows import serializers as io
from tenants.cache import cached
from tenants.error_codes import NotFound
from venue_apps.catalog import selectors as catalog_selectors
from venue_apps.catalog.services import CATALOG_CACHE
from venue_apps.inventory import selectors as inventory_selectors
from venue_apps.inventory import services as inventory_services
from venue_apps.shows import selectors, services
from venue_apps.shows.models import PriceCard
from venue_apps.venues.models import Auditorium


def _context(request: Request) -> dict:
    return {"request": request, "currency": request.tenant.currency}


def _auditorium(auditorium_id: int) -> Auditorium:
    auditorium = Auditorium.objects.select_related("venue").filter(pk=auditorium_id).first()
    if auditorium is None:
        raise NotFound("auditorium_not_found", f"No auditorium {auditorium_id}.")
    return auditorium


def _price_card(price_card_id: int | None) -> PriceCard | None:
    if price_card_id is None:
        return None
    card = PriceCard.objects.filter(pk=price_card_id).first()
    if card is None:
        raise NotFound("price_card_not_found", f"No price card {price_card_id}.")
    return card


class ShowListCreateView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = PROGRAMME
    serializer_class = io.ShowOutput

    @extend_schema(
        operation_id="shows_list", parameters=[io.ShowFilters], responses=io.ShowOutput(many=True)
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(io.ShowFilters, request)

        def compute() -> dict:
            return page_of(
                request,
                self,
                selectors.show_list(**filters),
                lambda page: io.ShowOutput(page, many=True, context=_context(request)).data,
                filters=filters,
            )

        key = list_cache_key("shows", request, self, filters)
        return Response(cached(CATALOG_CACHE, key, compute))

    # 404: no such title, auditorium or price card.
    @extend_schema(request=io.ShowInput, responses={201: io.ShowOutput, 404: ErrorOutput})
    def post(self, request: Request) -> Response:
        data = io.ShowInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        show = services.show_create(
            title=catalog_selectors.title_get(values.pop("title")),
            auditorium=_auditorium(values.pop("auditorium")),
            price_card=_price_card(values.pop("price_card", None)),
            actor=request.user,
            **values,
        )
        return Response(
            io.ShowOutput(selectors.show_get(show.pk), context=_context(request)).data,
            status=status.HTTP_201_CREATED,
        )


class ShowDetailView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = PROGRAMME
    serializer_class = io.ShowOutput

    def get(self, request: Request, pk: int) -> Response:
        return Response(io.ShowOutput(selectors.show_get(pk), context=_context(request)).data)

    @extend_schema(request=io.ShowChangeInput, responses=io.ShowOutput)
    def patch(self, request: Request, pk: int) -> Response:
        data = io.ShowChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        show = selectors.show_get(pk)
        if "starts_at" in values:
            show = services.show_reschedule(
                show,
                starts_at=values.pop("starts_at"),
                extra_minutes=values.pop("extra_minutes", 0),
                actor=request.user,
            )
        values.pop("extra_minutes", None)
        if values:
            services.show_update(show, actor=request.user, **values)
        return Response(io.ShowOutput(selectors.show_get(pk), context=_context(request)).data)


class ShowOnSaleView(APIView):
    """Open a scheduled show for sale: its seat inventory is created from the seat map."""

    permission_classes = [HasCapability]
    capability = PROGRAMME

    @extend_schema(request=None, responses=io.ShowOutput)
    def post(self, request: Request, pk: int) -> Response:
        inventory_services.show_put_on_sale(selectors.show_get(pk), actor=request.user)
        return Response(io.ShowOutput(selectors.show_get(pk), context=_context(request)).data)


class ShowCancelView(APIView):
    permission_classes = [HasCapability]
    capability = PROGRAMME

    @extend_schema(request=None, responses=io.ShowOutput)
    def post(self, request: Request, pk: int) -> Response:
        services.show_cancel(selectors.show_get(pk), actor=request.user)
        return Response(io.ShowOutput(selectors.show_get(pk), context=_context(request)).data)


class ShowSeatsView(AnonymousReadShortcut, APIView):
    """`{"version", "seats": [...]}`: every seat of the show with its state."""

    permission_classes = [HasCapability]
    capability = PROGRAMME

    def cached_answer(self, pk: int) -> tuple[bytes, str] | None:
        # A customer's plain read: the cached map, or None for DRF to answer the rest.
        return inventory_selectors.show_seat_map_answer(pk)

    @extend_schema(responses=io.SeatMapOutput)
    def get(self, request: Request, pk: int) -> HttpResponse:
        # The hottest read of a flash sale: the cache holds the rendered JSON, so a hit
        # costs one Redis read and no serialisation.
        answer = inventory_selectors.show_seat_map_answer(pk)
        if answer is None:
            selectors.show_get(pk)  # 404 for an unknown show
            raise NotFound("show_not_on_sale", "This show is not on sale yet.")
        return json_with_etag(request, *answer)


class ShowtimesView(APIView):
    """All shows of a day across the chain's venues, by title then venue."""

    permission_classes = [HasCapability]
    capability = PROGRAMME

    @extend_schema(parameters=[io.ShowtimeFilters], responses=io.ShowtimeGridOutput)
    def get(self, request: Request) -> Response:
        filters = parse_query(io.ShowtimeFilters, request)
        return json_with_etag(request, selectors.showtime_grid_json(**filters))


class PriceCardListCreateView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = PROGRAMME
    serializer_class = io.PriceCardOutput

    @extend_schema(operation_id="price_cards_list", responses=io.PriceCardOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            page_of(
                request,
                self,
                selectors.price_card_list(),
                lambda page: io.PriceCardOutput(page, many=True).data,
            )
        )

    @extend_schema(request=io.PriceCardInput, responses={201: io.PriceCardOutput})
    def post(self, request: Request) -> Response:
        data = io.PriceCardInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        card = services.price_card_create(
            name=values["name"],
            description=values["description"],
            rules=[services.RuleSpec(**rule) for rule in values["rules"]],
            actor=request.user,
        )
        card = selectors.price_card_list().get(pk=card.pk)
        return Response(io.PriceCardOutput(card).data, status=status.HTTP_201_CREATED)


class PriceCardDetailView(GenericAPIView):
    """A price card; changing it prices shows scheduled later, not those already priced."""

    permission_classes = [HasCapability]
    capability = PROGRAMME
    serializer_class = io.PriceCardOutput

    def _card(self, pk: int) -> PriceCard:
        card = selectors.price_card_list().filter(pk=pk).first()
        if card is None:
            raise NotFound("price_card_not_found", f"No price card {pk}.")
        return card

    def get(self, request: Request, pk: int) -> Response:
        return Response(io.PriceCardOutput(self._card(pk)).data)

    @extend_schema(request=io.PriceCardChangeInput, responses=io.PriceCardOutput)
    def patch(self, request: Request, pk: int) -> Response:
        data = io.PriceCardChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        rules = values.pop("rules", None)
        services.price_card_update(
            self._card(pk),
            rules=None if rules is None else [services.RuleSpec(**rule) for rule in rules],
            actor=request.user,
            **values,
        )
        return Response(io.PriceCardOutput(self._card(pk)).data)
