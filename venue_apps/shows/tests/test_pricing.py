"""The pure pricing rules."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from venue_apps.shows.pricing import Rule, prices_for

KOLKATA = ZoneInfo("Asia/Kolkata")
MONDAY_MORNING = datetime(2026, 11, 30, 10, 0, tzinfo=KOLKATA)
SATURDAY_EVENING = datetime(2026, 11, 28, 19, 30, tzinfo=KOLKATA)
SATURDAY_LATE = datetime(2026, 11, 28, 23, 15, tzinfo=KOLKATA)
SUNDAY_AFTER_MIDNIGHT = datetime(2026, 11, 29, 0, 30, tzinfo=KOLKATA)

CARD = [
    Rule("regular", 20000, order=1),
    Rule("recliner", 50000, order=2),
    Rule("regular", 25000, weekdays=frozenset({6, 7}), order=3),
    Rule(
        "regular", 30000, weekdays=frozenset({6, 7}), starts_at=time(18), ends_at=time(23), order=4
    ),
    Rule("regular", 15000, starts_at=time(22), ends_at=time(2), order=5),
]


def test_base_price_on_a_weekday_morning():
    assert prices_for(CARD, MONDAY_MORNING) == {"recliner": 50000, "regular": 20000}


def test_weekend_evening_rule_is_the_most_specific():
    assert prices_for(CARD, SATURDAY_EVENING)["regular"] == 30000


def test_late_window_runs_past_midnight_and_specificity_decides_ties():
    # 23:15 on Saturday: the weekend rule (weekdays only) and the late rule (window
    # only) tie on priority and specificity; the later-created late rule wins.
    assert prices_for(CARD, SATURDAY_LATE)["regular"] == 15000
    assert prices_for(CARD, SUNDAY_AFTER_MIDNIGHT)["regular"] == 15000


def test_priority_beats_specificity():
    card = [*CARD, Rule("regular", 9900, priority=10, order=6)]
    assert prices_for(card, SATURDAY_EVENING)["regular"] == 9900


def test_a_category_without_an_applying_rule_is_absent():
    card = [Rule("premium", 40000, weekdays=frozenset({1}))]
    assert prices_for(card, SATURDAY_EVENING) == {}
    assert prices_for(card, MONDAY_MORNING) == {"premium": 40000}


def test_window_end_is_exclusive():
    card = [Rule("regular", 100, starts_at=time(10), ends_at=time(12))]
    assert prices_for(card, MONDAY_MORNING.replace(hour=12)) == {}
    assert prices_for(card, MONDAY_MORNING.replace(hour=11, minute=59)) == {"regular": 100}
