"""The demo's extras: generated posters and logos, a title coming soon per chain, the
chains' storefront styles."""

from __future__ import annotations

import io

import pytest
from django_tenants.utils import schema_context
from PIL import Image

from ticketing_platform.demo_logos import LOGOS
from ticketing_platform.demo_posters import colours_for, poster_jpeg

DEMO_COLOURS = {"aurora": ("#1e1b4b", "#f97316"), "bluebird": ("#0c4a6e", "#facc15")}


def test_a_poster_is_a_small_two_by_three_jpeg():
    body = poster_jpeg(
        name="The Importance of Being Earnest", kind="play", formats=["live"], certificate="PG"
    )

    image = Image.open(io.BytesIO(body))
    assert (image.format, image.size) == ("JPEG", (480, 720))
    assert len(body) < 60_000


def test_each_title_keeps_its_own_colours():
    assert colours_for("Neon Tide") == colours_for("Neon Tide")
    assert colours_for("Neon Tide") != colours_for("Hamlet")
    first = poster_jpeg(name="Hamlet", kind="play", formats=["live"], certificate="12")
    again = poster_jpeg(name="Hamlet", kind="play", formats=["live"], certificate="12")
    assert first == again


def test_a_very_long_name_still_fits():
    body = poster_jpeg(name="A " * 80 + "Very Long Title", kind="film", formats=[], certificate="")

    assert Image.open(io.BytesIO(body)).size == (480, 720)


@pytest.mark.django_db
def test_demo_extras_are_made_once(alpha, programme, settings, tmp_path, api):
    from ticketing_platform.demo_programme import coming_soon_ensure, posters_ensure
    from venue_apps.catalog.models import Title
    from venue_apps.shows.models import Show

    settings.MEDIA_ROOT = tmp_path
    with schema_context(alpha.schema_name):
        made = coming_soon_ensure("aurora")
        drawn = posters_ensure()
        again = (coming_soon_ensure("aurora"), posters_ensure())
        soon = Title.objects.get(name="Neon Tide")
        shows = list(Show.objects.filter(title=soon))
        posters = dict(Title.objects.values_list("name", "poster"))

    assert (made, drawn, again) == (4, 3, (0, 0))
    assert {show.status for show in shows} == {"scheduled"}
    assert min(show.local_date for show in shows) == soon.release_date
    assert set(posters) == {"The Monsoon Heist", "Waiting for Godot", "Neon Tide"}
    assert all(path.startswith("tenants/alpha/posters/") for path in posters.values())
    assert (tmp_path / posters["Neon Tide"]).stat().st_size < 60_000
    listed = api(alpha).get("/api/v1/titles/?coming_soon=true").json()["results"]
    assert [(t["name"], t["poster"]) for t in listed] == [
        ("Neon Tide", "/media/" + posters["Neon Tide"])
    ]
    assert api(alpha).get("/media/" + posters["Neon Tide"]).status_code == 200


@pytest.mark.django_db
def test_demo_chains_get_their_storefront_styles():
    from tenants.models import Tenant
    from ticketing_platform.management.commands.seed_demo import CHAINS, demo_chain_ensure

    aurora, bluebird = CHAINS

    assert demo_chain_ensure(aurora).storefront_style == "cinema"
    assert demo_chain_ensure(bluebird).storefront_style == "classic"
    assert Tenant.objects.get(slug="bluebird").locale == "en-IE"


@pytest.mark.django_db
def test_a_demo_chain_still_at_the_default_style_gets_its_own_and_a_chosen_one_stays():
    from tenants.models import PlatformAuditLog, Tenant
    from ticketing_platform.management.commands.seed_demo import CHAINS, demo_chain_ensure

    aurora, bluebird = CHAINS
    demo_chain_ensure(aurora)
    demo_chain_ensure(bluebird)
    # Aurora as seeded before styles existed; Bluebird as a person restyled it.
    Tenant.objects.filter(slug="aurora").update(storefront_style="light")
    Tenant.objects.filter(slug="bluebird").update(storefront_style="cinema")

    again = (demo_chain_ensure(aurora), demo_chain_ensure(bluebird))

    assert [tenant.storefront_style for tenant in again] == ["cinema", "cinema"]
    assert PlatformAuditLog.objects.get(
        tenant__slug="aurora", action="tenant_updated"
    ).new_values == {"storefront_style": "cinema"}
    assert not PlatformAuditLog.objects.filter(
        tenant__slug="bluebird", action="tenant_updated"
    ).exists()


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[index : index + 2], 16) for index in (1, 3, 5))


def _logo(slug: str) -> Image.Image:
    primary, accent = DEMO_COLOURS[slug]
    return Image.open(io.BytesIO(LOGOS[slug](primary=primary, accent=accent)))


@pytest.mark.parametrize("slug", ["aurora", "bluebird"])
def test_a_demo_logo_is_a_256_pixel_png_on_a_transparent_ground(slug):
    image = _logo(slug)

    assert (image.format, image.size, image.mode) == ("PNG", (256, 256), "RGBA")
    corners = [(0, 0), (255, 0), (0, 255), (255, 255)]
    assert [image.getpixel(corner)[3] for corner in corners] == [0, 0, 0, 0]
    assert image.getpixel((128, 128))[3] == 255


@pytest.mark.parametrize("slug", ["aurora", "bluebird"])
def test_a_demo_logo_is_in_its_chains_colours(slug):
    primary, accent = DEMO_COLOURS[slug]
    counts = {
        colour[:3]: count
        for count, colour in _logo(slug).getcolors(maxcolors=256 * 256)
        if colour[3] == 255
    }

    assert max(counts, key=counts.__getitem__) == _rgb(primary)
    assert counts[_rgb(accent)] > 1500  # a band or a bird, not a few stray pixels


@pytest.mark.parametrize("slug", ["aurora", "bluebird"])
def test_a_demo_logo_is_the_same_on_every_seed(slug):
    primary, accent = DEMO_COLOURS[slug]

    assert LOGOS[slug](primary=primary, accent=accent) == LOGOS[slug](
        primary=primary, accent=accent
    )


@pytest.mark.django_db
def test_a_demo_chain_gets_its_logo_once_and_serves_it(settings, tmp_path, api):
    from tenants.models import PlatformAuditLog, Tenant
    from ticketing_platform.demo_programme import logo_ensure
    from ticketing_platform.management.commands.seed_demo import CHAINS, demo_chain_ensure

    settings.MEDIA_ROOT = tmp_path
    aurora = demo_chain_ensure(CHAINS[0])

    made = (logo_ensure(aurora), logo_ensure(Tenant.objects.get(slug="aurora")))

    logo = Tenant.objects.get(slug="aurora").logo
    assert made == (True, False)
    assert logo.name == "tenants/aurora/branding/logo.png"
    assert (logo.width, logo.height) == (256, 256)
    served = api(aurora).get("/media/tenants/aurora/branding/logo.png")
    assert (served.status_code, served["Content-Type"]) == (200, "image/png")
    assert api(aurora).get("/api/v1/tenant/").json()["logo"] == (
        "/media/tenants/aurora/branding/logo.png"
    )
    audit = PlatformAuditLog.objects.get(tenant=aurora, action="tenant_updated")
    assert (audit.old_values, audit.new_values) == (
        {"logo": ""},
        {"logo": "tenants/aurora/branding/logo.png"},
    )


@pytest.mark.django_db
def test_a_chain_the_demo_draws_no_logo_for_keeps_none(alpha, settings, tmp_path):
    from tenants.models import Tenant
    from ticketing_platform.demo_programme import logo_ensure

    settings.MEDIA_ROOT = tmp_path

    assert logo_ensure(alpha) is False
    assert not Tenant.objects.get(pk=alpha.pk).logo
