"""Bulk import and export: CSV and XLSX, row errors reported, nothing half-imported."""

from __future__ import annotations

import io

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
