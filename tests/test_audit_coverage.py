"""Every service that takes `actor` writes the audit log with it.

How it works. Every module under `venue_apps/` and `tenants/` (tests and migrations
aside) is parsed, not imported. A function *writes the audit log* when its body calls
a writer passing its own `actor` on (`actor=actor`, or `actor` as an argument). The
writers start as `audit_log` (the chain's log) and the platform's `platform_audit`
(`tenants.services`, PlatformAuditLog in `public`), and grow to a fixed point: a
function that passes `actor` to a writer is a writer too, so `payments_audit` counts,
and so does a service that hands `actor` to a helper that records the change. Calls
are matched by the function's name, which the `<noun>_<verb>` naming keeps unique.

What fails:

- a public function that takes `actor` and never hands it to a writer: it takes the
  acting user and drops it (writes no row, or a row that names nobody);
- in the areas converted so far (`FULLY_AUDITED`), a public service that changes
  something (`@transaction.atomic`) and takes no `actor` at all;
- an entry of `NOT_YET_AUDITED` that now writes the log, or no longer exists: the
  allow-list only ever shrinks, and says exactly what is left.

What it cannot see: a writer called on only some paths of a function. The behavioural
tests (`tests/test_audit_log.py`) call the services and count the rows.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WALKED = ("venue_apps", "tenants")
# Where the walk starts: the functions that write an audit row themselves.
WRITERS = frozenset({"audit_log", "platform_audit"})

# Services that take (or pass on) `actor` and do not write the audit log yet, each with
# the action it should write. Empty: every one writes it now (`path:name` when not).
NOT_YET_AUDITED: dict[str, str] = {}

# Areas where every service that changes something takes `actor` and writes the log.
# Accounts is not among them: most of its changes are a person's own (registering,
# verifying an email, changing their password, setting up an app), where the actor is
# the target; its staff, second-factor and OAuth-client services take `actor` and are
# held by the first test. The sale (`venue_apps/sales`) has no `services` module: its
# flows are held by the first test and by tests/test_audit_log.py.
FULLY_AUDITED = (
    "venue_apps/audit",
    "venue_apps/catalog",
    "venue_apps/inventory",
    "venue_apps/orders",
    "venue_apps/payments",
    "venue_apps/shows",
    "venue_apps/tickets",
    "venue_apps/tills",
    "venue_apps/venues",
)
# Changes there that are no one's decision, or whose actor is named otherwise, so they
# take no `actor`.
NO_ACTOR_NEEDED = {
    # The five standard seat categories, made on first use by a seat map or price card.
    "venue_apps/venues/services/venues.py:seat_categories_ensure_defaults",
    # The buyer (customer or box office) is the actor: `order.created` names them.
    "venue_apps/orders/services.py:order_create",
    # The gateway's answer about a refund, recorded by a webhook or the reconciliation.
    "venue_apps/payments/services/refunds.py:refund_settle",
    # A scan at the door, by `scanner`: every scan is a CheckIn row of its own, not an
    # audit row (thousands per show would drown the log).
    "venue_apps/tickets/services.py:ticket_check_in",
}


@dataclass(frozen=True)
class Function:
    key: str  # path:name
    node: ast.FunctionDef

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def parameters(self) -> set[str]:
        arguments = self.node.args
        return {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}

    @property
    def takes_actor(self) -> bool:
        return "actor" in self.parameters

    @property
    def public(self) -> bool:
        return not self.name.startswith("_")

    @property
    def atomic(self) -> bool:
        return any(ast.unparse(d).endswith("transaction.atomic") for d in self.node.decorator_list)


def functions_in(sources: dict[str, str]) -> list[Function]:
    """The module-level functions of each source, by `path:name`."""
    found = []
    for path, source in sources.items():
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef):
                found.append(Function(f"{path}:{node.name}", node))
    return found


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _passes_actor(call: ast.Call) -> bool:
    values = [*call.args, *(keyword.value for keyword in call.keywords if keyword.arg)]
    return any(isinstance(value, ast.Name) and value.id == "actor" for value in values)


def audit_writers(functions: list[Function]) -> set[str]:
    """The names of every function that hands its `actor` to a writer (fixed point)."""
    writers = set(WRITERS)
    while True:
        more = {
            function.name
            for function in functions
            if function.takes_actor
            and function.name not in writers
            and any(
                isinstance(call, ast.Call) and _called_name(call) in writers and _passes_actor(call)
                for call in ast.walk(function.node)
            )
        }
        if not more:
            return writers
        writers |= more


def actor_dropped(functions: list[Function]) -> list[str]:
    """Public functions that take `actor` and never hand it to a writer."""
    writers = audit_writers(functions)
    return sorted(
        function.key
        for function in functions
        if function.public and function.takes_actor and function.name not in writers
    )


def _project_sources() -> dict[str, str]:
    sources = {}
    for folder in WALKED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if {"tests", "migrations"} & set(relative.parts):
                continue
            sources[relative.as_posix()] = path.read_text()
    return sources


PROJECT = functions_in(_project_sources())


def test_every_service_that_takes_an_actor_writes_the_audit_log_with_it():
    dropped = [key for key in actor_dropped(PROJECT) if key not in NOT_YET_AUDITED]
    assert dropped == [], (
        "These take `actor` and never pass it to audit_log (directly or through a "
        "function that does): record the change with audit_log(actor, ...)."
    )


def test_the_list_of_services_not_yet_audited_only_shrinks():
    dropped = set(actor_dropped(PROJECT))
    keys = {function.key for function in PROJECT}
    assert sorted(set(NOT_YET_AUDITED) - keys) == [], "gone or moved: update NOT_YET_AUDITED"
    assert sorted(set(NOT_YET_AUDITED) - dropped) == [], "audited now: remove from the list"


def test_every_change_in_the_audited_areas_takes_an_actor():
    missing = sorted(
        function.key
        for function in PROJECT
        if function.key.startswith(FULLY_AUDITED)
        and "/services" in function.key
        and function.public
        and function.atomic
        and not function.takes_actor
        and function.key not in NO_ACTOR_NEEDED
    )
    assert missing == [], "these change the chain's data and name no actor to audit"


def test_the_walk_fails_for_a_service_that_drops_its_actor():
    # The checker itself, on made-up services: only a call that hands `actor` to a
    # writer, directly or through another function, counts.
    sources = {
        "app/services.py": """
def thing_change(thing, *, actor=None):
    thing.save()

def thing_rename(thing, *, actor=None):
    audit_log(None, "thing.renamed", thing)

def thing_create(*, actor=None):
    audit_log(actor, "thing.created", None)

def thing_move(thing, *, actor=None):
    _moved(thing, actor=actor)

def _moved(thing, *, actor):
    audit_log(actor, "thing.moved", thing)

def thing_delete(thing, *, actor=None):
    _deleted(thing)

def _deleted(thing):
    audit_log(None, "thing.deleted", thing)
"""
    }
    assert actor_dropped(functions_in(sources)) == [
        "app/services.py:thing_change",
        "app/services.py:thing_delete",
        "app/services.py:thing_rename",
    ]
