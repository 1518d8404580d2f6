"""Customers sign in with Google and Facebook (social-auth-app-django), with each chain's
own OAuth clients; the providers are replaced at the HTTP boundary only."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
from django.db import connection
from django_tenants.utils import schema_context

from tests.fixtures import PASSWORD, obtain_tokens
from venue_apps.accounts.models import OAuthClient, Role, User

pytestmark = pytest.mark.django_db
GOOGLE_CLIENT = "alpha-web-client.apps.googleusercontent.com"
GOOGLE_SECRET = "GOCSPX-alpha-google-secret"
FACEBOOK_APP = "1234567890123456"
FACEBOOK_SECRET = "alpha-facebook-app-secret-0001"
USERINFO = "https://www.googleapis.com/oauth2/v3/userinfo"
TOKENINFO = "https://oauth2.googleapis.com/tokeninfo"
GOOGLE_TOKEN = "https://accounts.google.com/o/oauth2/token"
FACEBOOK_ME = "https://graph.facebook.com/v19.0/me"
FACEBOOK_TOKEN = "https://graph.facebook.com/v19.0/oauth/access_token"


@pytest.fixture
def clients(alpha):
    from venue_apps.accounts.services.oauth import oauth_client_set

    with schema_context(alpha.schema_name):
        oauth_client_set("google", client_id=GOOGLE_CLIENT, client_secret=GOOGLE_SECRET)
        oauth_client_set("facebook", client_id=FACEBOOK_APP, client_secret=FACEBOOK_SECRET)


@pytest.fixture
def provider():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _google(provider, *, sub="1084", email="asha@gmail.com", verified=True, aud=GOOGLE_CLIENT):
    provider.add(
        responses.GET,
        USERINFO,
        json={
            "sub": sub,
            "email": email,
            "email_verified": verified,
            "name": "Asha Rao",
            "given_name": "Asha",
            "family_name": "Rao",
        },
    )
    provider.add(
        responses.GET, TOKENINFO, json={"aud": aud, "azp": aud, "sub": sub, "expires_in": 3500}
    )


def _sign_in(api, tenant, provider_name, **body):
    return api(tenant).post(f"/api/v1/auth/oauth/{provider_name}/", body, format="json")


def test_google_signs_a_new_customer_in_with_a_verified_account(api, alpha, clients, provider):
    _google(provider)

    answer = _sign_in(api, alpha, "google", access_token="ya29.token-from-the-browser")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["created"] is True
    assert body["user"]["email"] == "asha@gmail.com"
    assert body["user"]["email_verified"] is True
    assert body["user"]["role"] == "customer"
    me = api(alpha)
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.get("/api/v1/me/").json()["name"] == "Asha Rao"
    userinfo = next(call for call in provider.calls if call.request.url.startswith(USERINFO))
    assert userinfo.request.headers["Authorization"] == "Bearer ya29.token-from-the-browser"
    with schema_context(alpha.schema_name):
        from social_django.models import UserSocialAuth

        link = UserSocialAuth.objects.get()
        assert (link.provider, link.uid) == ("google-oauth2", "1084")
        assert not User.objects.get(email="asha@gmail.com").has_usable_password()

    again = _sign_in(api, alpha, "google", access_token="ya29.another")
    assert again.json()["created"] is False
    assert again.json()["user"]["id"] == body["user"]["id"]


def test_a_google_token_issued_to_another_app_is_refused(api, alpha, clients, provider):
    _google(provider, aud="some-other-app.apps.googleusercontent.com")

    answer = _sign_in(api, alpha, "google", access_token="ya29.stolen-elsewhere")

    assert (answer.status_code, answer.json()["code"]) == (403, "oauth_refused")
    with schema_context(alpha.schema_name):
        assert not User.objects.filter(email="asha@gmail.com").exists()


def test_an_address_google_has_not_verified_is_refused(api, alpha, clients, provider):
    _google(provider, verified=False)

    answer = _sign_in(api, alpha, "google", access_token="ya29.unverified")

    assert answer.status_code == 403
    assert "verified" in answer.json()["detail"]


def test_google_takes_over_an_account_that_never_proved_its_address(
    api, alpha, clients, provider, make_user
):
    squatter = make_user(alpha, email="asha@gmail.com")  # registered, never verified
    squatters_session = obtain_tokens(api(alpha), squatter.email)
    _google(provider)

    answer = _sign_in(api, alpha, "google", access_token="ya29.real-owner")

    assert answer.status_code == 200
    assert answer.json()["created"] is False
    assert answer.json()["user"]["id"] == squatter.pk
    # Whoever registered the address first has lost the account.
    assert (
        api(alpha)
        .post(
            "/api/v1/auth/token/refresh/", {"refresh": squatters_session["refresh"]}, format="json"
        )
        .status_code
        == 401
    )
    assert (
        api(alpha)
        .post("/api/v1/auth/token/", {"email": squatter.email, "password": PASSWORD}, format="json")
        .status_code
        == 401
    )


def test_a_verified_account_is_linked_and_keeps_its_password(
    api, alpha, clients, provider, make_user
):
    from django.utils import timezone

    owner_of_address = make_user(alpha, email="asha@gmail.com")
    with schema_context(alpha.schema_name):
        User.objects.filter(pk=owner_of_address.pk).update(email_verified_at=timezone.now())
    _google(provider)

    answer = _sign_in(api, alpha, "google", access_token="ya29.same-person")

    assert answer.json()["user"]["id"] == owner_of_address.pk
    assert obtain_tokens(api(alpha), owner_of_address.email)["access"]


def test_staff_cannot_sign_in_with_google(api, alpha, clients, provider, make_user):
    make_user(alpha, role=Role.MANAGER, email="asha@gmail.com")
    _google(provider)

    answer = _sign_in(api, alpha, "google", access_token="ya29.staff")

    assert answer.status_code == 403
    assert "Staff" in answer.json()["detail"]


def test_google_with_an_authorization_code(api, alpha, clients, provider):
    provider.add(
        responses.POST,
        GOOGLE_TOKEN,
        json={"access_token": "ya29.from-code", "expires_in": 3599, "token_type": "Bearer"},
    )
    _google(provider, sub="2001", email="ravi@gmail.com")

    answer = _sign_in(
        api,
        alpha,
        "google",
        code="4/0Abc-code",
        redirect_uri="https://alpha.localhost/account/oauth/google/",
    )

    assert answer.status_code == 200, answer.content
    exchange = next(call for call in provider.calls if call.request.url == GOOGLE_TOKEN)
    sent = parse_qs(exchange.request.body)
    assert sent["code"] == ["4/0Abc-code"]
    assert sent["client_id"] == [GOOGLE_CLIENT] and sent["client_secret"] == [GOOGLE_SECRET]
    assert sent["redirect_uri"] == ["https://alpha.localhost/account/oauth/google/"]


def test_facebook_with_a_code_proves_the_app_secret(api, alpha, clients, provider):
    provider.add(
        responses.GET, FACEBOOK_TOKEN, json={"access_token": "EAAB-fb-token", "expires_in": 5183944}
    )
    provider.add(
        responses.GET,
        FACEBOOK_ME,
        json={"id": "10160", "name": "Meera Nair", "email": "meera@example.com"},
    )

    answer = _sign_in(
        api,
        alpha,
        "facebook",
        code="AQD-fb-code",
        redirect_uri="https://alpha.localhost/account/oauth/facebook/",
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["user"]["email"] == "meera@example.com"
    me_call = next(call for call in provider.calls if call.request.url.startswith(FACEBOOK_ME))
    query = parse_qs(urlparse(me_call.request.url).query)
    proof = hmac.new(FACEBOOK_SECRET.encode(), b"EAAB-fb-token", hashlib.sha256).hexdigest()
    assert query["appsecret_proof"] == [proof]
    token_call = next(c for c in provider.calls if c.request.url.startswith(FACEBOOK_TOKEN))
    assert parse_qs(urlparse(token_call.request.url).query)["client_secret"] == [FACEBOOK_SECRET]


def test_a_chain_without_a_client_offers_no_such_sign_in(api, beta, clients):
    answer = _sign_in(api, beta, "google", access_token="ya29.x")
    offered = api(beta).get("/api/v1/auth/oauth/providers/").json()

    assert (answer.status_code, answer.json()["code"]) == (404, "oauth_unavailable")
    assert offered == []


def test_bad_requests_are_400s(api, alpha, clients):
    both = _sign_in(api, alpha, "google", access_token="a", code="b")
    code_alone = _sign_in(api, alpha, "google", code="b")
    nothing = _sign_in(api, alpha, "google")

    assert [r.status_code for r in (both, code_alone, nothing)] == [400, 400, 400]


def test_the_owner_enters_the_oauth_client_and_its_secret_stays_sealed(api, alpha, as_role):
    owner = as_role(Role.OWNER)

    saved = owner.put(
        "/api/v1/oauth-clients/google/",
        {"client_id": GOOGLE_CLIENT, "client_secret": GOOGLE_SECRET},
        format="json",
    )
    by_manager = as_role(Role.MANAGER).put(
        "/api/v1/oauth-clients/google/", {"client_id": GOOGLE_CLIENT}, format="json"
    )
    offered = api(alpha).get("/api/v1/auth/oauth/providers/").json()

    assert saved.status_code == 200
    assert GOOGLE_SECRET not in json.dumps(saved.json())
    assert saved.json()["client_secret_hint"].endswith(GOOGLE_SECRET[-4:])
    assert by_manager.status_code == 403
    assert offered == [{"provider": "google", "client_id": GOOGLE_CLIENT}]
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret_sealed FROM alpha.accounts_oauthclient")
        (sealed,) = cursor.fetchone()
    assert GOOGLE_SECRET not in sealed and sealed.startswith("s1.")


def test_the_client_id_changes_without_sending_the_secret_again(api, alpha, as_role):
    # Found by schemathesis: a PUT without `client_secret` was a 500 (TypeError).
    owner = as_role(Role.OWNER)
    owner.put(
        "/api/v1/oauth-clients/google/",
        {"client_id": GOOGLE_CLIENT, "client_secret": GOOGLE_SECRET},
        format="json",
    )

    changed = owner.put(
        "/api/v1/oauth-clients/google/", {"client_id": GOOGLE_CLIENT + "-2"}, format="json"
    )

    assert changed.status_code == 200, changed.content
    assert changed.json()["client_id"] == GOOGLE_CLIENT + "-2"
    assert changed.json()["client_secret_hint"].endswith(GOOGLE_SECRET[-4:])


def test_a_first_client_without_its_secret_is_refused_and_nothing_is_stored(as_role, alpha):
    response = as_role(Role.OWNER).put(
        "/api/v1/oauth-clients/facebook/", {"client_id": FACEBOOK_APP}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "Enter the client secret too."
    with schema_context(alpha.schema_name):
        assert not OAuthClient.objects.exists()


def test_a_provider_that_does_not_answer_is_a_502_and_creates_nothing(
    api, alpha, clients, provider
):
    provider.add(responses.GET, USERINFO, body=requests.ConnectionError("connection reset"))

    answer = _sign_in(api, alpha, "google", access_token="ya29.timeout")

    assert (answer.status_code, answer.json()["code"]) == (502, "oauth_failed")
    with schema_context(alpha.schema_name):
        assert not User.objects.filter(role=Role.CUSTOMER).exists()


def test_a_facebook_account_without_an_email_is_refused(api, alpha, clients, provider):
    provider.add(responses.GET, FACEBOOK_ME, json={"id": "10161", "name": "No Mail"})

    answer = _sign_in(api, alpha, "facebook", access_token="EAAB-no-email")

    assert answer.status_code == 403
    assert "email" in answer.json()["detail"]


def test_the_owner_enters_the_oauth_client_in_the_dashboard(alpha, make_user):
    from django.conf import settings
    from django.test import Client

    from tenants.crypto import unseal
    from venue_apps.accounts.models import OAuthClient
    from venue_apps.accounts.social_auth import client_secret_context

    owner, manager = make_user(alpha, role=Role.OWNER), make_user(alpha, role=Role.MANAGER)

    def browser_of(user):
        browser = Client(HTTP_HOST=f"{alpha.slug}.{settings.PLATFORM_DOMAIN}")
        with schema_context(alpha.schema_name):
            browser.force_login(User.objects.get(pk=user.pk))
        return browser

    owners = browser_of(owner)
    add = "/dashboard/accounts/oauthclient/add/"
    no_secret = owners.post(
        add, {"provider": "google", "client_id": GOOGLE_CLIENT, "enabled": "on"}
    )
    added = owners.post(
        add,
        {
            "provider": "google",
            "client_id": GOOGLE_CLIENT,
            "client_secret": GOOGLE_SECRET,
            "enabled": "on",
        },
    )
    listing = owners.get("/dashboard/accounts/oauthclient/")

    short_id = owners.post(
        add,
        {"provider": "facebook", "client_id": "123", "client_secret": "s" * 20, "enabled": "on"},
    )
    assert no_secret.status_code == 200 and "client secret" in no_secret.content.decode()
    assert short_id.status_code == 200 and "client id the provider gave" in (
        short_id.content.decode()
    )
    assert added.status_code == 302
    assert GOOGLE_SECRET not in listing.content.decode()
    assert GOOGLE_SECRET[-4:] in listing.content.decode()  # the hint
    assert browser_of(manager).get("/dashboard/accounts/oauthclient/").status_code == 403
    with schema_context(alpha.schema_name):
        client = OAuthClient.objects.get(provider="google")
        change = owners.get(f"/dashboard/accounts/oauthclient/{client.pk}/change/")
        assert GOOGLE_SECRET not in change.content.decode()
        kept = owners.post(
            f"/dashboard/accounts/oauthclient/{client.pk}/change/",
            {"client_id": GOOGLE_CLIENT + "x", "client_secret": "", "enabled": "on"},
        )
        assert kept.status_code == 302
        client.refresh_from_db()
        assert client.client_id == GOOGLE_CLIENT + "x"
        assert (
            unseal(client.client_secret_sealed, context=client_secret_context("google"))
            == GOOGLE_SECRET
        )


# --- Facebook does not say whether it verified an address -------------------------------


def _facebook(provider, *, uid="10170", email="asha@gmail.com"):
    provider.add(responses.GET, FACEBOOK_ME, json={"id": uid, "name": "Asha R", "email": email})


@pytest.mark.parametrize("proven", [True, False])
def test_facebook_never_signs_in_to_an_account_by_its_email(
    api, alpha, clients, provider, make_user, proven
):
    # Attacker: a Facebook account with the victim's address (Facebook does not say it
    # was confirmed) used to sign in to the victim's account here, or take it over.
    from django.utils import timezone
    from social_django.models import UserSocialAuth

    victim = make_user(alpha, email="asha@gmail.com")
    if proven:
        with schema_context(alpha.schema_name):
            User.objects.filter(pk=victim.pk).update(email_verified_at=timezone.now())
    victims_session = obtain_tokens(api(alpha), victim.email)
    _facebook(provider)

    answer = _sign_in(api, alpha, "facebook", access_token="EAAB-someone")

    assert answer.status_code == 403
    assert answer.json()["code"] == "oauth_refused"
    assert "password" in answer.json()["detail"]
    with schema_context(alpha.schema_name):
        assert not UserSocialAuth.objects.exists()
        assert User.objects.get(pk=victim.pk).email_verified is proven
    assert obtain_tokens(api(alpha), victim.email)["access"]  # the password still works
    refreshed = api(alpha).post(
        "/api/v1/auth/token/refresh/", {"refresh": victims_session["refresh"]}, format="json"
    )
    assert refreshed.status_code == 200


def test_an_account_facebook_creates_has_its_address_still_to_prove(
    api, alpha, clients, provider, tasks_inline, django_capture_on_commit_callbacks
):
    from django.core import mail

    _facebook(provider, email="meera@example.com")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer = _sign_in(api, alpha, "facebook", access_token="EAAB-meera")

    assert answer.status_code == 200, answer.content
    assert answer.json()["created"] is True
    assert answer.json()["user"]["email_verified"] is False
    assert [message.to for message in mail.outbox] == [["meera@example.com"]]
    # The same Facebook identity signs in again.
    _facebook(provider, email="meera@example.com")
    assert _sign_in(api, alpha, "facebook", access_token="EAAB-meera").status_code == 200


@pytest.mark.parametrize("proof", ["reset_link", "google", "not_me"])
def test_the_owner_of_the_address_ends_a_facebook_identity_that_never_proved_it(
    api, alpha, clients, provider, proof
):
    # Attacker: registering somebody's address through Facebook first used to leave
    # the attacker a way into the account after its real owner took it back.
    from social_django.models import UserSocialAuth

    from venue_apps.accounts.signed_links import password_reset_link_parts

    _facebook(provider)
    created = _sign_in(api, alpha, "facebook", access_token="EAAB-squatter").json()
    if proof == "reset_link":
        with schema_context(alpha.schema_name):
            uid, token = password_reset_link_parts(User.objects.get(pk=created["user"]["id"]))
        proved = api(alpha).post(
            "/api/v1/auth/password-reset/confirm/",
            {"uid": uid, "token": token, "new_password": "the-owners-new-password"},
            format="json",
        )
        assert proved.status_code == 204
    elif proof == "google":
        _google(provider)
        proved = _sign_in(api, alpha, "google", access_token="ya29.real-owner")
        assert proved.json()["user"]["id"] == created["user"]["id"]
    else:  # the owner of the address answers the verification email: "not me"
        from django.test import Client

        from venue_apps.accounts.signed_links import email_verification_token

        with schema_context(alpha.schema_name):
            token = email_verification_token(User.objects.get(pk=created["user"]["id"]))
        proved = Client(HTTP_HOST="alpha.localhost").post(
            "/account/verify-email/", {"token": token, "action": "not_me"}
        )
        assert proved.status_code == 200
    _facebook(provider)
    again = _sign_in(api, alpha, "facebook", access_token="EAAB-squatter")

    assert again.status_code == 403
    with schema_context(alpha.schema_name):
        assert list(UserSocialAuth.objects.values_list("provider", flat=True)) == (
            ["google-oauth2"] if proof == "google" else []
        )
