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


# --- quickstep, the browser tests' chain (`seed_demo --e2e`) ---------------------------------


def test_only_e2e_seeds_add_quickstep_and_the_logins_list_leaves_it_out():
    from io import StringIO

    from django.core.management import call_command

    from ticketing_platform.management.commands.seed_demo import CHAINS, demo_chains

    printed = StringIO()
    call_command("seed_demo", "--print-logins", stdout=printed)

    assert [chain.slug for chain in demo_chains()] == ["aurora", "bluebird"]
    assert [chain.slug for chain in demo_chains(e2e=True)] == ["aurora", "bluebird", "quickstep"]
    assert demo_chains() == CHAINS
    assert "quickstep" not in printed.getvalue()


@pytest.fixture
def quickstep(db, settings, tmp_path):
    """The e2e chain seeded as `seed_demo --e2e` seeds it (without the two big chains)."""
    from ticketing_platform.management.commands.seed_demo import E2E_CHAIN, demo_chain_seed

    settings.MEDIA_ROOT = tmp_path  # its poster
    return demo_chain_seed(E2E_CHAIN)


def test_the_e2e_chain_is_quickstep_with_holds_of_20_seconds(quickstep):
    from tenants.models import Tenant

    tenant = Tenant.objects.get(slug="quickstep")

    assert tenant.hold_ttl_seconds == quickstep.hold_ttl_seconds == 20
    assert (tenant.name, tenant.currency, tenant.timezone, tenant.locale) == (
        "Quickstep Cinema",
        "GBP",
        "Europe/London",
        "en-GB",
    )
    assert tenant.storefront_style == "light"
    assert tenant.get_primary_domain().domain == "quickstep.localhost"


def test_the_e2e_chains_holds_run_out_after_20_seconds(quickstep, api):
    from datetime import datetime

    from django.utils import timezone

    from venue_apps.shows.models import Show

    with schema_context(quickstep.schema_name):
        show = Show.objects.order_by("starts_at").last()

    before = timezone.now()
    response = api(quickstep).post(
        f"/api/v1/shows/{show.pk}/holds/",
        {"best_available": {"count": 2}},
        format="json",
        HTTP_X_CART_ID="e2e-cart-0123456789",
    )

    assert response.status_code == 201, response.content
    expires = datetime.fromisoformat(response.json()["expires_at"])
    assert 19 <= (expires - before).total_seconds() <= 21


def test_the_e2e_chain_has_the_demo_logins_and_sales_settings(quickstep):
    from venue_apps.accounts.models import User
    from venue_apps.orders.models import CheckoutSettings, TaxRate

    with schema_context(quickstep.schema_name):
        users = {user.email: user for user in User.objects.all()}
        fee = CheckoutSettings.objects.get().booking_fee_per_ticket
        taxes = list(TaxRate.objects.values_list("name", "basis_points", "applies_to", "inclusive"))

    assert {email: user.role for email, user in users.items()} == {
        "owner@quickstep.test": "owner",
        "manager@quickstep.test": "manager",
        "boxoffice@quickstep.test": "box_office",
        "scanner@quickstep.test": "scanner",
        "customer@quickstep.test": "customer",
    }
    assert users["customer@quickstep.test"].check_password("ticketing-demo")
    assert (fee, taxes) == (100, [("VAT", 2000, "all", True)])


def test_the_e2e_chain_shows_one_film_every_two_hours_from_the_next_full_hour(quickstep):
    from datetime import timedelta

    from venue_apps.catalog.models import Title
    from venue_apps.inventory.models import ShowSeat
    from venue_apps.shows.models import Show
    from venue_apps.venues.models import Auditorium, Seat, Venue

    with schema_context(quickstep.schema_name):
        (auditorium,) = Auditorium.objects.all()
        seats = Seat.objects.filter(auditorium=auditorium).count()
        shows = list(Show.objects.order_by("starts_at"))
        (film,) = Title.objects.all()
        venues = Venue.objects.count()
        seats_on_sale = {
            show.pk: ShowSeat.objects.filter(show=show).count() for show in shows[:1] + shows[-1:]
        }

    assert venues == 1
    assert 100 <= seats <= 200
    assert film.kind == "film" and film.poster
    first = shows[0].starts_at
    # The next full hour after the seed (the chain was onboarded just before).
    assert (first.minute, first.second, first.microsecond) == (0, 0, 0)
    assert timedelta(0) < first - quickstep.created_at <= timedelta(hours=1)
    assert [show.starts_at for show in shows] == [
        first + timedelta(hours=2 * index) for index in range(24)
    ]
    assert {show.status for show in shows} == {"on_sale"}
    assert {show.title_id for show in shows} == {film.pk}
    assert set(seats_on_sale.values()) == {seats}


def test_seeding_the_e2e_chain_again_adds_nothing(quickstep):
    from tenants.models import Tenant
    from ticketing_platform.management.commands.seed_demo import E2E_CHAIN, demo_chain_seed
    from venue_apps.accounts.models import User
    from venue_apps.shows.models import Show

    with schema_context(quickstep.schema_name):
        before = (Show.objects.count(), User.objects.count())

    said: list[str] = []
    again = demo_chain_seed(E2E_CHAIN, say=said.append)

    with schema_context(quickstep.schema_name):
        assert (Show.objects.count(), User.objects.count()) == before
    assert said == []
    assert again.hold_ttl_seconds == 20
    assert Tenant.objects.filter(slug="quickstep").count() == 1


def test_a_later_e2e_seed_carries_the_schedule_on_after_the_last_show(quickstep):
    from datetime import timedelta

    from ticketing_platform.demo_programme import quickstep_shows_ensure
    from venue_apps.shows.models import Show

    with schema_context(quickstep.schema_name):
        last = Show.objects.order_by("starts_at").last().starts_at
        made = quickstep_shows_ensure(days=3)
        added = list(
            Show.objects.filter(starts_at__gt=last)
            .order_by("starts_at")
            .values_list("starts_at", "status")
        )

    assert made == 12
    assert added == [(last + timedelta(hours=2 * step), "on_sale") for step in range(1, 13)]


def test_demo_venues_get_two_tills_once(alpha, programme):
    from ticketing_platform.management.commands.seed_demo import tills_ensure
    from venue_apps.tills.models import Till

    with schema_context(alpha.schema_name):
        made, again = tills_ensure(), tills_ensure()
        tills = list(Till.objects.values_list("venue_id", "name"))

    assert (made, again) == (2, 0)
    assert sorted(tills) == [
        (programme["venue"].pk, "Box office 1"),
        (programme["venue"].pk, "Box office 2"),
    ]
