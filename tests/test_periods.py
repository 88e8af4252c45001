import itertools
from datetime import date

import pytest

from core.errors import InputError
from core.periods import (
    last_complete_month,
    month_end,
    next_month,
    parse_month,
    period_window,
    previous_month,
    previous_window,
    range_days,
)


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("day", date(2026, 3, 1), date(2026, 3, 1)),
        ("week", date(2026, 2, 23), date(2026, 3, 1)),
        ("month", date(2026, 1, 31), date(2026, 3, 1)),
        ("all", None, date(2026, 3, 1)),
    ],
)
def test_period_window_ends_today_and_crosses_month_ends(period, start, end):
    assert period_window(period, date(2026, 3, 1)) == (start, end)


def test_week_window_spans_leap_day():
    start, end = period_window("week", date(2028, 3, 2))
    assert (start, end) == (date(2028, 2, 25), date(2028, 3, 2))
    assert len(range_days("7d", date(2028, 3, 2))) == 7
    assert date(2028, 2, 29) in range_days("7d", date(2028, 3, 2))


def test_previous_window_is_the_equal_period_just_before():
    assert previous_window("day", date(2026, 1, 1)) == (date(2025, 12, 31), date(2025, 12, 31))
    assert previous_window("week", date(2026, 3, 1)) == (date(2026, 2, 16), date(2026, 2, 22))
    assert previous_window("month", date(2026, 3, 1)) == (date(2026, 1, 1), date(2026, 1, 30))
    assert previous_window("all", date(2026, 3, 1)) is None


@pytest.mark.parametrize("range_, n", [("7d", 7), ("30d", 30), ("90d", 90)])
def test_range_days_are_consecutive_oldest_first_ending_today(range_, n):
    today = date(2026, 1, 5)
    days = range_days(range_, today)
    assert len(days) == n and days[-1] == today
    assert all((b - a).days == 1 for a, b in itertools.pairwise(days))


def test_month_maths_handles_year_ends_and_leap_years():
    assert month_end(date(2028, 2, 1)) == date(2028, 2, 29)
    assert month_end(date(2026, 2, 1)) == date(2026, 2, 28)
    assert month_end(date(2026, 12, 1)) == date(2026, 12, 31)
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert previous_month(date(2026, 1, 15)) == date(2025, 12, 1)
    assert last_complete_month(date(2026, 3, 31)) == date(2026, 2, 1)


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "26-10", "2026-1", "../../", "", "2026-10-01"])
def test_parse_month_rejects_malformed_months(bad):
    with pytest.raises(InputError, match="YYYY-MM"):
        parse_month(bad)


def test_unknown_period_and_range_are_input_errors():
    with pytest.raises(InputError, match="period must be one of"):
        period_window("year", date(2026, 1, 1))
    with pytest.raises(InputError, match="range must be one of"):
        range_days("14d", date(2026, 1, 1))
