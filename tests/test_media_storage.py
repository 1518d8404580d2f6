"""Media in an S3-compatible bucket (production), through django-storages, against an
in-process S3 (moto): files keyed by chain; the API names them by a path on the chain's
host that redirects to a short-lived signed URL, or by their public address when a
public domain serves the bucket; another chain never gets a chain's file."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from django_tenants.utils import schema_context
from moto import mock_aws
from PIL import Image

from tenants.models import Tenant
from tenants.services import tenant_logo_set
from tests.fixtures import settings_in_a_fresh_process
from venue_apps.catalog.services import title_poster_set

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "ticketing-media-test"

pytestmark = pytest.mark.django_db


def jpeg(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 30), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def _s3_storage(settings, **options) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "ticketing_platform.storage.ChainMediaS3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "signature_version": "s3v4",
                "querystring_auth": True,
                "querystring_expire": settings.MEDIA_SIGNED_URL_SECONDS,
                "default_acl": None,
                "file_overwrite": False,
                **options,
            },
        },
    }


@pytest.fixture
def bucket(settings, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        yield s3


def _keys(s3) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_a_private_bucket_keys_files_by_chain_and_the_chain_redirects_to_a_signed_url(
    settings, bucket, api, alpha, beta, programme
):
    _s3_storage(settings)
    body = jpeg()
    with schema_context(alpha.schema_name):
        title = title_poster_set(programme["film"], image=body, filename="heist.jpg")
    path = f"/media/{title.poster.name}"

    poster = api(alpha).get(f"/api/v1/titles/{title.pk}/").json()["poster"]
    response = api(alpha).get(poster)
    elsewhere = api(beta).get(poster)

    assert _keys(bucket) == [title.poster.name]
    assert title.poster.name.startswith("tenants/alpha/posters/heist")
    assert poster == path
    assert response.status_code == 302
    signed = urlsplit(response["Location"])
    query = parse_qs(signed.query)
    assert signed.path == f"/{title.poster.name}"
    assert BUCKET in signed.netloc
    assert query["X-Amz-Expires"] == [str(settings.MEDIA_SIGNED_URL_SECONDS)]
    assert "X-Amz-Signature" in query
    assert response["Cache-Control"] == f"private, max-age={settings.MEDIA_SIGNED_URL_SECONDS // 2}"
    assert requests.get(response["Location"], timeout=5).content == body
    assert elsewhere.status_code == 404
    assert "Location" not in elsewhere


def test_a_missing_file_or_another_chains_path_is_404_without_a_signature(
    settings, bucket, api, alpha
):
    _s3_storage(settings)
    bucket.put_object(Bucket=BUCKET, Key="tenants/beta/posters/secret.jpg", Body=jpeg())

    missing = api(alpha).get("/media/tenants/alpha/posters/none.jpg")
    other = api(alpha).get("/media/tenants/beta/posters/secret.jpg")

    assert (missing.status_code, other.status_code) == (404, 404)


def test_a_public_domain_names_files_by_their_public_address(
    settings, bucket, api, alpha, programme
):
    _s3_storage(settings, custom_domain="media.example-platform.com")
    with schema_context(alpha.schema_name):
        title = title_poster_set(programme["film"], image=jpeg(), filename="heist.jpg")
    tenant_logo_set(Tenant.objects.get(pk=alpha.pk), image=jpeg("blue"), filename="logo.png")
    public = f"https://media.example-platform.com/{title.poster.name}"

    poster = api(alpha).get(f"/api/v1/titles/{title.pk}/").json()["poster"]
    logo = api(alpha).get("/api/v1/tenant/").json()["logo"]
    old_link = api(alpha).get(f"/media/{title.poster.name}")

    assert poster == public
    assert logo.startswith("https://media.example-platform.com/tenants/alpha/branding/logo")
    assert (old_link.status_code, old_link["Location"]) == (302, public)
    assert sorted(_keys(bucket))[0].startswith("tenants/alpha/branding/logo")


def test_uploads_never_replace_a_file_of_the_same_name(settings, bucket, alpha, programme):
    _s3_storage(settings)
    with schema_context(alpha.schema_name):
        first = title_poster_set(programme["film"], image=jpeg("red"), filename="p.jpg")
        first_name = first.poster.name
        second = title_poster_set(programme["film"], image=jpeg("blue"), filename="p.jpg")

    assert second.poster.name != first_name
    assert sorted(_keys(bucket)) == sorted([first_name, second.poster.name])


def test_the_e_ticket_prints_a_logo_kept_in_a_bucket(settings, bucket, alpha, customer, programme):
    from tests.checkout import checkout, sandbox, seat_ids
    from venue_apps.orders.models import Order
    from venue_apps.tickets.selectors import order_tickets, order_tickets_pdf, ticket_pages

    _s3_storage(settings)
    logo = jpeg("green")
    tenant_logo_set(Tenant.objects.get(pk=alpha.pk), image=logo, filename="logo.jpg")
    _, client = customer
    show = programme["show"]
    body = checkout(client, show, seat_ids("alpha", show, ["A1"]))
    sandbox(client, body["payment"]["id"], "approve")

    with schema_context(alpha.schema_name):
        order = Order.objects.get(pk=body["id"])
        pages = ticket_pages(order, list(order_tickets(order)))
        pdf = order_tickets_pdf(order)

    assert [page.logo_path for page in pages] == [logo]
    assert b"/Subtype /Image" in pdf  # the logo: nothing else on the page is a bitmap


PRINT_MEDIA = (
    "import json, django\n"
    "django.setup()\n"
    "from django.conf import settings as s\n"
    "print(json.dumps([s.STORAGES['default'], s.CONTENT_SECURITY_POLICY['DIRECTIVES']"
    "['img-src'][3:]]))\n"
)


def _media_settings(**variables: str) -> subprocess.CompletedProcess:
    names = {name for name in os.environ if name.startswith("MEDIA_")}
    return settings_in_a_fresh_process(
        PRINT_MEDIA,
        {
            **{key: value for key, value in os.environ.items() if key not in names},
            "DJANGO_ENV": "development",
            **variables,
        },
    )


def test_the_bucket_is_configured_from_the_environment():
    result = _media_settings(
        MEDIA_STORAGE="s3",
        MEDIA_S3_BUCKET="chains-media",
        MEDIA_S3_ENDPOINT_URL="https://minio.internal.example:9000",
        MEDIA_S3_ACCESS_KEY_ID="AKIDEXAMPLE",
        MEDIA_S3_SECRET_ACCESS_KEY="example-secret",
        MEDIA_SIGNED_URL_SECONDS="600",
    )

    assert result.returncode == 0, result.stderr
    storage, image_origins = json.loads(result.stdout.strip().splitlines()[-1])
    assert storage["BACKEND"] == "ticketing_platform.storage.ChainMediaS3Storage"
    options = storage["OPTIONS"]
    assert {key: options[key] for key in ("bucket_name", "endpoint_url", "access_key")} == {
        "bucket_name": "chains-media",
        "endpoint_url": "https://minio.internal.example:9000",
        "access_key": "AKIDEXAMPLE",
    }
    assert options["addressing_style"] == "path"
    assert options["querystring_expire"] == 600
    assert options["file_overwrite"] is False
    assert options["custom_domain"] is None
    # Pages may show images redirected to the bucket.
    assert image_origins == ["https://minio.internal.example:9000"]


def test_a_public_domain_is_the_origin_images_come_from():
    result = _media_settings(
        MEDIA_STORAGE="s3", MEDIA_S3_BUCKET="b", MEDIA_S3_CUSTOM_DOMAIN="media.example.com"
    )

    storage, image_origins = json.loads(result.stdout.strip().splitlines()[-1])
    assert storage["OPTIONS"]["custom_domain"] == "media.example.com"
    assert image_origins == ["https://media.example.com"]


def test_the_filesystem_is_the_default_and_anything_else_is_refused():
    default = _media_settings()
    unknown = _media_settings(MEDIA_STORAGE="ftp")

    assert json.loads(default.stdout.strip().splitlines()[-1]) == [
        {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        [],
    ]
    assert unknown.returncode != 0
    assert "MEDIA_STORAGE must be filesystem or s3" in unknown.stderr
