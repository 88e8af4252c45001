"""Month-end forecast: month-to-date plus the expected spend of the rest of the month, with an interval.

The method (per provider; the team's forecast is the sum of its providers'):

1. **History**: the last ``WINDOW`` (28) complete UTC days before today, from the provider's first spend on.
2. **Day of week**: a factor per weekday, the median of that weekday's days over the median of all days,
   normalised to average 1 (``spend / factor`` is the de-seasoned series).
3. **Level and trend**: a Theil-Sen line through the de-seasoned days (the median of pairwise slopes, then the
   median intercept), so a spike or a quiet day moves neither. A slope not clearly above its own noise shrinks
   towards none (``slope x slope^2 / (slope^2 + se^2)``), so steady spend is not extrapolated as a trend. Spend is
   skewed (a month adds up means, not medians): the level is raised by the trimmed mean of the deviations.
4. **The rest of the month**: each remaining day's expected spend is ``(level + trend) x weekday factor``, never
   below zero. Today is in progress: it counts for ``max(its spend so far, its expected spend)``.
5. **Interval**: ``PATHS`` simulated months (a fixed seed, so the answer is a pure function of the data): the
   level drawn around its estimate with its standard error, the slope anywhere from none to twice the fitted one,
   each day's deviation resampled from the history's own deviations (spikes included). ``low``/``high`` are the
   2.5th and 97.5th percentiles. For the team, the spread is taken from the team's own daily totals (providers
   move together) and applied around the providers' sum.

Money: month-to-date is exact (the stored figures). The rest of the month is a ``Decimal`` rounded to the cent
(half-even for the forecast, down for ``low``, up for ``high``) and added to it, so ``forecast >= month-to-date``
and ``low <= forecast <= high`` hold exactly. A month that is over has no rest: its forecast, low and high are
exactly its actual spend. Floats appear only inside the statistics.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from core.money import CENT, ZERO
from core.periods import month_end, month_start

WINDOW = 28  # days of history: four of each weekday
MIN_TREND_DAYS = 10  # fewer days than this: a flat level, no trend
MIN_WEEKLY_DAYS = 14  # fewer days than this: no weekday factors
TREND_SPREAD = 1.0  # simulated months carry (1 +- TREND_SPREAD) x the slope: a trend may stop, or steepen
TRIM = 0.05  # share of deviations cut at each end before averaging them
PATHS = 300
LOW_Q, HIGH_Q = 0.025, 0.975
MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class Projection:
    """One series' month: exact month-to-date, the forecast and its interval, each remaining day's expectation."""

    month_to_date: Decimal
    forecast: Decimal
    low: Decimal
    high: Decimal
    daily: tuple[tuple[date, Decimal], ...]  # expected spend of each day from today to the month's end
    spread: tuple[float, float] = (0.0, 0.0)  # (expected - 5th pct, 95th pct - expected) of the rest, in USD


@dataclass(frozen=True)
class _Model:
    level: float  # de-seasoned spend at the window's centre (the median line)
    anchor: float  # the window's centre, in days from today (negative)
    bias: float  # the trimmed mean of the deviations from it: spend is skewed, and a month adds up means
    slope: float  # per day, already shrunk and damped
    factors: tuple[float, ...]  # by weekday (Monday 0)
    residuals: tuple[float, ...]
    level_se: float
    slope_se: float


def days_elapsed(month: date, today: date) -> int:
    """Complete UTC days of ``month`` before ``today`` (today is still in progress)."""
    first, last = month_start(month), month_end(month)
    if today <= first:
        return 0
    return (min(today, last + timedelta(days=1)) - first).days


def _history(series: Mapping[date, Decimal], today: date) -> list[tuple[int, date, float]]:
    """(offset from today, day, spend) of the window's days, from the series' first spend in it."""
    days = [today - timedelta(days=n) for n in range(WINDOW, 0, -1)]
    values = [float(series.get(d, ZERO)) for d in days]
    start = next((i for i, v in enumerate(values) if v != 0), len(values))
    return [((d - today).days, d, v) for d, v in zip(days[start:], values[start:], strict=True)]


def _factors(history: list[tuple[int, date, float]]) -> tuple[float, ...]:
    if len(history) < MIN_WEEKLY_DAYS:
        return (1.0,) * 7
    overall = statistics.median(v for _, _, v in history)
    if overall <= 0:
        return (1.0,) * 7
    out = []
    for weekday in range(7):
        values = [v for _, d, v in history if d.weekday() == weekday]
        if not values:
            out.append(1.0)
            continue
        out.append(statistics.median(values) / overall)
    mean = sum(out) / 7
    return tuple(f / mean for f in out) if mean > 0 else (1.0,) * 7


def _median_abs(values: list[float]) -> float:
    return statistics.median(abs(v) for v in values) if values else 0.0


def _fit(history: list[tuple[int, date, float]]) -> _Model | None:
    if not history:
        return None
    factors = _factors(history)
    # A weekday whose median is 0 (no spend on Sundays, say) is projected as 0 and left out of the level and trend.
    fitted = [(i, d, v) for i, d, v in history if factors[d.weekday()] > 0]
    if not fitted:
        return None
    xs = [float(i) for i, _, _ in fitted]
    ys = [v / factors[d.weekday()] for _, d, v in fitted]
    n = len(ys)
    anchor = sum(xs) / n
    slope = 0.0
    if n >= MIN_TREND_DAYS:
        slope = statistics.median((ys[j] - ys[i]) / (xs[j] - xs[i]) for i in range(n) for j in range(i + 1, n))
    center = statistics.median(y - slope * (x - anchor) for x, y in zip(xs, ys, strict=True))
    residuals = [y - (center + slope * (x - anchor)) for x, y in zip(xs, ys, strict=True)]
    sigma = MAD_TO_SIGMA * _median_abs(residuals)
    slope_se = sigma / (math.sqrt(sum((x - anchor) ** 2 for x in xs)) or 1.0) if n >= MIN_TREND_DAYS else 0.0
    if slope:  # a slope not clearly above its noise shrinks towards none
        slope *= slope**2 / (slope**2 + slope_se**2)
    trimmed = sorted(residuals)[int(n * TRIM) : n - int(n * TRIM)] or residuals
    return _Model(
        level=center,
        anchor=anchor,
        bias=sum(trimmed) / len(trimmed),
        slope=slope,
        factors=factors,
        residuals=tuple(residuals),
        level_se=1.2533 * sigma / math.sqrt(n),
        slope_se=slope_se,
    )


def _expected(model: _Model, days: list[date], today: date) -> list[float]:
    return [
        max(
            (model.level + model.bias + model.slope * ((d - today).days - model.anchor)) * model.factors[d.weekday()], 0
        )
        for d in days
    ]


def _simulate(model: _Model, days: list[date], today: date, today_actual: float, seed: int) -> list[float]:
    """Totals of the rest of the month over ``PATHS`` simulated months (a day below zero counts as zero only for
    today; elsewhere it only widens the low end a little, and keeps the loop short)."""
    rng = random.Random(seed)
    gauss, draw = rng.gauss, rng.random
    residuals, n = model.residuals, len(model.residuals)
    steps = [((d - today).days - model.anchor, model.factors[d.weekday()]) for d in days if d != today]
    weight = sum(f for _, f in steps)
    tilt = sum(x * f for x, f in steps)
    factor_today = model.factors[today.weekday()] if days and days[0] == today else None
    totals = []
    for _ in range(PATHS):
        level = model.level + gauss(0.0, model.level_se)
        slope = model.slope * TREND_SPREAD * 2 * draw() + model.slope * (1 - TREND_SPREAD) + gauss(0.0, model.slope_se)
        total = level * weight + slope * tilt + sum(f * residuals[int(draw() * n)] for _, f in steps)
        if factor_today is not None:
            value = (level - slope * model.anchor + residuals[int(draw() * n)]) * factor_today
            total += max(value - today_actual, 0.0)
        totals.append(max(total, 0.0))
    return totals


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _cents(value: float, rounding: str) -> Decimal:
    return Decimal(repr(max(value, 0.0))).quantize(CENT, rounding=rounding)


def project(series: Mapping[date, Decimal], month: date, today: date, *, seed: int = 0) -> Projection:
    """Forecast one daily series (``{day: USD}``; missing days spent nothing) for ``month`` as seen on ``today``.

    A month that is over is its actual spend, exactly; a month that has not started has no month-to-date yet.
    """
    first, last = month_start(month), month_end(month)
    mtd = sum((v for d, v in series.items() if first <= d <= min(last, today)), ZERO)
    if today > last:
        return Projection(mtd, mtd, mtd, mtd, ())
    start = max(today, first)
    days = [start + timedelta(days=i) for i in range((last - start).days + 1)]
    model = _fit(_history(series, today))
    if model is None:
        return Projection(mtd, mtd, mtd, mtd, tuple((d, ZERO) for d in days))
    today_actual = float(series.get(today, ZERO)) if start == today else 0.0
    expected = _expected(model, days, today)
    rest = sum(max(e - today_actual, 0.0) if d == today else e for d, e in zip(days, expected, strict=True))
    totals = _simulate(model, days, today, today_actual, seed)
    down, up = max(rest - _quantile(totals, LOW_Q), 0.0), max(_quantile(totals, HIGH_Q) - rest, 0.0)
    return Projection(
        month_to_date=mtd,
        forecast=mtd + _cents(rest, ROUND_HALF_EVEN),
        low=mtd + _cents(rest - down, ROUND_FLOOR),
        high=mtd + _cents(rest + up, ROUND_CEILING),
        daily=tuple((d, _cents(e, ROUND_HALF_EVEN)) for d, e in zip(days, expected, strict=True)),
        spread=(down, up),
    )


def combine(parts: Mapping[str, Projection], total: Projection) -> Projection:
    """The team's projection: the sum of its providers', with the spread of the team's own daily totals.

    ``total`` is ``project`` of the summed series; its spread (how far the whole team's month may land from
    its expectation) is applied around the providers' sum, which is the figure shown.
    """
    mtd = sum((p.month_to_date for p in parts.values()), ZERO)
    forecast = sum((p.forecast for p in parts.values()), ZERO)
    rest = float(forecast - mtd)
    down, up = total.spread
    by_day: dict[date, Decimal] = {}
    for p in parts.values():
        for d, v in p.daily:
            by_day[d] = by_day.get(d, ZERO) + v
    if forecast == mtd and not (down or up):
        return Projection(mtd, forecast, forecast, forecast, tuple(sorted(by_day.items())))
    return Projection(
        month_to_date=mtd,
        forecast=forecast,
        low=min(mtd + _cents(rest - down, ROUND_FLOOR), forecast),
        high=max(mtd + _cents(rest + up, ROUND_CEILING), forecast),
        daily=tuple(sorted(by_day.items())),
        spread=(down, up),
    )


# ---------------------------------------------------------------- a month, from the store


@dataclass(frozen=True)
class ProviderForecast:
    provider: str
    month_to_date_usd: Decimal
    forecast_usd: Decimal
    low_usd: Decimal
    high_usd: Decimal
    budget_usd: Decimal | None
    daily: tuple[tuple[date, Decimal], ...]


@dataclass(frozen=True)
class MonthForecast:
    month: date
    days_elapsed: int
    days_in_month: int
    month_to_date_usd: Decimal
    forecast_usd: Decimal
    low_usd: Decimal
    high_usd: Decimal
    budget_usd: Decimal | None
    providers: tuple[ProviderForecast, ...]
    daily: tuple[tuple[date, Decimal], ...]  # the team's expected spend of each day from today to the month's end

    def scope(self, provider: str | None) -> ProviderForecast | MonthForecast | None:
        """The team (``None``) or one provider's forecast (None when that provider has no spend or budget)."""
        if provider is None:
            return self
        return next((p for p in self.providers if p.provider == provider), None)


def forecast_from(
    by_provider: Mapping[str, Mapping[date, Decimal]],
    month: date,
    today: date,
    budgets: Mapping[str, Decimal] | None = None,
    order: tuple[str, ...] = (),
) -> MonthForecast:
    """The month's forecast from ``{provider: {day: USD}}`` (the month and the ``WINDOW`` days before today)."""
    import zlib

    budgets = budgets or {}
    names = [n for n in order if n in by_provider or n in budgets]
    names += sorted(n for n in {*by_provider, *budgets} if n not in names and n != "total")
    parts = {n: project(by_provider.get(n, {}), month, today, seed=zlib.crc32(n.encode())) for n in names}
    summed: dict[date, Decimal] = {}
    for series in by_provider.values():
        for d, v in series.items():
            summed[d] = summed.get(d, ZERO) + v
    team = combine(parts, project(summed, month, today))
    first, last = month_start(month), month_end(month)
    return MonthForecast(
        month=first,
        days_elapsed=days_elapsed(month, today),
        days_in_month=last.day,
        month_to_date_usd=team.month_to_date,
        forecast_usd=team.forecast,
        low_usd=team.low,
        high_usd=team.high,
        budget_usd=budgets.get("total"),
        providers=tuple(
            ProviderForecast(n, p.month_to_date, p.forecast, p.low, p.high, budgets.get(n), p.daily)
            for n, p in parts.items()
        ),
        daily=team.daily,
    )


def month_forecast(store, month: date, today: date) -> MonthForecast:
    """The forecast of ``month`` (this month or an earlier one) as seen on ``today``, with its budgets."""
    from core.errors import InputError
    from core.periods import month_key
    from core.providers import NAMES
    from core.store.guardrails import load_budgets
    from core.store.spend import daily_by_provider

    first, last = month_start(month), month_end(month)
    if first > today:
        raise InputError(
            f"{month_key(first)} has not started yet (today is {today}, UTC); forecast this month or earlier"
        )
    by_provider = daily_by_provider(store, min(first, today - timedelta(days=WINDOW)), min(last, today))
    return forecast_from(by_provider, first, today, load_budgets(store), tuple(NAMES))
