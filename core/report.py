"""The monthly provider report, derived from daily cost lines and scraper runs (so it always agrees with the
Overview). The same figures are persisted as snapshots and summaries, mailed, and archived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from core.coverage import Coverage, coverage
from core.money import ZERO, change_percent
from core.periods import day_start, month_end, month_key, next_month, previous_month
from core.providers import NAMES, apify, get_provider
from core.store.db import Store
from core.store.schema import daily_costs, monthly_summaries, provider_snapshots, provider_status, scraper_runs

TOP_MODELS = 5


@dataclass(frozen=True)
class ModelCost:
    model: str
    cost_usd: Decimal
    requests: int | None


@dataclass(frozen=True)
class ProviderMonth:
    provider: str
    cost_usd: Decimal
    previous_cost_usd: Decimal | None
    change_percent: Decimal | None
    requests: int | None
    cost_source: str | None
    collected_at: datetime | None
    breakdown: list[ModelCost]  # every model/line item, most expensive first
    status: str | None = None  # last collection: ok | failed | not_configured
    error: str | None = None
    unpriced_quantity: Decimal | None = None  # usage the provider reported without a price (e.g. credits)
    unit: str | None = None
    revised_from_usd: Decimal | None = None  # the figure before this closed month changed

    @property
    def top_models(self) -> list[ModelCost]:
        return self.breakdown[:TOP_MODELS]


@dataclass(frozen=True)
class MonthReport:
    month: date
    total_cost_usd: Decimal
    previous_month_cost_usd: Decimal | None
    change_percent: Decimal | None
    providers: list[ProviderMonth]  # most expensive first
    report_url: str
    coverage: Coverage | None = None
    revised_at: datetime | None = None
    revised_from_usd: Decimal | None = None

    @property
    def provider_count(self) -> int:
        return sum(1 for p in self.providers if p.cost_usd or p.requests)

    @property
    def key(self) -> str:
        return month_key(self.month)


def report_url(base_url: str, month: date) -> str:
    """Link to the report page for a month. It holds no token: tokens go only into emails."""
    return f"{base_url.rstrip('/')}/report?month={month_key(month)}"


def _line_totals(store: Store, first: date, last: date) -> dict[str, dict]:
    q = (
        select(
            daily_costs.c.provider,
            func.sum(daily_costs.c.cost_usd),
            func.sum(daily_costs.c.requests),
            func.count(),
            func.min(daily_costs.c.cost_source),
            func.max(daily_costs.c.cost_source),
            func.max(daily_costs.c.collected_at),
        )
        .where(daily_costs.c.day.between(first, last))
        .group_by(daily_costs.c.provider)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
    return {
        r[0]: {
            "cost": r[1],
            "requests": None if r[2] is None else int(r[2]),
            "lines": r[3],
            "source": r[4] if r[4] == r[5] else "mixed",
            "collected_at": r[6],
        }
        for r in rows
    }


def _run_totals(store: Store, first: date, last: date) -> dict | None:
    where = (scraper_runs.c.created_at >= day_start(first), scraper_runs.c.created_at < day_start(next_month(first)))
    q = select(func.sum(scraper_runs.c.cost_usd), func.count(), func.max(scraper_runs.c.updated_at)).where(*where)
    with store.engine.connect() as conn:
        cost, count, updated = conn.execute(q).one()
    if not count:
        return None
    return {"cost": cost or ZERO, "requests": count, "source": "run_reported", "collected_at": updated}


def _breakdown(store: Store, provider: str, first: date, last: date) -> list[ModelCost]:
    with store.engine.connect() as conn:
        if provider == apify.NAME:
            q = (
                select(scraper_runs.c.scraper_id, func.sum(scraper_runs.c.cost_usd), func.count())
                .where(
                    scraper_runs.c.created_at >= day_start(first),
                    scraper_runs.c.created_at < day_start(next_month(first)),
                )
                .group_by(scraper_runs.c.scraper_id)
            )
        else:
            model = func.coalesce(daily_costs.c.model, daily_costs.c.line_item)
            q = (
                select(model, func.sum(daily_costs.c.cost_usd), func.sum(daily_costs.c.requests))
                .where(daily_costs.c.provider == provider, daily_costs.c.day.between(first, last))
                .group_by(model)
            )
        rows = [ModelCost(r[0], r[1] or ZERO, None if r[2] is None else int(r[2])) for r in conn.execute(q)]
    return sorted(rows, key=lambda m: (-m.cost_usd, m.model))


def _provider_totals(store: Store, month: date) -> dict[str, dict]:
    first, last = month, month_end(month)
    totals = _line_totals(store, first, last)
    runs = _run_totals(store, first, last)
    if runs:
        totals[apify.NAME] = runs
    return totals


def month_total(store: Store, month: date) -> Decimal | None:
    """Total of a month, or None when nothing at all is stored for it."""
    totals = _provider_totals(store, month)
    return sum((t["cost"] for t in totals.values()), ZERO) if totals else None


def monthly_report(store: Store, month: date, base_url: str = "http://localhost:8501") -> MonthReport:
    """Every provider's cost, change vs the previous month, requests, top models and provenance for a month."""
    current = _provider_totals(store, month)
    previous = _provider_totals(store, previous_month(month))
    with store.engine.connect() as conn:
        status = {r.provider: r for r in conn.execute(select(provider_status))}
        summary = conn.execute(select(monthly_summaries).where(monthly_summaries.c.month == month)).first()
        revised = {
            r.provider: r.revised_from_usd
            for r in conn.execute(select(provider_snapshots).where(provider_snapshots.c.month == month))
        }
    cov = coverage(store, month, month_end(month))
    providers = []
    for name in NAMES:
        cur, prev = current.get(name), previous.get(name)
        st = status.get(name)
        if cur is None and prev is None and (st is None or st.status == "not_configured"):
            continue
        cost = cur["cost"] if cur else ZERO
        prev_cost = prev["cost"] if prev else None
        providers.append(
            ProviderMonth(
                provider=name,
                cost_usd=cost,
                previous_cost_usd=prev_cost,
                change_percent=change_percent(cost, prev_cost),
                requests=cur["requests"] if cur else (0 if get_provider(name).has_counts else None),
                cost_source=cur["source"] if cur else None,
                collected_at=cur["collected_at"] if cur else None,
                breakdown=_breakdown(store, name, month, month_end(month)) if cur else [],
                status=st.status if st else None,
                error=st.error if st else None,
                unpriced_quantity=cov.unpriced.get(name),
                unit=cov.units.get(name),
                revised_from_usd=revised.get(name),
            )
        )
    providers.sort(key=lambda p: (-p.cost_usd, p.provider))
    total = sum((p.cost_usd for p in providers), ZERO)
    prev_total = sum((t["cost"] for t in previous.values()), ZERO) if previous else None
    return MonthReport(
        month,
        total,
        prev_total,
        change_percent(total, prev_total),
        providers,
        report_url(base_url, month),
        cov,
        summary.revised_at if summary else None,
        summary.revised_from_usd if summary else None,
    )
