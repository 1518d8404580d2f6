"""Project-wide pytest set-up: the test profile and tenants built once per session."""

import os

# Before Django reads its settings.
os.environ.setdefault("DJANGO_ENV", "test")

pytest_plugins = ["tests.fixtures"]
