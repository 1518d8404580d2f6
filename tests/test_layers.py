"""The layering holds: import-linter's contracts (pyproject.toml `[tool.importlinter]`)
and, since import-linter has no contract for it, no import cycle inside an app.

The contracts: the domain (venue_apps, tenants) imports no api, dashboards or project
module; the layers go project -> api and dashboards -> venue_apps -> tenants; nothing
below venue_apps.sales imports it (once it exists). By hand: `.venv/bin/lint-imports`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from collections.abc import Iterator
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


# --- no import cycle inside an app -----------------------------------------------------------

APPS = sorted(
    [*(path.parent for path in (ROOT / "venue_apps").glob("*/apps.py")), ROOT / "tenants"]
)

# Cycles that the split of venue_apps/payments (into venue_apps/sales) and of
# accounts/services.py (into a package) are removing on their own branches: each entry is
# the set of modules of one cycle (a strongly connected part of the app's import graph).
# A cycle that shrinks still passes; one that grows, or a new one, fails; and an entry
# whose cycle is gone fails too, so that this set only ever empties.
KNOWN_CYCLES_BEING_REMOVED: set[frozenset[str]] = {
    frozenset(
        {
            "venue_apps.accounts.notifications",
            "venue_apps.accounts.oauth",
            "venue_apps.accounts.services",
            "venue_apps.accounts.tasks",
        }
    ),
    frozenset(
        {
            "venue_apps.payments.services.checkout",
            "venue_apps.payments.services.events",
            "venue_apps.payments.services.reconciliation",
            "venue_apps.payments.services.refunds",
            "venue_apps.payments.tasks",
        }
    ),
}


def _modules_of(app: Path, root: Path) -> dict[str, Path]:
    """Every module of the app (package `__init__`s by the package's name), leaving out
    migrations and tests, which nothing imports."""
    modules = {}
    for path in app.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if "migrations" in parts or "tests" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth (functions included), except those under
    `if TYPE_CHECKING:`, which never run."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (child for other in node.orelse for child in _runtime_imports(other))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _runtime_imports(node)


def _imported(
    module: str, path: Path, node: ast.Import | ast.ImportFrom, modules: dict[str, Path]
) -> Iterator[str]:
    """What an import statement imports, as grimp (import-linter's graph) counts it:
    `from package import module` imports that module; `from module import name`, the
    module."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        yield submodule if submodule in modules else base


def import_graph(app: Path, root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the modules of the same app it imports."""
    modules = _modules_of(app, root)
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for module, path in modules.items():
        for node in _runtime_imports(ast.parse(path.read_text(), str(path))):
            for name in _imported(module, path, node, modules):
                if name in modules and name != module:
                    graph[module].add(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected parts of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            part = set()
            while True:
                member = stack.pop()
                part.add(member)
                if member == module:
                    break
            if len(part) > 1:
                found.append(frozenset(part))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def _one_loop(graph: dict[str, set[str]], part: frozenset[str]) -> str:
    """A readable loop through a cycle: a -> b -> ... -> a."""
    start = min(part)
    path, seen = [start], {start}
    while True:
        following = sorted(graph[path[-1]] & part)
        back = start in following
        if back and len(path) > 1:
            return " -> ".join([*path, start])
        step = next((module for module in following if module not in seen), start)
        if step == start:
            return " -> ".join([*path, start])
        path.append(step)
        seen.add(step)


def _all_cycles() -> dict[frozenset[str], str]:
    found = {}
    for app in APPS:
        graph = import_graph(app)
        for part in cycles(graph):
            found[part] = _one_loop(graph, part)
    return found


def test_no_app_has_an_import_cycle():
    new = {
        part: loop
        for part, loop in _all_cycles().items()
        if not any(part <= known for known in KNOWN_CYCLES_BEING_REMOVED)
    }

    assert not new, "import cycles inside an app:\n" + "\n".join(
        f"- {loop}\n  (all of: {', '.join(sorted(part))})" for part, loop in new.items()
    )


def test_the_known_cycles_are_still_there():
    # Once one is gone, take it out of KNOWN_CYCLES_BEING_REMOVED so it cannot come back.
    found = _all_cycles()
    gone = [
        known
        for known in KNOWN_CYCLES_BEING_REMOVED
        if not any(found_part <= known for found_part in found)
    ]

    assert not gone, "no longer cycles, remove them from KNOWN_CYCLES_BEING_REMOVED:\n" + "\n".join(
        ", ".join(sorted(known)) for known in gone
    )


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import(tmp_path):
    app = tmp_path / "shop"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text("from shop import services\n")
    (app / "services.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from shop import selectors\n"
        "def f():\n    from .models import Thing\n"
    )
    (app / "selectors.py").write_text("from shop.services import f\n")
    graph = import_graph(app, root=tmp_path)

    assert graph == {
        "shop": set(),
        "shop.models": {"shop.services"},
        "shop.services": {"shop.models"},
        "shop.selectors": {"shop.services"},
    }
    assert cycles(graph) == [frozenset({"shop.models", "shop.services"})]
