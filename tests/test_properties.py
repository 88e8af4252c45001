"""Property-based tests: period maths and money sums hold for any day and any amounts."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import ScraperRun
from core.money import format_json, parse_usd, quantize
from core.periods import (
    month_end,
    month_start,
    next_month,
    parse_month,
    period_window,
    previous_month,
    previous_window,
    range_days,
)
from core.store import runs, spend
from core.store.db import open_store

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
amounts = st.decimals(min_value=0, max_value=Decimal("99999"), places=9, allow_nan=False, allow_infinity=False)


@given(days, st.sampled_from(["day", "week", "month"]))
def test_periods_end_today_and_tile_with_their_previous_window(today, period):
    start, end = period_window(period, today)
    prev_start, prev_end = previous_window(period, today)
    assert end == today and start <= end
    assert prev_end + timedelta(days=1) == start
    assert (end - start) == (prev_end - prev_start)


@given(days, st.sampled_from([("7d", 7), ("30d", 30), ("90d", 90)]))
def test_chart_ranges_are_consecutive_days_ending_today(today, range_n):
    range_, n = range_n
    chosen = range_days(range_, today)
    assert len(chosen) == n == len(set(chosen)) and chosen[-1] == today
    assert chosen == sorted(chosen)


@given(days)
def test_months_partition_the_calendar(day):
    first = month_start(day)
    assert first <= day <= month_end(first)
    assert month_end(first) + timedelta(days=1) == next_month(first)
    assert previous_month(next_month(first)) == first
    assert parse_month(f"{first:%Y-%m}") == first


@given(amounts)
def test_money_round_trips_through_json_text(value):
    assert parse_usd(format_json(value)) == quantize(value)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(amounts, min_size=1, max_size=40))
def test_stored_sums_equal_the_exact_decimal_sum(tmp_path_factory, costs):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'p.db'}")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = [ScraperRun(f"r{i}", "act", start + timedelta(hours=i), "SUCCEEDED", c) for i, c in enumerate(costs)]
    runs.save_runs(store, items)
    total = spend.summary(store, "all", date(2026, 3, 1)).total_cost_usd
    assert total == sum(costs, Decimal(0))
    store.dispose()
