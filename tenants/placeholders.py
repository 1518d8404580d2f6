"""Text a chain writes itself (its emails' wording), with named placeholders and nothing
else.

A chain's manager edits this text in the dashboard, and it is rendered in the Celery
workers that every chain shares. So it is not a Django template: a template language
has filters (`{{ brand|ljust:"900000000" }}` builds gigabytes), tags (nested
`{% for %}` loops burn CPU, `{% include %}` reads files) and attribute lookups. Here
`{{ name }}` is replaced by the value the caller gives for `name`, and that is all: one
pass over text of bounded length, values the caller bounds, and an output bound on top.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# `{{ name }}`, spaces optional. Anything else between braces is refused.
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# What opens something a template language would run: a variable, a tag, a comment.
_OPENING = re.compile(r"\{\{|\{%|\{#")
_PROBLEMS_SHOWN = 5


class PlaceholderError(ValueError):
    """The text cannot be used; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def _where(text: str, offset: int) -> str:
    return f"line {text.count(chr(10), 0, offset) + 1}"


def _quoted(fragment: str) -> str:
    fragment = " ".join(fragment.split())
    return fragment if len(fragment) <= 40 else fragment[:37] + "..."


def placeholders_problems(text: str, names: Iterable[str], *, max_length: int) -> list[str]:
    """Every reason `text` cannot be rendered with the placeholders `names` (empty: it
    can). Says where and what, in words a chain's manager can act on."""
    allowed = sorted(set(names))
    if len(text) > max_length:
        return [f"It is {len(text):,} characters long; at most {max_length:,} are allowed."]
    problems = []
    listed = ", ".join(f"{{{{ {name} }}}}" for name in allowed)
    for opening in _OPENING.finditer(text):
        start = opening.start()
        kind = opening.group()
        if kind == "{{":
            match = _PLACEHOLDER.match(text, start)
            if match and match.group(1) in allowed:
                continue
            end = text.find("}}", start)
            fragment = text[start : end + 2] if end != -1 else text[start : start + 40]
            where = _where(text, start)
            if end == -1:
                problems.append(f"{_quoted(fragment)} ({where}) is never closed with }}}}.")
            elif match:
                problems.append(
                    f"{_quoted(fragment)} ({where}) is not a placeholder; use one of {listed}."
                )
            elif "|" in fragment:
                name = fragment[2:].split("|", 1)[0].strip()
                instead = (
                    f"write {{{{ {name} }}}} alone"
                    if name in allowed
                    else f"write a placeholder alone: {listed}"
                )
                problems.append(
                    f"{_quoted(fragment)} ({where}): filters (the | part) are not supported; "
                    f"{instead}."
                )
            else:
                problems.append(
                    f"{_quoted(fragment)} ({where}) is not a placeholder; use one of {listed}."
                )
        else:
            end = text.find("%}" if kind == "{%" else "#}", start)
            fragment = text[start : end + 2] if end != -1 else text[start : start + 40]
            what = "tags ({% ... %})" if kind == "{%" else "comments ({# ... #})"
            problems.append(
                f"{_quoted(fragment)} ({_where(text, start)}): {what} are not supported; "
                "only placeholders are."
            )
    if len(problems) > _PROBLEMS_SHOWN:
        more = len(problems) - _PROBLEMS_SHOWN
        problems = [*problems[:_PROBLEMS_SHOWN], f"... and {more} more like these."]
    return problems


def placeholders_render(
    text: str, values: Mapping[str, str], *, max_length: int, max_output: int
) -> str:
    """`text` with each `{{ name }}` replaced by `values[name]`; raises PlaceholderError
    if the text is not valid for these names or the result would exceed `max_output`
    characters (it stops building as soon as it would)."""
    problems = placeholders_problems(text, values.keys(), max_length=max_length)
    if problems:
        raise PlaceholderError(problems)
    parts: list[str] = []
    size = 0
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        for part in (text[position : match.start()], str(values[match.group(1)])):
            size += len(part)
            if size > max_output:
                raise PlaceholderError([f"The result is longer than {max_output:,} characters."])
            parts.append(part)
        position = match.end()
    size += len(text) - position
    if size > max_output:
        raise PlaceholderError([f"The result is longer than {max_output:,} characters."])
    parts.append(text[position:])
    return "".join(parts)
