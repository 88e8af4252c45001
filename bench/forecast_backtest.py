"""Backtest of the month-end forecast (``core.forecast``) on generated spend.

Generated teams (three providers each) spend for 15 months with day-of-week cycles and noise, in four scenarios:
``steady``, ``trend`` (each provider growing or shrinking 10-50 % a month), ``spikes`` (3 % of days cost 3-10x)
and ``mixed`` (all of it, plus a provider that starts or stops mid-history). The last 12 months are replayed day
by day: on each day the forecast sees only the days before it (today's spend still unknown), exactly like
``forecast_from`` in the app, and is compared with the month's actual total.

Reported per scenario: the mean absolute percentage error on day 7, 15 and 22 (complete days seen), and how often
the low-high interval held the actual (over every day of every month). Targets: <= 10 % at day 15 on steady data;
the interval holds the actual at least 80 % of the time.

    python bench/forecast_backtest.py [--teams 8] [--seed 1]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from _common import machine, save, table

from core.forecast import forecast_from
from core.periods import month_end, next_month

SCENARIOS = ("steady", "trend", "spikes", "mixed")
CHECKPOINTS = (7, 15, 22)
START = date(2025, 1, 1)
MONTHS = 15
REPLAYED = 12
TIMES: list[float] = []  # seconds per forecast_from call (three providers and the team)


def generate(scenario: str, rng: random.Random) -> dict[str, dict[date, Decimal]]:
    """Three providers' daily spend over ``MONTHS`` months from ``START``."""
    last = START
    for _ in range(MONTHS):
        last = next_month(last)
    days = [START + timedelta(days=i) for i in range((last - START).days)]
    out: dict[str, dict[date, Decimal]] = {}
    for p in range(3):
        base = rng.uniform(5, 300)
        weekend = rng.uniform(0.3, 0.9)
        noise = rng.uniform(0.1, 0.3)
        growth = 0.0
        if scenario in ("trend", "mixed"):
            growth = math.log(rng.uniform(1.05, 1.3)) / 30 * rng.choice((1, 1, -1))
        spike_p = 0.03 if scenario in ("spikes", "mixed") else 0.0
        active = (0, len(days))
        if scenario == "mixed" and p == 2:  # a provider that starts, or stops, part-way through
            cut = rng.randint(60, len(days) - 60)
            active = (cut, len(days)) if rng.random() < 0.5 else (0, cut)
        series = {}
        for i, d in enumerate(days):
            if not active[0] <= i < active[1]:
                continue
            level = base * math.exp(growth * (i % 60 if scenario == "mixed" else i))  # mixed: trends that reset
            value = level * (weekend if d.weekday() >= 5 else 1.0) * math.exp(rng.gauss(0, noise))
            if rng.random() < spike_p:
                value *= rng.uniform(3, 10)
            series[d] = Decimal(f"{value:.6f}")
        out[f"p{p}"] = series
    return out


def replay(data: dict[str, dict[date, Decimal]]) -> list[tuple[int, float, bool]]:
    """(complete days seen, absolute % error, interval held) for every day of each replayed month."""
    months = []
    m = START
    for _ in range(MONTHS):
        months.append(m)
        m = next_month(m)
    results = []
    for month in months[-REPLAYED:]:
        last = month_end(month)
        actual = sum((v for s in data.values() for d, v in s.items() if month <= d <= last), Decimal(0))
        for k in range(last.day):
            today = month + timedelta(days=k)
            seen = {p: {d: v for d, v in s.items() if d < today} for p, s in data.items()}
            started = time.perf_counter()
            f = forecast_from(seen, month, today)
            TIMES.append(time.perf_counter() - started)
            error = abs(float(f.forecast_usd - actual)) / float(actual) * 100
            results.append((k, error, f.low_usd <= actual <= f.high_usd))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=8, help="generated teams per scenario")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows, results = [], {}
    started = time.perf_counter()
    for scenario in SCENARIOS:
        rng = random.Random(f"{args.seed}/{scenario}")
        outcomes = []
        for _ in range(args.teams):
            outcomes += replay(generate(scenario, rng))
        mape = {
            k: sum(e for d, e, _ in outcomes if d == k) / sum(1 for d, _, _ in outcomes if d == k) for k in CHECKPOINTS
        }
        held = sum(1 for _, _, h in outcomes if h) / len(outcomes) * 100
        held_at = {
            k: sum(1 for d, _, h in outcomes if d == k and h) / sum(1 for d, _, _ in outcomes if d == k) * 100
            for k in CHECKPOINTS
        }
        results[scenario] = {
            "mape": mape,
            "interval_held_percent": held,
            "interval_held_at": held_at,
            "forecasts": len(outcomes),
        }
        rows.append(
            [
                scenario,
                *(f"{mape[k]:.1f} %" for k in CHECKPOINTS),
                f"{held:.0f} %",
                *(f"{held_at[k]:.0f} %" for k in CHECKPOINTS),
                len(outcomes),
            ]
        )
        print(f"{scenario}: done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    headers = [
        "scenario",
        "error day 7",
        "error day 15",
        "error day 22",
        "interval held",
        "held d7",
        "held d15",
        "held d22",
        "forecasts",
    ]
    print(table(headers, rows))
    path = save(
        "forecast_backtest", {"machine": machine(), "teams": args.teams, "seed": args.seed, "scenarios": results}
    )
    per_call = sorted(TIMES)[len(TIMES) // 2] * 1000
    print(
        f"\n{args.teams} teams x {REPLAYED} months per scenario; a forecast (3 providers, team) {per_call:.1f} ms"
        f" (median); {time.perf_counter() - started:.0f} s in all; {path}"
    )


if __name__ == "__main__":
    main()
