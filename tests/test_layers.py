"""The layering holds: import-linter's contracts (pyproject.toml `[tool.importlinter]`).
What import-linter has no contract for (no import circle inside an app, no private name
imported across modules, tasks sent by name are registered) is `tests/test_layering.py`.

The contracts: the domain (venue_apps, tenants) imports no api, dashboards or project
module; the layers go project -> api and dashboards -> venue_apps -> tenants; nothing
below venue_apps.sales imports it (once it exists). By hand: `.venv/bin/lint-imports`.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "contracts"
]


@pytest.mark.parametrize("contract", [contract["id"] for contract in CONTRACTS])
def test_the_import_contract_is_kept(contract):
    run = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--contract", contract],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stdout + run.stderr
