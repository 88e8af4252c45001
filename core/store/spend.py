"""Every spend figure read from the ledger, in one place: period totals, zero-filled daily series, per-provider
month totals and breakdowns, and the provenance split.

Totals read the per-day rollup (``daily_totals``: one row per provider x day x owner x cost source), so their cost
does not grow with the number of runs or line items; breakdowns read the ledger lines of one provider and month.

``owners``: None means everyone; a tuple of scraper-run user ids keeps the per-person lines (Apify runs) of those
owners only. Team-wide lines (owner "") are always included: LLM spend is the team's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, or_, select

from core.models import REQUESTS, RUNS, ChartPoint, ModelCost, Summary
from core.money import ZERO
from core.periods import period_window, range_days
from core.store.db import Store
from core.store.schema import daily_costs, daily_totals

T = daily_totals.c
_RUNS = func.sum(case((T.count_unit == RUNS, T.count)))
_REQUESTS = func.sum(case((T.count_unit == REQUESTS, T.count)))


def _where(first: date | None, last: date | None, provider: str | None, owners: Sequence[str] | None) -> list:
    where = []
    if first is not None:
        where.append(T.day >= first)
    if last is not None:
        where.append(T.day <= last)
    if provider is not None:
        where.append(T.provider == provider)
    if owners is not None:
        where.append(or_(T.owner == "", T.owner.in_(list(owners))))
    return where


def _count(value) -> int | None:
    return None if value is None else int(value)


def totals(
    store: Store, first: date | None, last: date, provider: str | None = None, owners: Sequence[str] | None = None
) -> tuple[Decimal, int, int | None]:
    """(cost, runs, requests) between two inclusive days; ``requests`` is None when no line has a request count."""
    q = select(func.sum(T.cost_usd), _RUNS, _REQUESTS).where(*_where(first, last, provider, owners))
    with store.engine.connect() as conn:
        cost, runs, requests = conn.execute(q).one()
    return cost or ZERO, int(runs or 0), _count(requests)


def summary(
    store: Store, period: str, today: date, provider: str | None = None, owners: Sequence[str] | None = None
) -> Summary:
    """Total spend and counts for ``day`` | ``week`` | ``month`` | ``all`` ending ``today`` (UTC)."""
    first, last = period_window(period, today)
    cost, runs, requests = totals(store, first, last, provider, owners)
    return Summary(period, first, last, cost, runs, requests)


def daily_series(
    store: Store, first: date, last: date, provider: str | None = None, owners: Sequence[str] | None = None
) -> list[ChartPoint]:
    """One point per day from ``first`` to ``last``, oldest first, days without spend present with 0."""
    q = (
        select(T.day, func.sum(T.cost_usd), _RUNS, _REQUESTS)
        .where(*_where(first, last, provider, owners))
        .group_by(T.day)
    )
    with store.engine.connect() as conn:
        by_day = {d: (cost or ZERO, int(runs or 0), _count(requests)) for d, cost, runs, requests in conn.execute(q)}
    return [
        ChartPoint(d, *by_day.get(d, (ZERO, 0, None)))
        for d in (first + timedelta(days=offset) for offset in range((last - first).days + 1))
    ]


def chart(
    store: Store, range_: str, today: date, provider: str | None = None, owners: Sequence[str] | None = None
) -> list[ChartPoint]:
    """The Overview's chart: every day of ``7d`` | ``30d`` | ``90d`` ending today."""
    days = range_days(range_, today)
    return daily_series(store, days[0], days[-1], provider, owners)


def daily_by_provider(
    store: Store, first: date, last: date, owners: Sequence[str] | None = None
) -> dict[str, dict[date, Decimal]]:
    """Cost per provider per day between two inclusive days (days without spend absent)."""
    q = (
        select(T.provider, T.day, func.sum(T.cost_usd))
        .where(*_where(first, last, None, owners))
        .group_by(T.provider, T.day)
    )
    out: dict[str, dict[date, Decimal]] = {}
    with store.engine.connect() as conn:
        for provider, d, cost in conn.execute(q):
            out.setdefault(provider, {})[d] = cost
    return out


def first_activity(store: Store) -> date | None:
    """The first day anything was spent or counted (None on an empty database)."""
    with store.engine.connect() as conn:
        return conn.execute(select(func.min(T.day))).scalar()


@dataclass(frozen=True)
class ProviderTotal:
    """One provider's figures over some days, from the rollup."""

    cost_usd: Decimal
    count: int | None  # runs or requests (``count_unit``); None when the provider counts nothing
    count_unit: str
    cost_source: str  # the lines' source, or "mixed"
    collected_at: datetime | None
    days: int  # days with at least one line


def provider_totals(store: Store, first: date, last: date) -> dict[str, ProviderTotal]:
    """Each provider with lines between two inclusive days."""
    q = (
        select(
            T.provider,
            func.sum(T.cost_usd),
            func.sum(T.count),
            func.max(T.count_unit),
            func.min(T.cost_source),
            func.max(T.cost_source),
            func.max(T.collected_at),
            func.count(func.distinct(T.day)),
        )
        .where(T.day.between(first, last))
        .group_by(T.provider)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
    return {
        name: ProviderTotal(cost or ZERO, _count(count), unit, low if low == high else "mixed", collected, days)
        for name, cost, count, unit, low, high, collected, days in rows
    }


def breakdown(store: Store, provider: str, first: date, last: date) -> list[ModelCost]:
    """A provider's spend per model (or line item when the model is unknown), most expensive first."""
    model = func.coalesce(daily_costs.c.model, daily_costs.c.line_item)
    q = (
        select(model, func.sum(daily_costs.c.cost_usd), func.sum(daily_costs.c.requests))
        .where(daily_costs.c.provider == provider, daily_costs.c.day.between(first, last))
        .group_by(model)
    )
    with store.engine.connect() as conn:
        rows = [ModelCost(m, cost or ZERO, _count(requests)) for m, cost, requests in conn.execute(q)]
    return sorted(rows, key=lambda m: (-m.cost_usd, m.model))


@dataclass(frozen=True)
class SourceSplit:
    """Spend by cost source, and the quantities (with their unit) behind derived and unpriced spend, per provider."""

    by_source: dict[str, Decimal]
    derived: dict[str, tuple[Decimal, Decimal]]  # provider -> (derived cost, quantity it was derived from)
    unpriced: dict[str, Decimal]  # provider -> quantity used without a price
    units: dict[str, str]


def source_split(
    store: Store, first: date | None, last: date, provider: str | None = None, owners: Sequence[str] | None = None
) -> SourceSplit:
    """The inputs of the provenance line between two inclusive days (``first`` None: since the beginning)."""
    from core.models import DERIVED_FROM_CREDITS, UNPRICED

    q = (
        select(T.provider, T.cost_source, func.sum(T.cost_usd), func.sum(T.quantity), func.max(T.unit))
        .where(*_where(first, last, provider, owners))
        .group_by(T.provider, T.cost_source)
    )
    by_source: dict[str, Decimal] = {}
    derived: dict[str, tuple[Decimal, Decimal]] = {}
    unpriced: dict[str, Decimal] = {}
    units: dict[str, str] = {}
    with store.engine.connect() as conn:
        for name, source, cost, quantity, unit in conn.execute(q):
            by_source[source] = by_source.get(source, ZERO) + (cost or ZERO)
            if quantity is None or source not in (DERIVED_FROM_CREDITS, UNPRICED):
                continue
            units[name] = unit or ""
            if source == DERIVED_FROM_CREDITS:
                derived[name] = (cost or ZERO, quantity)
            elif quantity:
                unpriced[name] = quantity
    return SourceSplit(by_source, derived, unpriced, units)
