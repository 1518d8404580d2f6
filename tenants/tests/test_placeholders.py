"""Chain-written text: named placeholders and nothing else (tenants/placeholders.py)."""

from __future__ import annotations

import time

import pytest

from tenants.placeholders import PlaceholderError, placeholders_problems, placeholders_render

NAMES = ("brand", "title", "seats")
VALUES = {"brand": "Aurora", "title": "The Monsoon Heist", "seats": "F11, F12"}


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Hi from {{ brand }}: {{title}}, seats {{  seats  }}.",
            "Hi from Aurora: The Monsoon Heist, seats F11, F12.",
        ),
        ("No placeholders at all.", "No placeholders at all."),
        ("A lone }} or %} is only text.", "A lone }} or %} is only text."),
        ("{{ brand }}{{ brand }}", "AuroraAurora"),
        ("", ""),
    ],
)
def test_placeholders_are_replaced_by_their_values(text, expected):
    assert placeholders_problems(text, NAMES, max_length=1000) == []
    assert placeholders_render(text, VALUES, max_length=1000, max_output=1000) == expected


@pytest.mark.parametrize(
    "text, problem",
    [
        # A chain's manager could make every worker build a gigabyte-long string.
        (
            '{{ brand|ljust:"900000000" }}',
            '{{ brand|ljust:"900000000" }} (line 1): filters (the | part) are not '
            "supported; write {{ brand }} alone.",
        ),
        # ... or burn CPU in nested loops.
        (
            "{% for a in seats %}{% for b in seats %}x{% endfor %}{% endfor %}",
            "{% for a in seats %} (line 1): tags ({% ... %}) are not supported; "
            "only placeholders are.",
        ),
        # ... or read what a template should never reach.
        (
            "Hi\n{{ order.customer.password }}",
            "{{ order.customer.password }} (line 2) is not a placeholder; use one of "
            "{{ brand }}, {{ seats }}, {{ title }}.",
        ),
        (
            '{% include "/etc/passwd" %}',
            '{% include "/etc/passwd" %} (line 1): tags ({% ... %}) are not supported; '
            "only placeholders are.",
        ),
        (
            "{{ customer }}",
            "{{ customer }} (line 1) is not a placeholder; use one of "
            "{{ brand }}, {{ seats }}, {{ title }}.",
        ),
        ("Seats: {{ seats", "{{ seats (line 1) is never closed with }}."),
        (
            "{# a note #}",
            "{# a note #} (line 1): comments ({# ... #}) are not supported; only placeholders are.",
        ),
        ("x" * 1001, "It is 1,001 characters long; at most 1,000 are allowed."),
    ],
)
def test_anything_but_a_placeholder_is_refused_and_never_run(text, problem):
    assert placeholders_problems(text, NAMES, max_length=1000)[0] == problem
    with pytest.raises(PlaceholderError) as refused:
        placeholders_render(text, VALUES, max_length=1000, max_output=10_000)
    assert refused.value.problems[0] == problem


def test_many_problems_are_summed_up():
    problems = placeholders_problems("{% x %}" * 8, NAMES, max_length=1000)

    assert len(problems) == 6
    assert problems[-1] == "... and 3 more like these."


def test_the_output_is_bounded_and_the_render_stops_at_the_bound():
    values = {**VALUES, "seats": "S" * 10_000}
    text = "{{ seats }}" * 1000  # 10 million characters if it were built

    started = time.perf_counter()
    with pytest.raises(PlaceholderError) as refused:
        placeholders_render(text, values, max_length=20_000, max_output=50_000)

    assert refused.value.problems == ["The result is longer than 50,000 characters."]
    assert time.perf_counter() - started < 0.5
    exact = placeholders_render("{{ seats }}" * 5, values, max_length=100, max_output=50_000)
    assert len(exact) == 50_000
