"""The demo's extras: generated posters, and a title coming soon per chain."""

from __future__ import annotations

import io

import pytest
from django_tenants.utils import schema_context
from PIL import Image

from ticketing_platform.demo_posters import colours_for, poster_jpeg


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
