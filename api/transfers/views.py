"""Bulk import and export (CSV, XLSX) of titles, shows and seat maps.

Imports are all or nothing: every row is checked, and if any row is in error nothing
is written and the answer lists each bad row with its reasons. `?dry_run=true`
checks without writing.
"""

from __future__ import annotations

from typing import Any

import tablib
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import HasCapability
from api.transfers import serializers as io
from tenants.error_codes import DomainError, NotFound
from tenants.spreadsheets import MAX_UPLOAD_BYTES, upload_dataset
from venue_apps.accounts.capabilities import Capability
from venue_apps.catalog.resources import TitleResource
from venue_apps.shows.resources import ShowResource
from venue_apps.venues import selectors as venue_selectors
from venue_apps.venues import services as venue_services
from venue_apps.venues.layout import layout_from_csv, layout_render

RESOURCES = {"titles": TitleResource, "shows": ShowResource}
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
UPLOAD = {
    "multipart/form-data": {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}},
    }
}


def _dataset(request: Request) -> tablib.Dataset:
    upload = request.FILES.get("file")
    if upload is None:
        raise DomainError("file_missing", "Send the file as multipart form field `file`.")
    if upload.size > MAX_UPLOAD_BYTES:
        raise DomainError("file_too_large", "Files are limited to 5 MB.")
    # Within bounds on the unpacked size, rows and columns, not just the upload's size.
    return upload_dataset(upload.name or "", upload.read())


def _row_errors(result: Any) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    for invalid in result.invalid_rows:
        messages = [
            f"{field}: {message}" if field != "__all__" else message
            for field, field_messages in invalid.error_dict.items()
            for message in field_messages
        ]
        errors.append({"row": invalid.number, "errors": messages})
    for number, row_errors in result.row_errors():
        errors.append({"row": number, "errors": [str(error.error) for error in row_errors]})
    for error in result.base_errors:
        errors.append({"row": None, "errors": [str(error.error)]})
    return sorted(errors, key=lambda item: (item["row"] is None, item["row"] or 0))


def _truthy(value: Any) -> bool:
    return str(value).lower() in {"1", "true", "yes"}


class ImportView(APIView):
    permission_classes = [HasCapability]
    capability = Capability.EDIT_PROGRAMME
    parser_classes = [MultiPartParser]

    @extend_schema(
        parameters=[OpenApiParameter("dry_run", bool)],
        request=UPLOAD,
        responses=io.ImportOutput,
    )
    def post(self, request: Request, kind: str) -> Response:
        resource_class = RESOURCES.get(kind)
        if resource_class is None:
            raise NotFound("import_unknown", f"Import one of: {', '.join(RESOURCES)}.")
        dataset = _dataset(request)
        dry_run = _truthy(request.query_params.get("dry_run"))
        result = resource_class().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        errors = _row_errors(result)
        if errors:
            return Response(
                {
                    "detail": f"{len(errors)} rows have errors; nothing was imported.",
                    "code": "import_invalid",
                    "errors": errors,
                },
                status=400,
            )
        return Response(
            io.ImportOutput(
                {"dry_run": dry_run, "rows": len(dataset), "totals": dict(result.totals)}
            ).data
        )


def _export_format(request: Request) -> str:
    chosen = request.query_params.get("format", "csv")
    if chosen not in FORMATS:
        raise DomainError("format_invalid", "Export as csv or xlsx.")
    return chosen


def _download(dataset: tablib.Dataset, name: str, chosen: str) -> HttpResponse:
    response = HttpResponse(dataset.export(chosen), content_type=FORMATS[chosen])
    response["Content-Disposition"] = f'attachment; filename="{name}.{chosen}"'
    return response


class ExportView(APIView):
    permission_classes = [HasCapability]
    capability = Capability.EDIT_PROGRAMME

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=list(FORMATS))],
        responses={
            (200, FORMATS["csv"]): OpenApiTypes.BINARY,
            (200, FORMATS["xlsx"]): OpenApiTypes.BINARY,
        },
    )
    def get(self, request: Request, kind: str) -> HttpResponse:
        resource_class = RESOURCES.get(kind)
        if resource_class is None:
            raise NotFound("export_unknown", f"Export one of: {', '.join(RESOURCES)}.")
        chosen = _export_format(request)
        return _download(resource_class().export(), kind, chosen)


SEAT_COLUMNS = [
    "section",
    "row",
    "number",
    "label",
    "category",
    "x",
    "y",
    "width",
    "wheelchair",
    "companion",
    "blocked",
]


class SeatMapTransferView(APIView):
    """A seat map as a file: GET exports (csv, xlsx or the text layout), PUT replaces."""

    permission_classes = [HasCapability]
    capability = Capability.EDIT_PROGRAMME
    parser_classes = [MultiPartParser]

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=[*FORMATS, "text"])],
        responses={
            (200, FORMATS["csv"]): OpenApiTypes.BINARY,
            (200, FORMATS["xlsx"]): OpenApiTypes.BINARY,
            # `format=text`: the seat map as the layout text an auditorium is made from.
            (200, "text/plain; charset=utf-8"): OpenApiTypes.STR,
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        auditorium = venue_selectors.auditorium_seat_map(pk)
        seats = list(auditorium.active_seats)
        if request.query_params.get("format") == "text":
            specs = venue_selectors.auditorium_seat_specs(auditorium)
            return HttpResponse(layout_render(specs), content_type="text/plain; charset=utf-8")
        chosen = _export_format(request)
        labels = {seat.pk: seat.label for seat in seats}
        dataset = tablib.Dataset(headers=SEAT_COLUMNS)
        for seat in seats:
            dataset.append(
                [
                    seat.section.name,
                    seat.row,
                    seat.number,
                    seat.label,
                    seat.category.code,
                    seat.x,
                    seat.y,
                    seat.width,
                    int(seat.is_wheelchair),
                    labels.get(seat.companion_id, ""),
                    int(seat.is_blocked),
                ]
            )
        return _download(dataset, f"seat-map-{pk}", chosen)

    @extend_schema(request=UPLOAD, responses=io.SeatMapImportOutput)
    def put(self, request: Request, pk: int) -> Response:
        auditorium = venue_selectors.auditorium_seat_map(pk)
        dataset = _dataset(request)
        try:
            specs = layout_from_csv(dataset.export("csv"))
        except ValueError as error:
            raise DomainError("layout_invalid", str(error)) from error
        venue_services.auditorium_layout_replace(auditorium, seats=specs, actor=request.user)
        refreshed = venue_selectors.auditorium_seat_map(pk)
        return Response(
            io.SeatMapImportOutput(
                {
                    "id": pk,
                    "layout_version": refreshed.layout_version,
                    "seats": len(refreshed.active_seats),
                }
            ).data
        )
