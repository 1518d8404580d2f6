"""Bulk import and export: CSV and XLSX, row errors reported, nothing half-imported."""

from __future__ import annotations

import io
import zipfile

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from tests.fixtures import obtain_tokens
from venue_apps.accounts.models import Role
from venue_apps.catalog.models import Title
from venue_apps.shows.models import Show

pytestmark = pytest.mark.django_db


def upload(client, path: str, name: str, content: bytes, **query):
    suffix = "?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else ""
    return client.post(
        path + suffix, {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )


TITLES_CSV = (
    "name,kind,runtime_minutes,certificate,genres,languages,formats,synopsis\n"
    'Kites Over Kochi,film,128,U,"drama,romance","ml,en","2d",Two kite makers.\n'
    "Hamlet,play,180,,tragedy,en,live,The prince of Denmark.\n"
)


def test_titles_import_from_csv(manager, alpha):
    response = upload(manager, "/api/v1/imports/titles/", "titles.csv", TITLES_CSV.encode())

    assert response.status_code == 200, response.content
    assert response.json()["totals"]["new"] == 2
    with schema_context(alpha.schema_name):
        kites = Title.objects.get(slug="kites-over-kochi")
        assert kites.genres == ["drama", "romance"]
        assert kites.languages == ["ml", "en"]
        assert kites.search_vector is not None


def test_titles_import_with_a_bad_row_imports_nothing_and_names_the_row(manager, alpha):
    bad = TITLES_CSV + "Broken,film,0,,,,8k,\n"

    response = upload(manager, "/api/v1/imports/titles/", "titles.csv", bad.encode())

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_invalid"
    assert [error["row"] for error in body["errors"]] == [3]
    with schema_context(alpha.schema_name):
        assert not Title.objects.filter(name__in=["Kites Over Kochi", "Hamlet", "Broken"]).exists()


def test_dry_run_checks_without_writing(manager, alpha):
    response = upload(
        manager, "/api/v1/imports/titles/", "titles.csv", TITLES_CSV.encode(), dry_run="true"
    )

    assert response.status_code == 200
    assert response.json()["dry_run"] is True
    with schema_context(alpha.schema_name):
        assert not Title.objects.filter(name="Hamlet").exists()


def test_titles_import_from_xlsx(manager, alpha):
    dataset = tablib.Dataset(
        headers=["name", "kind", "runtime_minutes", "genres", "languages", "formats"]
    )
    dataset.append(["Swan Lake", "dance", 140, "ballet", "en", "live"])

    response = upload(manager, "/api/v1/imports/titles/", "titles.xlsx", dataset.export("xlsx"))

    assert response.status_code == 200, response.content
    with schema_context(alpha.schema_name):
        assert Title.objects.get(slug="swan-lake").kind == "dance"


def test_shows_import_schedules_through_the_service(manager, alpha, programme):
    show = programme["show"]
    local = show.starts_at.astimezone(show.venue.zone)
    morning = local.replace(hour=10, minute=0).strftime("%Y-%m-%dT%H:%M")  # venue time
    night = local.replace(hour=22, minute=0).isoformat()  # with its offset
    where = "the-monsoon-heist,Aurora Phoenix,Audi 1"
    rows = (
        "title,venue,auditorium,starts_at,format,price_card\n"
        f"{where},{morning},imax,Standard\n"
        f"{where},{night},2d,Standard\n"
    )

    response = upload(manager, "/api/v1/imports/shows/", "shows.csv", rows.encode())

    assert response.status_code == 200, response.content
    with schema_context(alpha.schema_name):
        morning = Show.objects.get(format="imax")
        assert morning.starts_at.astimezone(show.venue.zone).hour == 10
        assert morning.prices["regular"] == show.prices["regular"]
        assert Show.objects.count() == 3


def test_shows_import_refuses_an_overlap_and_keeps_the_good_rows_out(manager, alpha, programme):
    show = programme["show"]
    early = show.starts_at.replace(hour=2).isoformat()
    start = show.starts_at.isoformat()
    rows = (
        "title,venue,auditorium,starts_at,format,price_card\n"
        f"the-monsoon-heist,Aurora Phoenix,Audi 1,{early},2d,Standard\n"
        f"the-monsoon-heist,Aurora Phoenix,Audi 1,{start},2d,Standard\n"
        f"no-such-title,Aurora Phoenix,Audi 1,{start},2d,Standard\n"
    )

    response = upload(manager, "/api/v1/imports/shows/", "shows.csv", rows.encode())

    assert response.status_code == 400
    errors = {error["row"]: " ".join(error["errors"]) for error in response.json()["errors"]}
    assert set(errors) == {2, 3}
    assert "busy" in errors[2]
    with schema_context(alpha.schema_name):
        assert Show.objects.count() == 1


@pytest.mark.parametrize("kind", ["titles", "shows"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exports(manager, programme, kind, file_format):
    response = manager.get(f"/api/v1/exports/{kind}/?format={file_format}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{kind}.{file_format}"'
    content = response.content
    dataset = (
        tablib.Dataset().load(content.decode(), format="csv")
        if file_format == "csv"
        else tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    )
    column = "slug" if kind == "titles" else "title"
    assert "the-monsoon-heist" in dataset[column]


def test_seat_map_round_trip_through_csv(manager, programme):
    audi = programme["auditorium"]
    exported = manager.get(f"/api/v1/auditoriums/{audi.pk}/layout/?format=csv")
    text = manager.get(f"/api/v1/auditoriums/{audi.pk}/layout/?format=text")
    changed = exported.content.decode().replace(",premium,", ",recliner,")

    response = manager.put(
        f"/api/v1/auditoriums/{audi.pk}/layout/",
        {"file": SimpleUploadedFile("map.csv", changed.encode())},
        format="multipart",
    )

    assert exported.status_code == 200
    assert "[Stalls]" in text.content.decode()
    assert response.status_code == 200, response.content
    assert response.json() == {"id": audi.pk, "layout_version": 2, "seats": 30}
    seat_map = manager.get(f"/api/v1/auditoriums/{audi.pk}/").json()
    assert {seat["category"] for seat in seat_map["seats"] if seat["row"] == "C"} == {"recliner"}


def test_bad_files_are_refused_with_reasons(manager):
    assert (
        upload(manager, "/api/v1/imports/titles/", "titles.pdf", b"%PDF").json()["code"]
        == "file_type"
    )
    assert (
        manager.post("/api/v1/imports/titles/", {}, format="multipart").json()["code"]
        == "file_missing"
    )
    assert upload(manager, "/api/v1/imports/tickets/", "x.csv", b"a\n1").status_code == 404
    broken = upload(manager, "/api/v1/imports/titles/", "titles.xlsx", b"not a spreadsheet")
    assert broken.status_code == 400
    assert broken.json()["code"] == "file_unreadable"


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.BOX_OFFICE, Role.SCANNER])
def test_only_owners_and_managers_transfer(api, alpha, make_user, role):
    client = api(alpha)
    user = make_user(alpha, role=role)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, user.email)['access']}")

    assert client.get("/api/v1/exports/titles/").status_code == 403
    assert (
        upload(client, "/api/v1/imports/titles/", "t.csv", TITLES_CSV.encode()).status_code == 403
    )


# --- files whose size on the wire hides the work of reading them ------------------------


def xlsx_with_sheet(sheet_xml: str | bytes) -> bytes:
    """A real XLSX file (written by openpyxl) whose first sheet is replaced by `sheet_xml`."""
    dataset = tablib.Dataset(headers=["name", "kind", "runtime_minutes"])
    dataset.append(["Swan Lake", "dance", 140])
    source = zipfile.ZipFile(io.BytesIO(dataset.export("xlsx")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode() if isinstance(sheet_xml, str) else sheet_xml
            target.writestr(member.filename, data)
    return out.getvalue()


def sheet(dimension: str, cells: str, padding: int = 0) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/>'
        f"<sheetData>{' ' * padding}{cells}</sheetData></worksheet>"
    )


def cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def test_an_xlsx_that_unpacks_past_the_bound_is_refused_unread(manager, alpha):
    # An attacker's 5 MB upload can unpack a thousand times over: the zip's own
    # directory is checked before openpyxl inflates anything.
    padded = sheet("A1:A1", f'<row r="1">{cell("A1", "name")}</row>', padding=45 * 1024 * 1024)
    bomb = xlsx_with_sheet(padded)
    assert len(bomb) < 1024 * 1024

    response = upload(manager, "/api/v1/imports/titles/", "titles.xlsx", bomb)

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert "unpacks to more than" in response.json()["detail"]
    with schema_context(alpha.schema_name):
        assert not Title.objects.exists()


def test_an_xlsx_declaring_a_million_rows_and_columns_is_refused_at_once(manager, alpha):
    # A few hundred bytes whose declared size and far corner would make openpyxl pad out
    # 16,384 x 1,048,576 cells: read within our bounds instead, and refused.
    cells = (
        f'<row r="1">{cell("A1", "name")}{cell("XFD1", "x")}</row>'
        f'<row r="1048576">{cell("A1048576", "x")}</row>'
    )
    bomb = xlsx_with_sheet(sheet("A1:XFD1048576", cells))

    response = upload(manager, "/api/v1/imports/titles/", "titles.xlsx", bomb)

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    with schema_context(alpha.schema_name):
        assert not Title.objects.exists()


def test_an_xlsx_with_a_far_row_is_refused(manager, alpha):
    cells = f'<row r="1">{cell("A1", "name")}</row><row r="900000">{cell("A900000", "x")}</row>'

    response = upload(
        manager, "/api/v1/imports/titles/", "t.xlsx", xlsx_with_sheet(sheet("A1", cells))
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Files are limited to 20,000 rows; split it into several.",
        "code": "file_too_large",
    }


def test_an_xlsx_with_a_far_column_is_refused(manager, alpha):
    cells = f'<row r="1">{cell("A1", "name")}{cell("XFD1", "x")}</row>'

    response = upload(
        manager, "/api/v1/imports/titles/", "t.xlsx", xlsx_with_sheet(sheet("A1:XFD1", cells))
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Files are limited to 100 columns.",
        "code": "file_too_large",
    }


def test_empty_cells_far_to_the_right_in_every_row_are_bounded_too(manager, alpha):
    # Formatting alone (a styled, empty cell in column XFD) widens every row it is in.
    rows = "".join(
        f'<row r="{number}">{cell(f"A{number}", "x")}<c r="XFD{number}" s="0"/></row>'
        for number in range(1, 400)
    )

    response = upload(
        manager, "/api/v1/imports/titles/", "t.xlsx", xlsx_with_sheet(sheet("A1", rows))
    )

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"


def test_a_lying_dimension_is_ignored_for_an_ordinary_sheet(manager, alpha):
    cells = (
        f'<row r="1">{cell("A1", "name")}{cell("B1", "kind")}{cell("C1", "runtime_minutes")}'
        f'</row><row r="2">{cell("A2", "Swan Lake")}{cell("B2", "dance")}'
        '<c r="C2"><v>140</v></c></row>'
    )

    response = upload(
        manager, "/api/v1/imports/titles/", "t.xlsx", xlsx_with_sheet(sheet("A1:XFD900000", cells))
    )

    assert response.status_code == 200, response.content
    with schema_context(alpha.schema_name):
        assert Title.objects.get(slug="swan-lake").runtime_minutes == 140


def test_a_csv_past_the_row_bound_is_refused(manager, alpha):
    from tenants.spreadsheets import MAX_ROWS

    rows = "name,kind,runtime_minutes\n" + "Film,film,90\n" * (MAX_ROWS + 1)

    response = upload(manager, "/api/v1/imports/titles/", "titles.csv", rows.encode())

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    with schema_context(alpha.schema_name):
        assert not Title.objects.exists()


def dashboard_client(alpha, make_user):
    from django.test import Client

    manager = make_user(alpha, role=Role.MANAGER)
    client = Client(HTTP_HOST="alpha.localhost")
    with schema_context(alpha.schema_name):
        client.force_login(manager)
    return client


def test_the_dashboards_import_reads_xlsx_within_the_same_bounds(alpha, make_user):
    padded = sheet("A1:A1", f'<row r="1">{cell("A1", "name")}</row>', padding=45 * 1024 * 1024)
    client = dashboard_client(alpha, make_user)

    page = client.post(
        "/dashboard/catalog/title/import/",
        {
            "resource": "0",
            "format": "1",  # XLSX
            "import_file": SimpleUploadedFile("titles.xlsx", xlsx_with_sheet(padded)),
        },
    )

    assert page.status_code == 200
    assert page.context["form"].errors["import_file"] == [
        "The XLSX file unpacks to more than 40 MB."
    ]
    with schema_context(alpha.schema_name):
        assert not Title.objects.exists()


def test_the_dashboards_import_refuses_an_oversized_file_before_keeping_it(
    alpha, make_user, monkeypatch
):
    from import_export.tmp_storages import CacheStorage

    saved = []
    monkeypatch.setattr(CacheStorage, "save", lambda self, data: saved.append(data))
    client = dashboard_client(alpha, make_user)
    big = b"name,kind,runtime_minutes\n" + b"x" * (5 * 1024 * 1024)

    page = client.post(
        "/dashboard/catalog/title/import/",
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("t.csv", big)},
    )

    assert page.status_code == 200
    assert page.context["form"].errors["import_file"] == ["Files are limited to 5 MB."]
    assert saved == []


def test_the_dashboards_import_still_takes_an_ordinary_xlsx(alpha, make_user):
    dataset = tablib.Dataset(headers=["name", "kind", "runtime_minutes"])
    dataset.append(["Swan Lake", "dance", 140])
    client = dashboard_client(alpha, make_user)

    page = client.post(
        "/dashboard/catalog/title/import/",
        {
            "resource": "0",
            "format": "1",
            "import_file": SimpleUploadedFile("t.xlsx", dataset.export("xlsx")),
        },
    )

    assert page.status_code == 200
    assert not page.context["form"].errors
    assert page.context["result"].totals["new"] == 1
