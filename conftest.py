"""Project-wide pytest set-up (the fixtures live in tests/fixtures.py)."""

pytest_plugins = ["tests.fixtures"]
