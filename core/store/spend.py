"""Spend queries behind the Overview and the CLI: period totals and zero-filled daily series.

Apify spend comes from ``scraper_runs`` (one row per run, dated by its start); every other provider's from
``daily_costs``. The two never overlap, so nothing is counted twice. Aggregation runs in SQL.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Date, func, select

from core.models import ChartPoint, Summary
from core.money import ZERO
from core.periods import day_start, period_window, range_days
from core.store.db import Store
from core.store.schema import daily_costs, scraper_runs

APIFY = "apify"


def _sources(provider: str | None) -> tuple[bool, bool]:
    """Which tables a provider filter reads: (runs, daily lines)."""
    if provider is None:
        return True, True
    return provider == APIFY, provider != APIFY


def _runs_between(first: date | None, last: date, owners: tuple[str, ...] | None = None):
    where = [scraper_runs.c.created_at < day_start(last + timedelta(days=1))]
    if first is not None:
        where.append(scraper_runs.c.created_at >= day_start(first))
    if owners is not None:  # runs are per person; the daily lines (LLM providers) are team-wide, always included
        where.append(scraper_runs.c.user_id.in_(owners))
    return where


def _lines_between(first: date | None, last: date, provider: str | None):
    where = [daily_costs.c.day <= last]
    if first is not None:
        where.append(daily_costs.c.day >= first)
    if provider is not None:
        where.append(daily_costs.c.provider == provider)
    return where


def totals(store: Store, first: date | None, last: date, provider: str | None = None, owners=None):
    """(cost, runs, requests) between two inclusive days; ``requests`` is None when no line has a count."""
    use_runs, use_lines = _sources(provider)
    cost, runs, requests = ZERO, 0, None
    with store.engine.connect() as conn:
        if use_runs:
            q = select(func.sum(scraper_runs.c.cost_usd), func.count()).where(*_runs_between(first, last, owners))
            run_cost, runs = conn.execute(q).one()
            cost += run_cost or ZERO
        if use_lines:
            q = select(func.sum(daily_costs.c.cost_usd), func.sum(daily_costs.c.requests)).where(
                *_lines_between(first, last, provider)
            )
            line_cost, requests = conn.execute(q).one()
            cost += line_cost or ZERO
    return cost, runs, None if requests is None else int(requests)


def summary(store: Store, period: str, today: date, provider: str | None = None, owners=None) -> Summary:
    """Total spend and counts for ``day`` | ``week`` | ``month`` | ``all`` ending ``today`` (UTC)."""
    first, last = period_window(period, today)
    cost, runs, requests = totals(store, first, last, provider, owners)
    return Summary(period, first, last, cost, runs, requests)


def daily_series(store: Store, first: date, last: date, provider: str | None = None, owners=None) -> list[ChartPoint]:
    """One point per day from ``first`` to ``last``, oldest first, days without spend present with 0."""
    use_runs, use_lines = _sources(provider)
    by_day: dict[date, list] = {}
    with store.engine.connect() as conn:
        if use_runs:
            day = func.date(scraper_runs.c.created_at, type_=Date)
            q = (
                select(day, func.sum(scraper_runs.c.cost_usd), func.count())
                .where(*_runs_between(first, last, owners))
                .group_by(day)
            )
            for d, cost, runs in conn.execute(q):
                by_day[d] = [cost or ZERO, runs, None]
        if use_lines:
            q = (
                select(daily_costs.c.day, func.sum(daily_costs.c.cost_usd), func.sum(daily_costs.c.requests))
                .where(*_lines_between(first, last, provider))
                .group_by(daily_costs.c.day)
            )
            for d, cost, requests in conn.execute(q):
                entry = by_day.setdefault(d, [ZERO, 0, None])
                entry[0] += cost
                entry[2] = None if requests is None else int(requests)
    points = []
    for offset in range((last - first).days + 1):
        d = first + timedelta(days=offset)
        cost, runs, requests = by_day.get(d, (ZERO, 0, None))
        points.append(ChartPoint(d, cost, runs, requests))
    return points


def chart(store: Store, range_: str, today: date, provider: str | None = None, owners=None) -> list[ChartPoint]:
    """The Overview's chart: every day of ``7d`` | ``30d`` | ``90d`` ending today."""
    days = range_days(range_, today)
    return daily_series(store, days[0], days[-1], provider, owners)


def first_activity(store: Store) -> date | None:
    """The first day anything was spent (None on an empty database)."""
    with store.engine.connect() as conn:
        first_run = conn.execute(select(func.min(scraper_runs.c.created_at))).scalar()
        first_line = conn.execute(select(func.min(daily_costs.c.day))).scalar()
    days = [d for d in (first_run and first_run.date(), first_line) if d]
    return min(days) if days else None


def daily_by_provider(store: Store, first: date, last: date, owners=None) -> dict[str, dict[date, Decimal]]:
    """Cost per provider per day between two inclusive days (Apify from runs, the others from daily lines)."""
    out: dict[str, dict[date, Decimal]] = {}
    with store.engine.connect() as conn:
        day = func.date(scraper_runs.c.created_at, type_=Date)
        q = select(day, func.sum(scraper_runs.c.cost_usd)).where(*_runs_between(first, last, owners)).group_by(day)
        for d, cost in conn.execute(q):
            out.setdefault(APIFY, {})[d] = cost or ZERO
        q = (
            select(daily_costs.c.provider, daily_costs.c.day, func.sum(daily_costs.c.cost_usd))
            .where(*_lines_between(first, last, None))
            .group_by(daily_costs.c.provider, daily_costs.c.day)
        )
        for provider, d, cost in conn.execute(q):
            out.setdefault(provider, {})[d] = cost
    return out
