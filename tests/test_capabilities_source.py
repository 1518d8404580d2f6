"""Who may do what is decided in one place: the capability table
(venue_apps/accounts/capabilities.py). Everywhere else code asks the table
(`has_capability(user, Capability.REFUND)`, `user.can(...)`, `HasCapability` on a view,
`user.has_perm(...)` in the dashboards) and never compares a user's role itself.

This test reads the source and fails on a role comparison (`user.role == Role.OWNER`,
`role in STAFF_ROLES`, `getattr(user, "role", None) in (...)`) outside the table and the
model that stores the role. The files other branches are reworking keep theirs for now,
in ROLE_COMPARISONS_LEFT_TO_CONVERT, which may only shrink.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from venue_apps.accounts.capabilities import Role

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api", "dashboards", "venue_apps", "tenants", "ticketing_platform")
# Where roles are declared and stored: the only places that may compare them.
HOME_OF_THE_ROLES = {
    "venue_apps/accounts/capabilities.py",
    "venue_apps/accounts/models.py",
}
# Files that still compare roles, with how many comparisons each holds: none left (the
# accounts split and the sale's layer converted theirs). A file may only be added here
# with a reason, and its count may only go down.
ROLE_COMPARISONS_LEFT_TO_CONVERT: dict[str, int] = {}

ROLE_NAMES = set(Role.names)
ROLE_VALUES = set(Role.values)


def _is_user_role(node: ast.AST) -> bool:
    """`Role.OWNER`, `STAFF_ROLES`, `"owner"`, or a tuple, list or set holding one."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id == "Role" and node.attr in ROLE_NAMES
    if isinstance(node, ast.Name):
        return bool(re.search(r"ROLES$", node.id))
    if isinstance(node, ast.Constant):
        return node.value in ROLE_VALUES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_is_user_role(element) for element in node.elts)
    return False


def _reads_a_role(node: ast.AST) -> bool:
    """`x.role` or `getattr(x, "role", …)`."""
    if isinstance(node, ast.Attribute):
        return node.attr == "role"
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
        and node.args[1].value == "role"
    )


def _is_another_kind_of_role(node: ast.AST) -> bool:
    """A role that is not a user's: a film credit's (`Credit.Role.values`, "director")."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value not in ROLE_VALUES
    # A user's role is the bare `Role`; another model's is reached through it.
    while isinstance(node, ast.Attribute):
        if node.attr == "Role":
            return True
        node = node.value
    return False


def role_comparisons(source: str) -> list[int]:
    """The line of every comparison of a user's role in this module."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        if any(_is_user_role(operand) for operand in operands) or (
            any(_reads_a_role(operand) for operand in operands)
            and not any(_is_another_kind_of_role(operand) for operand in operands)
        ):
            lines.append(node.lineno)
    return sorted(lines)


def _modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and "tests" not in path.parts
    )


def _found() -> dict[str, list[int]]:
    found = {}
    for path in _modules():
        name = path.relative_to(ROOT).as_posix()
        if name in HOME_OF_THE_ROLES:
            continue
        lines = role_comparisons(path.read_text())
        if lines:
            found[name] = lines
    return found


def test_roles_are_compared_only_in_the_capability_table():
    found = _found()

    new = {
        name: lines
        for name, lines in found.items()
        if len(lines) > ROLE_COMPARISONS_LEFT_TO_CONVERT.get(name, 0)
    }

    assert new == {}, (
        "Ask the capability table (venue_apps/accounts/capabilities.py) instead of "
        f"comparing roles: {new}"
    )


def test_the_list_of_files_left_to_convert_only_shrinks():
    """A file converted (or moved) leaves the list, so nothing can slip back in."""
    found = _found()

    stale = {
        name: (allowed, len(found.get(name, [])))
        for name, allowed in ROLE_COMPARISONS_LEFT_TO_CONVERT.items()
        if len(found.get(name, [])) < allowed
    }

    assert stale == {}, f"Lower these counts (allowed, found): {stale}"


def test_the_check_sees_every_form_of_role_comparison():
    source = """
user.role == Role.OWNER
user.role in (Role.OWNER, Role.MANAGER)
request.user.role != Role.SCANNER
role not in STAFF_ROLES
getattr(request.user, "role", None) in (Role.OWNER, Role.MANAGER)
user.role in allowed
role == "owner"
credit.role not in Credit.Role.values
person.role == "director"
"""
    assert role_comparisons(source) == [2, 3, 4, 5, 6, 7, 8]
