"""Account changes under real concurrency. These tests commit their data (other
connections must see it) and clean up after."""

from __future__ import annotations

import threading

from django.db import connections
from django_tenants.utils import schema_context

from tenants.error_codes import DomainError
from tests.fixtures import PASSWORD
from venue_apps.accounts.models import Role, User
from venue_apps.accounts.services import staff_update, user_create

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


def test_one_code_sent_twice_at_once_is_accepted_once(committed):
    """Two sign-ins racing with the same code: the device row is locked, so the second
    sees the first's step and is refused (no replay, even at the same instant)."""
    import base64
    import time

    from django_otp.oath import TOTP

    from venue_apps.accounts.models import TOTPDevice
    from venue_apps.accounts.services import totp_setup

    with schema_context(SCHEMA):
        user = user_create(email="door-race@race.test", password=PASSWORD, role=Role.MANAGER)
        committed.append((SCHEMA, user))
        device, secret = totp_setup(user)
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    totp = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)), step=30, t0=0, digits=6)
    totp.time = time.time()
    code = f"{totp.token():06d}"
    barrier = threading.Barrier(4)
    verdicts: list[bool] = []

    def sign_in():
        try:
            with schema_context(SCHEMA):
                mine = TOTPDevice.objects.get(pk=device.pk)
                barrier.wait()
                verdicts.append(mine.verify_token(code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_in) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(verdicts) == [False, False, False, True]


def test_one_recovery_code_sent_at_once_from_four_places_is_accepted_once(committed):
    from venue_apps.accounts.models import RecoveryCode, TOTPDevice
    from venue_apps.accounts.services import recovery_codes_issue, totp_setup

    with schema_context("alpha"):
        user = user_create(email="codes-race@race.test", password=PASSWORD, role=Role.MANAGER)
        committed.append(("alpha", user))
        device, _ = totp_setup(user)
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        code = recovery_codes_issue(user)[0]
    barrier = threading.Barrier(4)
    verdicts: list[bool] = []

    def sign_in():
        try:
            with schema_context("alpha"):
                mine = TOTPDevice.objects.get(pk=device.pk)
                barrier.wait()
                verdicts.append(mine.verify_recovery_code(code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_in) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(verdicts) == [False, False, False, True]
    with schema_context("alpha"):
        assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1
