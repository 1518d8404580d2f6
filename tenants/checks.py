"""System checks of the platform's own secrets, run by `manage.py check` (and so by
every management command, the release's `migrate_platform` first) before anything is
served or migrated.

A placeholder or malformed `FIELD_ENCRYPTION_KEYS` used to pass `check --deploy` and
fail at the first payment key or signing key sealed at run time; a release now stops at
its migrate step instead. Messages name the setting and the problem, never a value.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# HS256 wants a key of at least its hash's size (RFC 7518 section 3.2).
JWT_KEY_MIN_LENGTH = 32
PLACEHOLDER_MARK = "change-me"


@register()
def field_encryption_keys_check(app_configs, **kwargs):
    from tenants.crypto import key_ids

    configured = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []) or [])
    try:
        ids = key_ids(configured)
    except ValueError as error:
        return [
            Error(
                f"FIELD_ENCRYPTION_KEYS is not usable: {error}",
                hint=(
                    "Each key is base64 of 32 random bytes, the current key first: "
                    "python -c 'from tenants.crypto import new_key; print(new_key())'."
                ),
                id="tenants.E001",
            )
        ]
    if len(set(ids)) != len(ids):
        return [
            Warning(
                "FIELD_ENCRYPTION_KEYS lists the same key twice.",
                hint="List each key once: the current key first, older ones after it.",
                id="tenants.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def jwt_signing_keys_check(app_configs, **kwargs):
    keys = [settings.SIMPLE_JWT["SIGNING_KEY"], *settings.JWT_SIGNING_KEY_FALLBACKS]
    weak = [
        index
        for index, key in enumerate(keys)
        if len(key) < JWT_KEY_MIN_LENGTH or PLACEHOLDER_MARK in key.lower()
    ]
    if not weak:
        return []
    names = ", ".join(
        "JWT_SIGNING_KEY" if index == 0 else f"JWT_SIGNING_KEY_FALLBACKS[{index - 1}]"
        for index in weak
    )
    return [
        Error(
            f"A JWT signing key is a placeholder or shorter than {JWT_KEY_MIN_LENGTH} "
            f"characters: {names}.",
            hint="python -c 'import secrets; print(secrets.token_urlsafe(50))'",
            id="tenants.E002",
        )
    ]
