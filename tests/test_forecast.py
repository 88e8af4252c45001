"""The month-end forecast: invariants (hypothesis), behaviour on shaped data, and the store-backed month."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.errors import InputError
from core.forecast import forecast_from, month_forecast, project
from core.periods import month_end
from core.store.guardrails import save_budget
from core.store.spend import totals
from tests.guardrails_data import seed

D = Decimal
MONTH = date(2026, 3, 1)  # 31 days, starting on a Sunday
money = st.decimals(min_value=0, max_value=5000, places=6, allow_nan=False, allow_infinity=False)


def series(first: date, values) -> dict[date, Decimal]:
    return {first + timedelta(days=i): D(v) for i, v in enumerate(values)}


def daily(first: date, last: date, fn) -> dict[date, Decimal]:
    out, d = {}, first
    while d <= last:
        out[d] = D(fn(d))
        d += timedelta(days=1)
    return out


def month_sum(s: dict[date, Decimal], month: date) -> Decimal:
    return sum((v for d, v in s.items() if month <= d <= month_end(month)), D(0))


# ---------------------------------------------------------------- invariants


@settings(max_examples=60, deadline=None)
@given(values=st.lists(money, min_size=0, max_size=80), offset=st.integers(0, 79), start=st.integers(0, 60))
# Found by hypothesis: a weekday whose median spend is 0 made its weekly factor 0 (a division by zero).
@example(values=[D(0)] + [D(1)] * 8, offset=0, start=17)
def test_forecast_is_never_below_month_to_date_and_the_interval_holds_it(values, offset, start):
    first = MONTH - timedelta(days=start)
    s = series(first, values)
    today = first + timedelta(days=offset)
    if today < MONTH:
        today = MONTH
    p = project(s, MONTH, today)
    assert p.month_to_date == month_sum({d: v for d, v in s.items() if d <= today}, MONTH)
    assert p.low <= p.forecast <= p.high
    assert p.forecast >= p.month_to_date and p.low >= p.month_to_date


@settings(max_examples=60, deadline=None)
@given(values=st.lists(money, min_size=0, max_size=70), later=st.integers(1, 400))
def test_a_past_months_forecast_is_exactly_its_actual(values, later):
    s = series(MONTH - timedelta(days=20), values)
    today = month_end(MONTH) + timedelta(days=later)
    p = project(s, MONTH, today)
    actual = month_sum(s, MONTH)
    assert p.forecast == p.low == p.high == p.month_to_date == actual  # exact, not rounded
    assert p.daily == ()


@settings(max_examples=40, deadline=None)
@given(value=money, day=st.integers(1, 31))
def test_a_constant_spend_is_forecast_exactly_with_no_spread(value, day):
    today = MONTH + timedelta(days=day - 1)
    s = daily(MONTH - timedelta(days=40), today - timedelta(days=1), lambda d: value)
    p = project(s, MONTH, today)
    rest = (month_end(MONTH) - today).days + 1  # today still to come (nothing spent yet)
    assert p.forecast == p.month_to_date + (value * rest).quantize(D("0.01"))
    assert p.low == p.high == p.forecast or value == 0 or abs(p.high - p.low) <= D("0.02")


def test_the_rest_of_the_month_is_whole_cents_on_top_of_the_exact_month_to_date():
    s = daily(MONTH - timedelta(days=30), date(2026, 3, 10), lambda d: "1.123456789")
    p = project(s, MONTH, date(2026, 3, 11))
    assert p.month_to_date == D("1.123456789") * 10
    for figure in (p.forecast, p.low, p.high):
        assert (figure - p.month_to_date) == (figure - p.month_to_date).quantize(D("0.01"))


# ---------------------------------------------------------------- behaviour


def test_weekly_cycle_is_followed():
    """Weekdays $100, weekends $20: the forecast of the rest follows the calendar, not the average day."""
    s = daily(date(2026, 1, 1), date(2026, 3, 14), lambda d: 20 if d.weekday() >= 5 else 100)
    today = date(2026, 3, 15)  # a Sunday
    truth = sum(
        (D(20 if d.weekday() >= 5 else 100) for d in (today + timedelta(days=i) for i in range(17))),
        D(0),
    )
    p = project(s, MONTH, today)
    assert abs(p.forecast - p.month_to_date - truth) / truth < D("0.03")
    flat = sum(s[date(2026, 3, 1) - timedelta(days=n)] for n in range(1, 29)) / 28 * 17
    assert abs(p.forecast - p.month_to_date - truth) < abs(flat - truth)  # better than the average day


def test_a_spike_in_the_history_barely_moves_the_forecast():
    base = daily(date(2026, 1, 20), date(2026, 3, 9), lambda d: 50)
    spiked = dict(base)
    spiked[date(2026, 3, 2)] = D(5000)
    today = date(2026, 3, 10)
    calm, loud = project(base, MONTH, today), project(spiked, MONTH, today)
    assert loud.month_to_date - calm.month_to_date == D(4950)
    assert abs((loud.forecast - loud.month_to_date) - (calm.forecast - calm.month_to_date)) < D(50)
    assert loud.high > calm.high  # ...but it widens the interval: spikes happen here


def test_a_steady_rise_is_projected_forward():
    s = daily(date(2026, 1, 1), date(2026, 3, 14), lambda d: 10 + (d - date(2026, 1, 1)).days)
    today = date(2026, 3, 15)
    truth = sum((D(10 + (today + timedelta(days=i) - date(2026, 1, 1)).days) for i in range(17)), D(0))
    p = project(s, MONTH, today)
    assert abs(p.forecast - p.month_to_date - truth) / truth < D("0.03")
    assert p.low < p.month_to_date + truth < p.high


def test_today_counts_for_its_spend_so_far_when_above_the_usual():
    s = daily(date(2026, 2, 1), date(2026, 3, 9), lambda d: 10)
    s[date(2026, 3, 10)] = D(400)  # today, already a big day
    p = project(s, MONTH, date(2026, 3, 10))
    assert p.forecast == p.month_to_date + D(10) * 21  # today is done at 400; 21 more days at 10


def test_without_history_the_forecast_is_the_month_to_date():
    p = project({date(2026, 3, 5): D("3.5")}, MONTH, date(2026, 3, 5))
    assert p.forecast == p.low == p.high == D("3.5")


def test_a_month_ahead_of_today_has_no_month_to_date():
    s = daily(date(2026, 2, 1), date(2026, 2, 27), lambda d: 2)
    p = project(s, MONTH, date(2026, 2, 28))
    assert p.month_to_date == 0 and p.forecast == D(62)


def test_the_answer_is_a_pure_function_of_the_data():
    s = daily(date(2026, 1, 1), date(2026, 3, 9), lambda d: 5 + (d.toordinal() * 7919) % 13)
    assert project(s, MONTH, date(2026, 3, 10)) == project(dict(reversed(s.items())), MONTH, date(2026, 3, 10))


def test_team_forecast_is_the_sum_of_its_providers_with_budgets_attached():
    by_provider = {
        "openai": daily(date(2026, 2, 1), date(2026, 3, 9), lambda d: 30 + d.day % 5),
        "anthropic": daily(date(2026, 2, 1), date(2026, 3, 9), lambda d: 12 if d.weekday() < 5 else 3),
        "apify": {date(2026, 3, 2): D("7.25")},
    }
    f = forecast_from(by_provider, MONTH, date(2026, 3, 10), {"total": D(1000), "openai": D(500)}, ("openai", "apify"))
    assert [p.provider for p in f.providers] == ["openai", "apify", "anthropic"]
    assert f.forecast_usd == sum((p.forecast_usd for p in f.providers), D(0))
    assert f.month_to_date_usd == sum((p.month_to_date_usd for p in f.providers), D(0))
    assert f.low_usd <= f.forecast_usd <= f.high_usd and f.low_usd >= f.month_to_date_usd
    assert (f.budget_usd, f.scope("openai").budget_usd, f.scope("anthropic").budget_usd) == (D(1000), D(500), None)
    assert (f.days_elapsed, f.days_in_month) == (9, 31)
    assert f.scope("deepgram") is None


def test_interval_is_not_degenerate_on_noisy_data():
    s = daily(date(2026, 1, 1), date(2026, 3, 9), lambda d: 20 + 15 * math.sin(d.toordinal() * 1.7))
    p = project(s, MONTH, date(2026, 3, 10))
    assert p.low < p.forecast < p.high


# ---------------------------------------------------------------- from the store


def test_month_forecast_of_a_past_month_equals_the_stored_total(store):
    seed(store, "openai", {date(2026, 2, 1) + timedelta(days=i): f"{i}.000000001" for i in range(40)})
    save_budget(store, "total", D(100))
    f = month_forecast(store, date(2026, 2, 1), date(2026, 3, 20))
    cost, _, _ = totals(store, date(2026, 2, 1), date(2026, 2, 28))
    assert f.forecast_usd == f.low_usd == f.high_usd == f.month_to_date_usd == cost
    assert (f.days_elapsed, f.days_in_month, f.budget_usd) == (28, 28, D(100))


def test_month_forecast_of_this_month_reads_the_previous_weeks(store):
    seed(store, "deepgram", {date(2026, 2, 1) + timedelta(days=i): 4 for i in range(37)})  # to 9 March
    f = month_forecast(store, MONTH, date(2026, 3, 10))
    assert f.month_to_date_usd == D(4) * 9  # 1..9 March stored; the 10th is today (nothing yet)
    assert f.forecast_usd == D(4) * 31


def test_a_month_that_has_not_started_is_refused(store):
    with pytest.raises(InputError, match="has not started"):
        month_forecast(store, date(2026, 4, 1), date(2026, 3, 31))
