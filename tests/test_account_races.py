"""Account changes under real concurrency. These tests commit their data (other
connections must see it) and clean up after."""

from __future__ import annotations

import threading

from django.db import connections
from django_tenants.utils import schema_context

from tenants.error_codes import DomainError
from tests.fixtures import PASSWORD
from venue_apps.accounts.models import Role, User
from venue_apps.accounts.services.users import staff_update, user_create

SCHEMA = "alpha"


def _demote_at_once(pairs) -> list[str]:
    """Each (actor, target) demotes the target to manager in its own thread and
    connection, all released together; the outcome of each."""
    barrier = threading.Barrier(len(pairs))
    outcomes: list[str] = []

    def demote(actor, target):
        try:
            with schema_context(SCHEMA):
                barrier.wait()
                staff_update(target, actor=actor, role=Role.MANAGER)
                outcomes.append("demoted")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=demote, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_owners_demoting_each_other_at_once_leave_the_chain_one(committed):
    """Real connections, at once: one demotion wins, the other is refused."""
    with schema_context(SCHEMA):
        others = list(
            User.objects.filter(role=Role.OWNER, is_active=True).values_list("pk", flat=True)
        )
        User.objects.filter(pk__in=others).update(is_active=False)
    try:
        for round_ in range(5):
            with schema_context(SCHEMA):
                first, second = (
                    user_create(
                        email=f"owner-{round_}-{n}@race.test", password=PASSWORD, role=Role.OWNER
                    )
                    for n in (1, 2)
                )
            committed.extend([(SCHEMA, first), (SCHEMA, second)])

            outcomes = _demote_at_once([(first, second), (second, first)])

            assert sorted(outcomes) == ["demoted", "staff_invalid"]
            with schema_context(SCHEMA):
                owners = User.objects.filter(pk__in=[first.pk, second.pk], role=Role.OWNER)
                assert owners.count() == 1
                User.objects.filter(pk__in=[first.pk, second.pk]).update(is_active=False)
    finally:
        with schema_context(SCHEMA):
            User.objects.filter(pk__in=others).update(is_active=True)


def _verified_at_once(device_pk: int, verify, threads: int = 4) -> list[bool]:
    """`verify(device)` in `threads` threads, each on its own connection and its own copy
    of the device, released together by a barrier."""
    from venue_apps.accounts.models import TOTPDevice

    barrier = threading.Barrier(threads)
    verdicts: list[bool] = []

    def sign_in():
        try:
            with schema_context(SCHEMA):
                mine = TOTPDevice.objects.get(pk=device_pk)
                barrier.wait()
                verdicts.append(verify(mine))
        finally:
            connections.close_all()

    started = [threading.Thread(target=sign_in) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=60)
    return verdicts


def test_one_code_sent_twice_at_once_is_accepted_once(committed):
    """Two sign-ins racing with the same code: the device row is locked, so the second
    sees the first's step and is refused (no replay, even at the same instant)."""
    import base64
    import time

    from django_otp.oath import TOTP

    from venue_apps.accounts.models import TOTPDevice
    from venue_apps.accounts.services.two_factor import totp_setup

    with schema_context(SCHEMA):
        user = user_create(email="door-race@race.test", password=PASSWORD, role=Role.MANAGER)
        committed.append((SCHEMA, user))
        device, secret = totp_setup(user)
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    totp = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)), step=30, t0=0, digits=6)
    totp.time = time.time()
    code = f"{totp.token():06d}"
    verdicts = _verified_at_once(device.pk, lambda mine: mine.verify_token(code))

    assert sorted(verdicts) == [False, False, False, True]


def test_one_recovery_code_sent_at_once_from_four_places_is_accepted_once(committed):
    from venue_apps.accounts.models import RecoveryCode, TOTPDevice
    from venue_apps.accounts.services.two_factor import recovery_codes_issue, totp_setup

    with schema_context(SCHEMA):
        user = user_create(email="codes-race@race.test", password=PASSWORD, role=Role.MANAGER)
        committed.append((SCHEMA, user))
        device, _ = totp_setup(user)
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        code = recovery_codes_issue(user)[0]

    verdicts = _verified_at_once(device.pk, lambda mine: mine.verify_recovery_code(code))

    assert sorted(verdicts) == [False, False, False, True]
    with schema_context(SCHEMA):
        assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1


def test_the_dashboards_user_form_waits_for_the_owners_lock(committed):
    """An owner demotes the other through the API and holds the transaction open; the
    other owner's dashboard form, demoting the first at the same moment, waits for the
    owners' lock, then sees it would leave no owner and refuses. Without the lock the
    form checks a stale picture (the second still an owner) and both end demoted, as
    this test showed when the lock was taken out."""
    from django.conf import settings
    from django.db import transaction
    from django.test import Client

    from venue_apps.accounts.services.users import staff_update

    with schema_context(SCHEMA):
        others = list(
            User.objects.filter(role=Role.OWNER, is_active=True).values_list("pk", flat=True)
        )
        User.objects.filter(pk__in=others).update(is_active=False)
    try:
        with schema_context(SCHEMA):
            first, second = (
                user_create(email=f"form-owner-{n}@race.test", password=PASSWORD, role=Role.OWNER)
                for n in (1, 2)
            )
        committed.extend([(SCHEMA, first), (SCHEMA, second)])
        browser = Client(HTTP_HOST=f"{SCHEMA}.{settings.PLATFORM_DOMAIN}")
        with schema_context(SCHEMA):
            browser.force_login(User.objects.get(pk=second.pk))
        demoted, go = threading.Event(), threading.Event()
        answers: list = []

        def api_demotes_second():
            try:
                with schema_context(SCHEMA), transaction.atomic():
                    staff_update(second, actor=first, role=Role.MANAGER)
                    demoted.set()
                    go.wait(timeout=30)
            finally:
                connections.close_all()

        def form_demotes_first():
            try:
                answers.append(
                    browser.post(
                        f"/dashboard/accounts/user/{first.pk}/change/",
                        {
                            "email": first.email,
                            "name": "",
                            "role": Role.MANAGER.value,
                            "is_active": "on",
                            "last_login_0": "",
                            "last_login_1": "",
                            "date_joined_0": "2026-01-01",
                            "date_joined_1": "00:00:00",
                        },
                    )
                )
            finally:
                connections.close_all()

        holder = threading.Thread(target=api_demotes_second)
        holder.start()
        assert demoted.wait(timeout=30)
        form = threading.Thread(target=form_demotes_first)
        form.start()
        form.join(timeout=1.5)
        waited = form.is_alive()
        go.set()
        holder.join(timeout=30)
        form.join(timeout=30)

        assert waited, "the form did not wait for the owners' lock"
        assert answers and answers[0].status_code == 200
        assert "keeps at least one active owner" in answers[0].content.decode()
        with schema_context(SCHEMA):
            assert User.objects.get(pk=first.pk).role == Role.OWNER
            assert User.objects.get(pk=second.pk).role == Role.MANAGER
            User.objects.filter(pk__in=[first.pk, second.pk]).update(is_active=False)
    finally:
        with schema_context(SCHEMA):
            User.objects.filter(pk__in=others).update(is_active=True)
