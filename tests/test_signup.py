"""Chains signing up themselves on the apex domain: the request, the emailed link that
creates the chain, refused subdomains, old and reused links, the rate limits and bot
guards, the approval gate on going live, and the new chain's checklist."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from tenants.billing import signups
from tenants.billing.models import Plan, PlanPrice, PlatformSettings, SignUp, Subscription
from tenants.models import PlatformAuditLog, Tenant
from tests.checkout import STRIPE_LIVE_KEYS
from tests.fixtures import (
    PASSWORD,
    PLATFORM_STAFF_EMAIL,
    dashboard_sign_in,
    obtain_tokens,
    throttle_rates,
)
from venue_apps.accounts.models import Role, User

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"


@pytest.fixture
def plan(db) -> Plan:
    starter = Plan.objects.create(code="starter", name="Starter", trial_days=30, basis_points=50)
    PlanPrice.objects.create(plan=starter, currency="INR", monthly_fee=99_900, per_ticket=500)
    PlanPrice.objects.create(plan=starter, currency="EUR", monthly_fee=1_900, per_ticket=10)
    return starter


def aged_form_token(seconds: int = 60) -> str:
    """The form's signed timestamp as the page gave it `seconds` ago (a person typing)."""
    with time_machine.travel(timezone.now() - timedelta(seconds=seconds)):
        return signups.form_token()


def form(**change) -> dict:
    return {
        "name": "Comet Cinemas",
        "slug": "comet",
        "email": "Boss@Comet.test",
        "password": PASSWORD,
        "currency": "inr",
        "timezone": "Asia/Kolkata",
        "plan": "starter",
        "form_token": aged_form_token(),
        "website": "",
        **change,
    }


def sign_up(api, django_capture_on_commit_callbacks, *, address: str = ADDRESS, **change):
    with django_capture_on_commit_callbacks(execute=True):
        return api().post(
            "/api/platform/signups/", form(**change), format="json", REMOTE_ADDR=address
        )


def emailed_link() -> str:
    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    found = re.search(r"http://\S+/signup/verify/\S+/", mail.outbox[0].body)
    assert found, mail.outbox[0].body
    return found.group(0)


def apex() -> Client:
    return Client(HTTP_HOST=settings.PLATFORM_DOMAIN)


def test_a_chain_signs_up_confirms_its_email_and_its_owner_signs_in(
    api, plan, tasks_inline, django_capture_on_commit_callbacks
):
    answer = sign_up(api, django_capture_on_commit_callbacks)

    assert answer.status_code == 202, answer.content
    assert answer.json() == {"detail": signups_view_detail()}
    assert not Tenant.objects.filter(slug="comet").exists()  # nothing before the email
    signup = SignUp.objects.get(slug="comet")
    assert signup.password_hash.startswith(("md5$", "argon2")) and PASSWORD not in str(
        signup.__dict__
    )
    link = emailed_link()
    assert mail.outbox[0].to == ["boss@comet.test"]
    # At the apex, on the port the site serves on (as every email's links).
    assert link.startswith(f"http://{settings.PLATFORM_DOMAIN}:8000/signup/verify/")
    assert signup.token_digest not in link

    page = apex().post(urlsplit(link).path)

    assert page.status_code == 200
    text = page.content.decode()
    assert "Comet Cinemas is ready" in text
    assert f'href="http://comet.{settings.PLATFORM_DOMAIN}:8000/dashboard/"' in text
    comet = Tenant.objects.get(slug="comet")
    assert (comet.currency, comet.timezone, comet.name) == ("INR", "Asia/Kolkata", "Comet Cinemas")
    assert schema_exists("comet")
    signup.refresh_from_db()
    assert (signup.status, signup.tenant, signup.approval) == ("verified", comet, "not_required")
    today = timezone.now().astimezone(ZoneInfo("Asia/Kolkata")).date()
    subscription = Subscription.objects.get(tenant=comet)
    assert (subscription.plan, subscription.starts_on) == (plan, today)
    # Its last free day: 30 days counting today.
    assert subscription.trial_ends_on == today + timedelta(days=29)
    assert PlatformAuditLog.objects.filter(
        tenant=comet, action=PlatformAuditLog.Action.SIGNUP_VERIFIED
    ).exists()
    with schema_context("comet"):
        from venue_apps.payments.models import PaymentSettings

        assert PaymentSettings.current().mode == "test"
        owner = User.objects.get(email="boss@comet.test")
        assert owner.role == Role.OWNER
    tokens = obtain_tokens(api(comet), "boss@comet.test", PASSWORD)
    client = api(comet)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert client.get("/api/v1/me/").json()["role"] == "owner"


def signups_view_detail() -> str:
    from api.platform.signups import ACCEPTED

    return ACCEPTED


def test_opening_the_link_creates_nothing_until_the_owner_confirms(
    api, plan, tasks_inline, django_capture_on_commit_callbacks
):
    """Mail scanners open links: a GET only asks; the button (a POST) creates."""
    sign_up(api, django_capture_on_commit_callbacks)
    path = urlsplit(emailed_link()).path

    opened = apex().get(path)
    opened_again = apex().get(path)

    assert opened.status_code == opened_again.status_code == 200
    text = opened.content.decode()
    assert 'data-verify="confirm"' in text and 'method="post"' in text
    assert "Create my chain" in text and f"comet.{settings.PLATFORM_DOMAIN}" in text
    assert not Tenant.objects.filter(slug="comet").exists()
    assert SignUp.objects.get(slug="comet").status == "pending"

    confirmed = apex().post(path)

    assert confirmed.status_code == 200
    assert 'data-verify="ready"' in confirmed.content.decode()
    assert Tenant.objects.filter(slug="comet").exists()
    # Opened after it was confirmed, the link says so and still creates nothing new.
    assert "confirmed already" in apex().get(path).content.decode()


def test_a_link_followed_twice_creates_one_chain_and_says_so(
    api, plan, tasks_inline, django_capture_on_commit_callbacks
):
    sign_up(api, django_capture_on_commit_callbacks)
    path = urlsplit(emailed_link()).path
    assert apex().post(path).status_code == 200

    again = apex().post(path)

    assert again.status_code == 200
    assert "confirmed already" in again.content.decode()
    assert Tenant.objects.filter(slug="comet").count() == 1
    verified = PlatformAuditLog.objects.filter(action="signup_verified", tenant__slug="comet")
    assert verified.count() == 1


def test_a_link_older_than_two_days_creates_nothing_and_frees_the_slug(
    api, plan, tasks_inline, django_capture_on_commit_callbacks
):
    sign_up(api, django_capture_on_commit_callbacks)
    path = urlsplit(emailed_link()).path

    with time_machine.travel(timezone.now() + timedelta(hours=signups.LINK_HOURS, minutes=1)):
        page = apex().post(path)
        available = signups.slug_availability("comet")

    assert page.status_code == 410
    assert "has run out" in page.content.decode()
    assert not Tenant.objects.filter(slug="comet").exists()
    assert SignUp.objects.get(slug="comet").status == "expired"
    assert available == (True, "")


def test_a_link_we_never_sent_is_not_found(plan):
    chains = Tenant.objects.count()

    page = apex().get("/signup/verify/not-a-token-we-sent/")

    assert page.status_code == 404
    assert "We do not know this link" in page.content.decode()
    assert Tenant.objects.count() == chains


@pytest.mark.parametrize(
    "slug, reason",
    [
        ("alpha", "taken"),  # a chain has it
        ("www", "reserved"),
        ("tenant-template", "reserved"),
        ("Bad Slug", "invalid"),
        ("ab", "invalid"),
        ("fresh-cinema", ""),
    ],
)
def test_availability_says_why_a_subdomain_cannot_be_had(api, plan, slug, reason):
    answer = api().get("/api/platform/signup/availability/", {"slug": slug})

    assert answer.status_code == 200
    body = answer.json()
    assert body["available"] is (reason == "")
    assert body["reason"] == reason


def test_a_subdomain_a_pending_sign_up_asked_for_is_taken(
    api, plan, tasks_inline, django_capture_on_commit_callbacks
):
    sign_up(api, django_capture_on_commit_callbacks)

    answer = api().get("/api/platform/signup/availability/", {"slug": "comet"}).json()
    other = sign_up(
        api, django_capture_on_commit_callbacks, email="someone@else.test", address="203.0.113.8"
    )

    assert (answer["available"], answer["reason"]) == (False, "taken")
    assert other.status_code == 409
    assert other.json()["code"] == "slug_taken"
    assert SignUp.objects.filter(slug="comet").count() == 1


def test_asking_again_for_the_same_subdomain_replaces_ones_own_sign_up(
    api, plan, tasks_inline, django_capture_on_commit_callbacks
):
    sign_up(api, django_capture_on_commit_callbacks)
    first_link = urlsplit(emailed_link()).path
    mail.outbox.clear()

    again = sign_up(api, django_capture_on_commit_callbacks, address="203.0.113.11")

    assert again.status_code == 202
    assert list(SignUp.objects.values_list("status", flat=True).order_by("created_at")) == [
        "expired",
        "pending",
    ]
    assert apex().post(first_link).status_code == 410  # only the newest link works
    assert apex().post(urlsplit(emailed_link()).path).status_code == 200


def test_no_sign_ups_while_the_platform_takes_none(api, plan, django_capture_on_commit_callbacks):
    PlatformSettings.objects.update_or_create(pk=1, defaults={"signups_open": False})

    answer = sign_up(api, django_capture_on_commit_callbacks)

    assert (answer.status_code, answer.json()["code"]) == (403, "signups_closed")
    assert SignUp.objects.count() == 0
    assert "not taking sign-ups" in apex().get("/signup/").content.decode()


@pytest.mark.parametrize(
    "slug, status, code", [("alpha", 409, "slug_taken"), ("www", 400, "slug_reserved")]
)
def test_a_taken_or_reserved_subdomain_is_refused_at_submit_and_nothing_is_kept(
    api, plan, tasks_inline, django_capture_on_commit_callbacks, slug, status, code
):
    answer = sign_up(api, django_capture_on_commit_callbacks, slug=slug)

    assert answer.status_code == status
    body = answer.json()
    assert body["code"] == code
    assert body["errors"]["slug"]["code"] == code
    assert SignUp.objects.count() == 0
    assert mail.outbox == []


def test_every_refused_field_is_named(api, plan, django_capture_on_commit_callbacks):
    answer = sign_up(
        api,
        django_capture_on_commit_callbacks,
        name=" ",
        email="not-an-email",
        currency="ZZZ",
        timezone="Mars/Olympus",
        plan="gold",
    )

    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"name", "email", "currency", "timezone", "plan"}
    weak = sign_up(api, django_capture_on_commit_callbacks, password="123", address="203.0.113.9")
    assert weak.json()["errors"] == {
        "password": {"code": "password_invalid", "detail": weak.json()["detail"]}
    }
    assert SignUp.objects.count() == 0


def test_the_answer_is_the_same_for_an_email_that_owns_a_chain(
    api, plan, tasks_inline, django_capture_on_commit_callbacks
):
    known = sign_up(api, django_capture_on_commit_callbacks, email="owner@alpha.test")
    unknown = sign_up(
        api,
        django_capture_on_commit_callbacks,
        email="nobody@new.test",
        slug="comet-two",
        address="203.0.113.10",
    )

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())


def test_sign_ups_are_limited_per_address_counting_an_ipv6_slash_64_as_one(
    api, plan, settings, django_capture_on_commit_callbacks
):
    throttle_rates(settings, signup_address="2/hour")
    answers = [
        sign_up(
            api,
            django_capture_on_commit_callbacks,
            slug=f"comet-{n}",
            email=f"boss{n}@comet.test",
            address=f"2001:db8:1:2::{n + 1}",
        ).status_code
        for n in range(3)
    ]
    elsewhere = sign_up(
        api,
        django_capture_on_commit_callbacks,
        slug="comet-9",
        email="boss9@comet.test",
        address="2001:db8:1:3::1",
    )

    assert answers == [202, 202, 429]
    assert elsewhere.status_code == 202
    assert SignUp.objects.filter(slug="comet-2").count() == 0


def test_sign_ups_are_limited_per_email(api, plan, settings, django_capture_on_commit_callbacks):
    throttle_rates(settings, signup_email="1/hour")
    first = sign_up(api, django_capture_on_commit_callbacks, address="198.51.100.1")
    second = sign_up(
        api, django_capture_on_commit_callbacks, slug="comet-two", address="198.51.100.2"
    )

    assert (first.status_code, second.status_code) == (202, 429)


def test_a_filled_honeypot_is_answered_as_usual_and_keeps_nothing(
    api, plan, tasks_inline, django_capture_on_commit_callbacks
):
    answer = sign_up(api, django_capture_on_commit_callbacks, website="http://spam.test")

    assert answer.status_code == 202
    assert SignUp.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    "age, code",
    [(1, "form_too_fast"), (25 * 3600, "form_expired")],
)
def test_a_form_sent_too_fast_or_a_day_later_is_refused(
    api, plan, tasks_inline, django_capture_on_commit_callbacks, age, code
):
    answer = sign_up(api, django_capture_on_commit_callbacks, form_token=aged_form_token(age))

    assert answer.status_code == 400
    assert answer.json()["code"] == code
    assert SignUp.objects.count() == 0
    assert mail.outbox == []


def test_a_forged_form_token_is_refused(api, plan, django_capture_on_commit_callbacks):
    answer = sign_up(api, django_capture_on_commit_callbacks, form_token="1700000000")

    assert answer.json()["code"] == "form_invalid"


def test_the_options_offer_public_active_plans_with_prices_per_currency(api, plan):
    # Only this test's plans: the migration's "standard" plan is taken off the page.
    Plan.objects.filter(code="standard").update(public=False)
    Plan.objects.create(code="secret", name="Secret", public=False)
    Plan.objects.create(code="old", name="Old", active=False)

    body = api().get("/api/platform/signup/options/").json()

    assert [p["code"] for p in body["plans"]] == ["starter"]
    prices = {p["currency"]: p for p in body["plans"][0]["prices"]}
    assert prices["INR"]["monthly_fee"] == 99_900
    assert prices["INR"]["monthly_fee_text"] == "₹999.00"
    assert body["plans"][0]["trial_days"] == 30
    assert body["currencies"] == ["EUR", "INR"]
    assert "Asia/Kolkata" in body["timezones"]
    assert body["form_token"]


def test_the_sign_up_page_carries_the_form_and_its_hooks(plan):
    page = apex().get("/signup/")

    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="signup-form"' in text
    for name in ("name", "slug", "email", "password", "currency", "timezone", "plan"):
        assert f'name="{name}"' in text
    assert "data-availability" in text
    assert "₹999.00 a month" in text or "€19.00 a month" in text
    assert "30-day free trial" in text
    assert "<script>" not in text  # the strict CSP: no inline script


def _owner_dashboard(tenant: Tenant) -> Client:
    with schema_context(tenant.schema_name):
        owner = User.objects.get(role=Role.OWNER)
    return dashboard_sign_in(tenant, owner)


def _steps(page) -> dict[str, str]:
    text = page.content.decode()
    return dict(re.findall(r'data-step="(\w+)" data-done="(true|false)"', text))


def test_going_live_waits_for_approval_when_the_platform_requires_it(
    api, plan, tasks_inline, django_capture_on_commit_callbacks
):
    staff = User.objects.get(email=PLATFORM_STAFF_EMAIL)
    PlatformSettings.objects.update_or_create(pk=1, defaults={"signup_requires_approval": True})
    sign_up(api, django_capture_on_commit_callbacks)
    verified = apex().post(urlsplit(emailed_link()).path)
    assert "approval" in verified.content.decode()
    comet = Tenant.objects.get(slug="comet")
    signup = SignUp.objects.get(tenant=comet)
    assert signup.approval == "waiting"
    assert not signups.live_allowed(comet)
    owner = api(comet)
    owner.credentials(
        HTTP_AUTHORIZATION="Bearer " + obtain_tokens(api(comet), "boss@comet.test")["access"]
    )
    with schema_context("comet"):
        from venue_apps.payments.services.gateways import gateway_account_set

        gateway_account_set("stripe", **STRIPE_LIVE_KEYS)

    refused = owner.patch(
        "/api/v1/payment-settings/", {"mode": "live", "default_provider": "stripe"}, format="json"
    )

    assert refused.status_code == 403
    assert refused.json()["code"] == "approval_required"
    assert owner.get("/api/v1/payment-settings/").json()["mode"] == "test"
    dashboard = _owner_dashboard(comet)
    home = dashboard.get("/dashboard/")
    assert _steps(home)["live"] == "false"
    assert "Waiting for platform approval" in home.content.decode()
    settings_page = dashboard.get("/dashboard/payments/paymentsettings/", follow=True)
    assert "not approved this chain for live payments" in settings_page.content.decode()

    signups.signup_approve(signup, actor=staff)
    allowed = owner.patch(
        "/api/v1/payment-settings/", {"mode": "live", "default_provider": "stripe"}, format="json"
    )

    assert allowed.status_code == 200, allowed.content
    assert allowed.json()["mode"] == "live"
    assert PlatformAuditLog.objects.filter(
        tenant=comet, action="live_approved", actor_email=PLATFORM_STAFF_EMAIL
    ).exists()


def test_refusing_keeps_the_chain_in_test_mode_and_is_audited(
    api, plan, tasks_inline, django_capture_on_commit_callbacks
):
    PlatformSettings.objects.update_or_create(pk=1, defaults={"signup_requires_approval": True})
    sign_up(api, django_capture_on_commit_callbacks)
    apex().post(urlsplit(emailed_link()).path)
    signup = SignUp.objects.get(slug="comet", status="verified")
    staff = User.objects.get(email=PLATFORM_STAFF_EMAIL)

    signups.signup_refuse(signup, actor=staff, note="Unknown business")

    signup.refresh_from_db()
    assert (signup.approval, signup.approval_note) == ("refused", "Unknown business")
    assert not signups.live_allowed(signup.tenant)
    assert PlatformAuditLog.objects.filter(tenant=signup.tenant, action="live_refused").exists()
    with pytest.raises(signups.Conflict):
        signups.signup_refuse(signup, actor=staff, note="again")


def test_chains_that_did_not_sign_up_or_need_no_approval_may_go_live(
    alpha, api, plan, tasks_inline, django_capture_on_commit_callbacks
):
    assert signups.live_allowed(alpha)
    sign_up(api, django_capture_on_commit_callbacks)
    apex().post(urlsplit(emailed_link()).path)

    assert signups.live_allowed(Tenant.objects.get(slug="comet"))


def test_the_checklist_ticks_each_step_from_the_chains_own_data(alpha, beta, make_user):
    from tests.programme import build_programme
    from venue_apps.payments.services.gateways import gateway_account_set
    from venue_apps.payments.services.payment_settings import payment_settings_update

    dashboard = dashboard_sign_in(alpha, make_user(alpha, role=Role.OWNER))
    first = dashboard.get("/dashboard/")
    assert "data-checklist" in first.content.decode()
    assert _steps(first) == {
        "venue": "false",
        "title": "false",
        "show": "false",
        "keys": "false",
        "live": "false",
    }
    assert 'href="/dashboard/venues/venue/add/"' in first.content.decode()

    manager = dashboard_sign_in(alpha, make_user(alpha, role=Role.MANAGER)).get("/dashboard/")
    assert "/dashboard/payments/gatewayaccount/add/" in first.content.decode()
    assert "/dashboard/payments/gatewayaccount/add/" not in manager.content.decode()
    assert _steps(manager)["keys"] == "false"

    build_programme(beta.schema_name)  # another chain's programme ticks nothing here
    assert set(_steps(dashboard.get("/dashboard/")).values()) == {"false"}

    build_programme(alpha.schema_name)
    steps = _steps(dashboard.get("/dashboard/"))
    assert steps == {
        "venue": "true",
        "title": "true",
        "show": "true",
        "keys": "false",
        "live": "false",
    }

    with schema_context(alpha.schema_name):
        gateway_account_set("stripe", **STRIPE_LIVE_KEYS)
    assert _steps(dashboard.get("/dashboard/"))["keys"] == "true"

    with schema_context(alpha.schema_name):
        payment_settings_update(values={"mode": "live", "default_provider": "stripe"})
    done = dashboard.get("/dashboard/")
    assert "data-checklist" not in done.content.decode()


def test_the_console_lists_waiting_sign_ups_first_and_never_the_password_hash(
    api, plan, tasks_inline, django_capture_on_commit_callbacks
):
    PlatformSettings.objects.update_or_create(pk=1, defaults={"signup_requires_approval": True})
    sign_up(api, django_capture_on_commit_callbacks, slug="early", email="early@comet.test")
    apex().post(urlsplit(emailed_link()).path)  # verified: waiting for approval
    mail.outbox.clear()
    sign_up(api, django_capture_on_commit_callbacks, address="203.0.113.99")  # still pending
    waiting = SignUp.objects.get(slug="early")
    console = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    console.force_login(User.objects.get(email=PLATFORM_STAFF_EMAIL))

    page = console.get("/console/billing/signup/")

    assert page.status_code == 200
    assert [row.slug for row in page.context["cl"].result_list] == ["early", "comet"]
    text = page.content.decode()
    for signup in SignUp.objects.all():
        assert signup.password_hash not in text
        assert signup.token_digest not in text
    detail = console.get(f"/console/billing/signup/{waiting.pk}/change/").content.decode()
    assert waiting.password_hash not in detail
    assert "password hash" not in detail.lower() and "token digest" not in detail.lower()

    approved = console.post(
        "/console/billing/signup/",
        {"action": "approve", "_selected_action": [waiting.pk]},
        follow=True,
    )

    assert approved.status_code == 200
    waiting.refresh_from_db()
    assert waiting.approval == "approved"
    assert waiting.decided_by == PLATFORM_STAFF_EMAIL
