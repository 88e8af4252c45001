"""Anomaly flags: robust baseline maths (hypothesis for the invariants) and the ``anomalies`` command."""

from __future__ import annotations

import json
import statistics
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from core.anomalies import find, flags, in_month
from core.cli import main
from tests.guardrails_data import seed

D = Decimal
START = date(2026, 1, 1)
FIVE = D(5)


def daily(n: int, fn, first: date = START) -> dict[date, Decimal]:
    return {first + timedelta(days=i): D(fn(first + timedelta(days=i))) for i in range(n)}


@settings(max_examples=80, deadline=None)
@given(
    value=st.decimals(min_value=0, max_value=10**6, places=9, allow_nan=False, allow_infinity=False),
    days=st.integers(1, 90),
    min_usd=st.decimals(min_value=0, max_value=100, places=2),
)
def test_a_constant_series_is_never_an_anomaly(value, days, min_usd):
    s = daily(days, lambda d: value)
    assert flags(s, START, START + timedelta(days=days - 1), "openai", min_usd=min_usd) == []


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.decimals(min_value=0, max_value=1000, places=2), min_size=1, max_size=60))
def test_every_flag_is_far_above_its_baseline_and_by_at_least_the_minimum(values):
    s = {START + timedelta(days=i): v for i, v in enumerate(values)}
    for f in flags(s, START, START + timedelta(days=len(values)), "openai", min_usd=FIVE):
        assert f.cost_usd == s[f.date]
        assert f.cost_usd - f.baseline_usd >= FIVE - D("0.005")  # the baseline is shown rounded to the cent
        assert f.score >= 5


def test_a_spike_is_flagged_against_the_median_of_the_previous_four_weeks():
    s = daily(40, lambda d: 10 + d.day % 3)  # 10, 11, 12...
    spike = START + timedelta(days=35)
    s[spike] = D("95.5")
    found = flags(s, START, START + timedelta(days=39), "openai", min_usd=FIVE)
    assert [(f.date, f.cost_usd) for f in found] == [(spike, D("95.5"))]
    window = [spike - timedelta(days=n) for n in range(1, 29)]
    overall = statistics.median(s[d] for d in window)
    same_weekday = statistics.median(s[d] for d in window if d.weekday() == spike.weekday())
    assert found[0].baseline_usd == max(overall, same_weekday).quantize(D("0.01")) == D("11.50")
    assert found[0].score > 10


def test_a_small_spike_under_the_minimum_dollar_amount_is_not_flagged():
    s = daily(40, lambda d: "0.10")
    s[START + timedelta(days=35)] = D("4.00")  # 40 times the usual, but only $3.90 more
    assert flags(s, START, START + timedelta(days=39), "openai", min_usd=FIVE) == []
    assert len(flags(s, START, START + timedelta(days=39), "openai", min_usd=D(1))) == 1


def test_a_weekly_batch_day_is_not_an_anomaly_every_week():
    s = daily(70, lambda d: 300 if d.weekday() == 6 else 20)
    assert flags(s, START + timedelta(days=28), START + timedelta(days=69), "apify", min_usd=FIVE) == []


def test_a_new_provider_needs_a_week_of_history():
    s = {START + timedelta(days=30 + i): D(10) for i in range(6)}
    s[START + timedelta(days=36)] = D(500)  # its 7th day: only 6 days of baseline
    assert flags(s, START, START + timedelta(days=40), "deepgram", min_usd=FIVE) == []
    s[START + timedelta(days=36)] = D(10)
    s[START + timedelta(days=37)] = D(500)  # 7 days of baseline now
    assert [f.date for f in flags(s, START, START + timedelta(days=40), "deepgram", min_usd=FIVE)] == [
        START + timedelta(days=37)
    ]


def test_find_orders_by_date_then_provider_and_filters_one_provider():
    a = daily(40, lambda d: 10)
    b = daily(40, lambda d: 20)
    a[START + timedelta(days=33)] = b[START + timedelta(days=33)] = D(400)
    b[START + timedelta(days=30)] = D(400)
    both = find({"openai": a, "anthropic": b}, START, START + timedelta(days=39), min_usd=FIVE)
    assert [(f.date, f.provider) for f in both] == [
        (START + timedelta(days=30), "anthropic"),
        (START + timedelta(days=33), "anthropic"),
        (START + timedelta(days=33), "openai"),
    ]
    only = find({"openai": a, "anthropic": b}, START, START + timedelta(days=39), min_usd=FIVE, provider="openai")
    assert [f.provider for f in only] == ["openai"]


# ---------------------------------------------------------------- the command


def test_anomalies_command_lists_flags_as_json(tmp_path, today, capsys):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    from core.store.db import open_store

    store = open_store(url)
    seed(store, "openai", {today - timedelta(days=n): D("12.5") for n in range(1, 40)} | {today: D("480.25")})
    seed(store, "deepgram", {today - timedelta(days=n): D(3) for n in range(0, 40)})
    store.dispose()
    env = {"DATABASE_URL": url}
    assert main(["anomalies", "--json"], env) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "date": today.isoformat(),
            "provider": "openai",
            "cost_usd": "480.250000",
            "baseline_usd": "12.500000",
            "score": rows[0]["score"],
        }
    ]
    assert isinstance(rows[0]["score"], float) and rows[0]["score"] >= 5
    assert main(["anomalies", "--json", "--provider", "deepgram"], env) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["anomalies", "--days", "0"], env) == 2
    assert "--days must be between 1 and 365" in capsys.readouterr().err


def test_anomaly_minimum_comes_from_the_setting(tmp_path, today, capsys):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    from core.store.db import open_store

    store = open_store(url)
    seed(store, "openai", {today - timedelta(days=n): D(1) for n in range(1, 40)} | {today: D(20)})
    store.dispose()
    assert main(["anomalies", "--json"], {"DATABASE_URL": url}) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert main(["anomalies", "--json"], {"DATABASE_URL": url, "ANOMALY_MIN_USD": "25"}) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["anomalies", "--json"], {"DATABASE_URL": url, "ANOMALY_MIN_USD": "-1"}) == 2
    assert "ANOMALY_MIN_USD must be a number of dollars from 0 to" in capsys.readouterr().err


def test_a_months_flags_from_the_store(store):
    seed(store, "openai", {date(2026, 2, 1) + timedelta(days=i): D(10) for i in range(50)})
    seed(store, "openai", {date(2026, 2, 27): D(300), date(2026, 3, 2): D(250)})
    found = in_month(store, date(2026, 3, 1), date(2026, 3, 10), min_usd=FIVE)
    assert [(f.date, f.cost_usd, f.baseline_usd) for f in found] == [(date(2026, 3, 2), D(250), D("10.00"))]
    assert in_month(store, date(2026, 4, 1), date(2026, 3, 10), min_usd=FIVE) == []
