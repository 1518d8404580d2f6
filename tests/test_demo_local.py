"""Running the demo on one's own machine: the emails' links reach the port the demo
serves on, and Celery beat keeps its schedule file out of the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def site_url_of(**env: str) -> str:
    """The link to aurora.localhost that a process with this environment would email."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PORT", "SITE_URL_TEMPLATE", "DJANGO_ENV"}
    }
    environment.update(DJANGO_SETTINGS_MODULE="ticketing_platform.settings", **env)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings;"
            "print(settings.SITE_URL_TEMPLATE.format(host='aurora.localhost'))",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_demos_email_links_follow_the_port_it_serves_on():
    # `PORT=8001 make demo`: the worker that sends the emails sees the same PORT.
    assert site_url_of(DJANGO_ENV="development", PORT="8001") == "http://aurora.localhost:8001"
    assert site_url_of(DJANGO_ENV="development") == "http://aurora.localhost:8000"


def test_a_site_url_template_that_is_given_wins_over_the_port():
    given = site_url_of(
        DJANGO_ENV="development", PORT="8001", SITE_URL_TEMPLATE="https://{host}.example.test"
    )

    assert given == "https://aurora.localhost.example.test"


GIT = shutil.which("git")


def git(*args: str) -> subprocess.CompletedProcess:
    assert GIT is not None
    return subprocess.run(
        [GIT, *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


needs_git = pytest.mark.skipif(
    GIT is None or git("rev-parse", "--git-dir").returncode != 0, reason="not a git checkout"
)


def test_beat_keeps_its_schedule_under_local():
    from ticketing_platform.celery import app

    schedule = Path(settings.CELERY_BEAT_SCHEDULE_FILENAME)
    assert schedule == ROOT / ".local" / "celerybeat-schedule"
    # `celery worker -B` (the demo) and `celery beat` both read it from the app.
    assert app.conf.beat_schedule_filename == str(schedule)


@needs_git
def test_no_beat_schedule_file_is_kept_in_the_repository():
    tracked = git("ls-files", "--", "*celerybeat-schedule*").stdout.split()

    assert tracked == []


@needs_git
@pytest.mark.parametrize("suffix", ["", ".dat", ".dir", ".bak", ".db"])
def test_a_beat_schedule_file_anywhere_in_the_tree_is_ignored(suffix):
    # A beat started with another working directory or an older setting must not
    # leave something to commit at the root.
    for path in (f"celerybeat-schedule{suffix}", f"deploy/celerybeat-schedule{suffix}"):
        assert git("check-ignore", "--quiet", "--no-index", path).returncode == 0, path
