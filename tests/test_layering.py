"""The import rules of the layers, checked on the source (AST), function-level imports
included:

- nothing below the sale layer imports `venue_apps.sales` (the apps it calls, and the
  tenants package they all build on);
- no domain app (`venue_apps/*`, `tenants`) imports `api` or `dashboards`;
- no import circle between the modules of one app or package;
- no private name (`_x`) imported from another module (but for a package's private
  module, `services/_common.py`, whose names are its package's), and no private
  module from outside its package;
- every task a service sends by name is registered under that name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BELOW_SALES = [
    "venue_apps/venues",
    "venue_apps/catalog",
    "venue_apps/shows",
    "venue_apps/inventory",
    "venue_apps/orders",
    "venue_apps/payments",
    "venue_apps/tickets",
    "venue_apps/accounts",
    "tenants",
]
DOMAIN = [*BELOW_SALES, "venue_apps/sales"]
PACKAGES = [*DOMAIN, "api", "dashboards", "ticketing_platform"]


def _modules(folder: str) -> dict[str, Path]:
    found = {}
    for path in (ROOT / folder).rglob("*.py"):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts or "tests" in relative.parts:
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path) -> list[tuple[str, str]]:
    """(imported module, imported name or "") for every import in the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([source] if source else []))
            found += [(source, alias.name) for alias in node.names]
    return found


def _all_modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for folder in PACKAGES:
        modules.update(_modules(folder))
    return modules


@pytest.mark.parametrize("folder", BELOW_SALES)
def test_nothing_below_the_sale_imports_it(folder):
    offenders = [
        f"{module} imports {source}"
        for module, path in _modules(folder).items()
        for source, name in _imports(module, path)
        if source == "venue_apps.sales"
        or source.startswith("venue_apps.sales.")
        or (source == "venue_apps" and name == "sales")
    ]

    assert offenders == []


@pytest.mark.parametrize("folder", DOMAIN)
def test_domain_apps_import_neither_api_nor_dashboards(folder):
    offenders = [
        f"{module} imports {source}"
        for module, path in _modules(folder).items()
        for source, _ in _imports(module, path)
        if source.split(".")[0] in {"api", "dashboards"}
    ]

    assert offenders == []


def _circles(folder: str) -> list[list[str]]:
    modules = _modules(folder)
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for module, path in modules.items():
        for source, name in _imports(module, path):
            for target in (f"{source}.{name}" if name else "", source):
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != module:
                    graph[module].add(target)
                    break
    # Tarjan's strongly connected components: each of more than one module is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


@pytest.mark.parametrize("folder", PACKAGES)
def test_no_import_circle_inside_an_app(folder):
    assert _circles(folder) == []


def test_the_circle_finder_finds_a_circle(tmp_path, monkeypatch):
    package = tmp_path / "loop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from loop.b import g\n")
    (package / "b.py").write_text("from loop import a\n")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)

    assert _circles("loop") == [["loop.a", "loop.b"]]


def test_no_private_name_is_imported_from_another_module():
    modules = _all_modules()
    offenders = []
    for module, path in modules.items():
        for source, name in _imports(module, path):
            private = name.startswith("_") and not name.startswith("__") and source != module
            # A package's private module (`services/_common.py`) shares its names with
            # the modules of that package, and only with them.
            parent, _, leaf = source.rpartition(".")
            shared = leaf.startswith("_") and module.startswith(f"{parent}.")
            if private and not shared:
                offenders.append(f"{module} imports {source}.{name}")
            # A private module (`services/_common.py`) is for its own package only.
            parts = source.split(".")
            for index, part in enumerate(parts[1:], start=1):
                owner = ".".join(parts[:index])
                inside = module == owner or module.startswith(f"{owner}.")
                if part.startswith("_") and not part.startswith("__") and not inside:
                    offenders.append(f"{module} imports {source}")

    assert offenders == []


def test_every_task_a_service_sends_by_name_is_registered():
    from tenants.queue import task_named
    from venue_apps.payments.services.attempts import GATEWAY_CANCEL_TASK
    from venue_apps.payments.services.events import CAPTURE_TASK
    from venue_apps.payments.services.refunds import REFUND_EXECUTE_TASK
    from venue_apps.sales.cancellation import SHOW_CANCELLATION_TASK
    from venue_apps.sales.handoff import TEST_ORDERS_VOID_TASK

    names = [
        GATEWAY_CANCEL_TASK,
        CAPTURE_TASK,
        REFUND_EXECUTE_TASK,
        SHOW_CANCELLATION_TASK,
        TEST_ORDERS_VOID_TASK,
    ]

    assert [task_named(name).name for name in names] == names


def test_tasks_that_moved_still_answer_to_their_old_names(settings):
    import venue_apps.sales.tasks  # noqa: F401 - registers the tasks
    from ticketing_platform.celery import app

    old = [
        "venue_apps.inventory.tasks.holds_expire_task",
        "venue_apps.payments.tasks.orders_expire_task",
        "venue_apps.payments.tasks.test_orders_void_task",
    ]
    scheduled = {
        entry["args"][0]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "tenants.tasks.tenants_fan_out"
    }

    assert all(name in app.tasks for name in old)
    assert all(name in app.tasks for name in scheduled if name.startswith("venue_apps.sales"))
