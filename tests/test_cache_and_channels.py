"""Everything keyed outside PostgreSQL is keyed by schema: cache keys, channel groups."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django_redis import get_redis_connection
from django_tenants.utils import schema_context

from tenants.channels import tenant_group_name

pytestmark = pytest.mark.django_db


def test_cache_keys_of_two_tenants_never_collide(alpha, beta):
    with schema_context(alpha.schema_name):
        cache.set("showtimes:today", "alpha's programme", 60)
    with schema_context(beta.schema_name):
        assert cache.get("showtimes:today") is None
        cache.set("showtimes:today", "beta's programme", 60)

    with schema_context(alpha.schema_name):
        assert cache.get("showtimes:today") == "alpha's programme"
    with schema_context(beta.schema_name):
        assert cache.get("showtimes:today") == "beta's programme"

    raw_keys = {key.decode() for key in get_redis_connection().keys("*showtimes:today")}
    assert {key.split(":")[0] for key in raw_keys} >= {"alpha", "beta"}
    with schema_context(alpha.schema_name):
        cache.delete("showtimes:today")
    with schema_context(beta.schema_name):
        assert cache.get("showtimes:today") == "beta's programme"
        cache.delete("showtimes:today")


def test_public_schema_cache_is_separate_from_tenants(alpha):
    cache.set("flag", "platform", 60)
    with schema_context(alpha.schema_name):
        assert cache.get("flag") is None
    assert cache.get("flag") == "platform"
    cache.delete("flag")


def test_channel_groups_are_prefixed_by_schema():
    assert tenant_group_name("alpha", "show", 42, "seats") == "alpha.show.42.seats"
    assert tenant_group_name("alpha", "show", 42) != tenant_group_name("beta", "show", 42)
    # Whatever a caller passes, the result is a valid channel-layer group name.
    assert tenant_group_name("alpha", "a b/c?", "x" * 200) == ("alpha.a-b-c-." + "x" * 200)[:99]


PRINT_CHANNEL_LAYER = (
    "import django\n"
    "django.setup()\n"
    "from django.conf import settings as s\n"
    "print(s.CHANNEL_LAYER, s.CHANNEL_LAYERS['default']['BACKEND'])\n"
)


@pytest.mark.parametrize(
    ("chosen", "backend"),
    [
        ("", "channels_redis.pubsub.RedisPubSubChannelLayer"),  # the default: fanout
        ("fanout", "channels_redis.pubsub.RedisPubSubChannelLayer"),
        ("pubsub", "channels_redis.pubsub.RedisPubSubChannelLayer"),
        ("lists", "channels_redis.core.RedisChannelLayer"),
    ],
)
def test_the_channel_layer_is_chosen_by_setting(chosen, backend):
    # The process's fan-out listens where the pub/sub layer publishes: it needs it.
    import os

    from tests.fixtures import settings_in_a_fresh_process

    environment = {key: value for key, value in os.environ.items() if key != "CHANNEL_LAYER"}
    if chosen:
        environment["CHANNEL_LAYER"] = chosen
    result = settings_in_a_fresh_process(
        PRINT_CHANNEL_LAYER, {**environment, "DJANGO_ENV": "development"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == [chosen or "fanout", backend]


def test_an_unknown_channel_layer_is_refused_at_start_up():
    import os

    from tests.fixtures import settings_in_a_fresh_process

    result = settings_in_a_fresh_process(
        PRINT_CHANNEL_LAYER,
        {**os.environ, "DJANGO_ENV": "development", "CHANNEL_LAYER": "carrier-pigeon"},
    )
    assert result.returncode != 0
    assert "CHANNEL_LAYER" in result.stderr


def test_a_local_copy_is_served_only_while_redis_holds_that_very_value(
    alpha, beta, monkeypatch, django_capture_on_commit_callbacks
):
    # cached_for(local=True) answers from the process's copy after asking Redis for two
    # small keys; a bump, another process's newer value, or a Redis that lost the keys
    # each make the copy unusable. Copies are per chain, as the keys are.
    import uuid

    from tenants import cache as tenant_cache
    from tenants.cache import CACHE_FORMAT, cache_namespace_bump, cached_for

    namespace = f"local-test-{uuid.uuid4().hex[:8]}"
    value_key = f"{namespace}:v{CACHE_FORMAT}:answer"
    computed: list[str] = []

    def compute(label: str):
        def run():
            computed.append(label)
            return f"{label} #{len(computed)}", 60

        return run

    def read(label: str) -> str:
        return cached_for(namespace, "answer", compute(label), local=True)

    with schema_context(alpha.schema_name):
        first = read("alpha")

        # The value itself is not read again while the copy is good:
        class NoValueReads:
            def __getattr__(self, name):
                return getattr(cache, name)

            def get(self, key, *args, **kwargs):
                raise AssertionError(f"{key} was read from Redis")

        monkeypatch.setattr(tenant_cache, "cache", NoValueReads())
        assert read("alpha") == first == "alpha #1"
        monkeypatch.undo()

        with django_capture_on_commit_callbacks(execute=True):
            cache_namespace_bump(namespace)
        assert read("alpha") == "alpha #2"  # a new generation: computed again

        # Another process stored a newer value (its own stamp): that one is served.
        generation = int(cache.get(f"gen:{namespace}"))
        cache.set_many(
            {value_key: (generation, 7, "from elsewhere"), f"{value_key}:stamp": 7},
            60,
        )
        assert read("alpha") == "from elsewhere"

        # Redis lost the keys: the copy is not served, the value is computed again.
        cache.delete_many([value_key, f"{value_key}:stamp", f"gen:{namespace}"])
        assert read("alpha") == "alpha #3"

    with schema_context(beta.schema_name):
        assert read("beta") == "beta #4"  # beta's own key and copy
    with schema_context(alpha.schema_name):
        assert read("alpha") == "alpha #3"
        cache.delete_many([value_key, f"{value_key}:stamp", f"gen:{namespace}"])
    with schema_context(beta.schema_name):
        cache.delete_many([value_key, f"{value_key}:stamp", f"gen:{namespace}"])
    assert computed == ["alpha", "alpha", "alpha", "beta"]


def test_a_local_copy_is_not_served_while_redis_is_unreachable(alpha, settings):
    # No generation and no stamp can be read: the value is computed, as every cached
    # read is while Redis is down, and no copy stands in for Redis.
    import uuid

    from tenants.cache import cached_for

    namespace = f"local-dead-{uuid.uuid4().hex[:8]}"
    computed: list[int] = []

    def compute():
        computed.append(1)
        return len(computed), 60

    with schema_context(alpha.schema_name):
        assert cached_for(namespace, "answer", compute, local=True) == 1
        assert cached_for(namespace, "answer", compute, local=True) == 1
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
        }
        assert cached_for(namespace, "answer", compute, local=True) == 2
        assert cached_for(namespace, "answer", compute, local=True) == 3
