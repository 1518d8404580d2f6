"""The image's build files, read as text (no container engine runs in the suite): the
storefront is built in the image where the settings look for it, and local state stays
out of the build context."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def _patterns(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _stages() -> dict[str, str]:
    """Each build stage's text by its name (`FROM ... AS <name>`)."""
    parts = re.split(r"^FROM \S+ AS (\w+)\s*$", DOCKERFILE.read_text(), flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_both_ignore_lists_are_one_list_that_keeps_local_state_out():
    buildkit = _patterns(ROOT / "deploy" / "Dockerfile.dockerignore")
    root = _patterns(ROOT / ".dockerignore")

    assert buildkit == root
    assert {".venv", ".local", "**/node_modules", "frontend/dist"} <= set(buildkit)


def test_the_image_builds_the_storefront_with_node_20():
    frontend = _stages()["frontend"]

    assert re.search(r"^ARG NODE_IMAGE=node:20-", DOCKERFILE.read_text(), re.MULTILINE)
    assert "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1" in frontend
    assert "WORKDIR /src/frontend" in frontend
    assert frontend.index("npm ci") < frontend.index("COPY frontend/ ./")
    assert frontend.index("COPY frontend/ ./") < frontend.index("RUN npm run build")


def test_the_build_lands_where_the_settings_look_before_collectstatic():
    runtime = _stages()["runtime"]
    copy = "COPY --from=frontend /src/frontend/dist ./frontend/dist"

    assert "WORKDIR /app" in runtime
    assert (
        runtime.index("WORKDIR /app")
        < runtime.index(copy)
        < runtime.index("manage.py collectstatic")
    )
    # /app is the image's BASE_DIR, and the image sets no FRONTEND_DIST of its own.
    assert settings.FRONTEND_DIST == settings.BASE_DIR / "frontend" / "dist"
    assert "FRONTEND_DIST=" not in DOCKERFILE.read_text()
