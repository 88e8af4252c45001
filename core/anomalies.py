"""Anomaly flags: a day whose spend is far above the provider's robust baseline.

For each provider and day, the **baseline** is the median of the previous ``WINDOW`` (28) days, or of the same
weekday in them when that is higher (a weekly batch job is not an anomaly every week); only days from the
provider's first spend count, and at least ``MIN_HISTORY`` of them are needed. The **scale** is the median
absolute deviation of those days (x 1.4826, a standard deviation for normal data), but at least a tenth of the
baseline and a cent, so a perfectly flat history does not make every cent an anomaly. A day is flagged when
``score = (spend - baseline) / scale >= THRESHOLD`` **and** the spend is at least ``ANOMALY_MIN_USD`` above the
baseline. A constant series is never flagged (its score is 0).

All arithmetic is ``Decimal``; ``baseline_usd`` is rounded half-even to the cent, ``score`` to 0.1.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from core.money import CENT, ZERO

WINDOW = 28
MIN_HISTORY = 7
THRESHOLD = Decimal(5)
MAD_TO_SIGMA = Decimal("1.4826")
MIN_SCALE_SHARE = Decimal("0.1")  # of the baseline


@dataclass(frozen=True)
class Flag:
    date: date
    provider: str
    cost_usd: Decimal
    baseline_usd: Decimal
    score: Decimal


def _baseline(series: Mapping[date, Decimal], day: date, since: date) -> tuple[Decimal, Decimal] | None:
    """(baseline, scale) from the days before ``day``, or None without enough history."""
    window = [day - timedelta(days=n) for n in range(WINDOW, 0, -1)]
    values = [series.get(d, ZERO) for d in window if d >= since]
    if len(values) < MIN_HISTORY:
        return None
    median = statistics.median(values)
    same_weekday = [series.get(d, ZERO) for d in window if d >= since and d.weekday() == day.weekday()]
    baseline = max(median, statistics.median(same_weekday)) if len(same_weekday) >= 2 else median
    mad = statistics.median(abs(v - median) for v in values)
    return baseline, max(MAD_TO_SIGMA * mad, MIN_SCALE_SHARE * abs(baseline), CENT)


def flags(series: Mapping[date, Decimal], first: date, last: date, provider: str, *, min_usd: Decimal) -> list[Flag]:
    """The flagged days of one provider's daily series between two inclusive days, oldest first."""
    spent = sorted(d for d, v in series.items() if v != 0)
    if not spent:
        return []
    since = spent[0]
    out = []
    day = first
    while day <= last:
        cost = series.get(day, ZERO)
        base = _baseline(series, day, since) if cost > 0 else None
        if base is not None:
            baseline, scale = base
            score = (cost - baseline) / scale
            if score >= THRESHOLD and cost - baseline >= min_usd:
                out.append(
                    Flag(
                        day,
                        provider,
                        cost,
                        baseline.quantize(CENT, rounding=ROUND_HALF_EVEN),
                        score.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN),
                    )
                )
        day += timedelta(days=1)
    return out


def find(
    by_provider: Mapping[str, Mapping[date, Decimal]],
    first: date,
    last: date,
    *,
    min_usd: Decimal,
    provider: str | None = None,
) -> list[Flag]:
    """Flags of every provider (or one), by date then provider."""
    out = []
    for name, series in by_provider.items():
        if provider is None or name == provider:
            out += flags(series, first, last, name, min_usd=min_usd)
    return sorted(out, key=lambda f: (f.date, f.provider))


def recent(store, today: date, days: int, *, min_usd: Decimal, provider: str | None = None) -> list[Flag]:
    """Flags over the ``days`` days ending today (UTC; today's spend so far included)."""
    from core.store.spend import daily_by_provider

    first = today - timedelta(days=days - 1)
    by_provider = daily_by_provider(store, first - timedelta(days=WINDOW), today)
    return find(by_provider, first, today, min_usd=min_usd, provider=provider)


def in_month(store, month: date, today: date, *, min_usd: Decimal) -> list[Flag]:
    """Flags of a month's days (up to today), for the monthly report."""
    from core.periods import month_end, month_start
    from core.store.spend import daily_by_provider

    first, last = month_start(month), min(month_end(month), today)
    if last < first:
        return []
    by_provider = daily_by_provider(store, first - timedelta(days=WINDOW), last)
    return find(by_provider, first, last, min_usd=min_usd)
