"""`/media/` on a chain's host: its own posters and logo only, with caching headers; the
API names those files by paths this view serves."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.base import ContentFile
from django_tenants.utils import schema_context
from PIL import Image

from tenants.models import Tenant
from venue_apps.catalog.models import Title

pytestmark = pytest.mark.django_db


def jpeg(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 30), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def poster(media_root, programme, alpha) -> tuple[Title, bytes]:
    body = jpeg()
    with schema_context(alpha.schema_name):
        title = programme["film"]
        title.poster.save("heist.jpg", ContentFile(body))
    return title, body


def test_a_chain_serves_its_own_poster_with_cache_headers(api, alpha, poster):
    title, body = poster

    response = api(alpha).get(f"/media/tenants/alpha/posters/{os.path.basename(title.poster.name)}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == body
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Length"] == str(len(body))
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_revalidation_with_the_etag_is_a_304(api, alpha, poster):
    title, _ = poster
    path = f"/media/{title.poster.name}"
    etag = api(alpha).get(path)["ETag"]

    again = api(alpha).get(path, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again["ETag"] == etag


def test_another_chain_never_serves_a_chains_files(api, alpha, beta, poster):
    title, _ = poster
    name = title.poster.name  # tenants/alpha/posters/...
    leaf = os.path.basename(name)

    paths = [
        f"/media/{name}",
        f"/media/tenants/beta/../alpha/posters/{leaf}",
        f"/media/tenants/beta/posters/../../alpha/posters/{leaf}",
        f"/media/tenants/beta/posters/%2e%2e/%2e%2e/alpha/posters/{leaf}",
    ]

    assert [api(beta).get(path).status_code for path in paths] == [404] * len(paths)


@pytest.mark.parametrize(
    "path",
    [
        "tenants/alpha/posters/../posters/{leaf}",
        "tenants/alpha//posters/{leaf}",
        "tenants/alpha/posters/./{leaf}",
        "tenants/alpha/posters\\{leaf}",
        "tenants/alpha/posters/",
        "tenants/alpha/posters",
        "tenants/alpha/",
        "tenants/alpha/exports/orders.csv",
        "tenants/alpha/posters/.hidden",
        "other/alpha/posters/{leaf}",
        "tenants/alpha/posters/" + "x" * 5000,
        "tenants/alpha/posters/%FF%FE.jpg",
        "",
    ],
)
def test_odd_and_sneaky_paths_are_404(api, alpha, poster, media_root, path):
    title, _ = poster
    exports = media_root / "tenants" / "alpha" / "exports"
    exports.mkdir(parents=True)
    (exports / "orders.csv").write_text("private")
    (media_root / "tenants" / "alpha" / "posters" / ".hidden").write_text("x")

    response = api(alpha).get("/media/" + path.format(leaf=os.path.basename(title.poster.name)))

    assert response.status_code == 404


def test_a_nul_byte_in_a_media_path_is_refused_before_any_file_is_looked_up(api, alpha, poster):
    title, _ = poster
    leaf = os.path.basename(title.poster.name)

    response = api(alpha).get(f"/media/tenants/alpha/posters/{leaf}%00.png")

    # Refused by the request guard with every other NUL byte (bad_requests.py): nothing served.
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


def test_a_link_out_of_the_chains_folder_is_not_followed(api, alpha, poster, media_root):
    secret = media_root / "tenants" / "beta" / "posters" / "secret.jpg"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(jpeg("blue"))
    link = media_root / "tenants" / "alpha" / "posters" / "link.jpg"
    link.symlink_to(secret)

    assert api(alpha).get("/media/tenants/alpha/posters/link.jpg").status_code == 404


def test_only_get_and_head(api, alpha, poster):
    title, _ = poster
    path = f"/media/{title.poster.name}"

    assert api(alpha).head(path).status_code == 200
    assert api(alpha).post(path).status_code == 405


def test_the_api_names_posters_and_logos_by_paths_the_chain_serves(api, alpha, poster):
    title, _ = poster
    expected = f"/media/{title.poster.name}"
    Tenant.objects.get(pk=alpha.pk).logo.save("logo.png", ContentFile(jpeg()))
    client = api(alpha)

    listed = client.get("/api/v1/titles/").json()["results"]
    detail = client.get(f"/api/v1/titles/{title.pk}/").json()
    logo = client.get("/api/v1/tenant/").json()["logo"]

    assert {row["id"]: row["poster"] for row in listed}[title.pk] == expected
    assert detail["poster"] == expected
    assert logo.startswith("/media/tenants/alpha/branding/logo")
    assert client.get(expected).status_code == 200
    assert client.get(logo).status_code == 200
    assert api(Tenant.objects.get(slug="beta")).get(logo).status_code == 404


def test_no_file_is_null_not_an_empty_string(api, alpha, programme):
    body = api(alpha).get(f"/api/v1/titles/{programme['film'].pk}/").json()

    assert body["poster"] is None
    assert api(alpha).get("/api/v1/tenant/").json()["logo"] is None
