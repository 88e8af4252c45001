"""The monthly provider report, assembled from the ledger (so it always agrees with the Overview). The same figures
are persisted as snapshots and summaries, mailed, and archived. ``monthly_view`` is everything the report page
shows, in one call."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from core.coverage import coverage
from core.models import MonthReport, ProviderMonth
from core.money import ZERO, change_percent
from core.periods import last_complete_month, month_end, month_key, month_start, previous_month
from core.providers import NAMES, get_provider
from core.store import actors, collections, snapshots, spend
from core.store.db import Store
from core.store.reconciliations import load_reconciliations

MAX_MONTHS = 120  # months offered by the report's selector


def report_url(base_url: str, month: date) -> str:
    """Link to the report page for a month. It holds no token: tokens go only into emails."""
    return f"{base_url.rstrip('/')}/report?month={month_key(month)}"


def monthly_report(store: Store, month: date, base_url: str = "http://localhost:8501") -> MonthReport:
    """Every provider's cost, change vs the previous month, requests, top models and provenance for a month."""
    first, last = month, month_end(month)
    current = spend.provider_totals(store, first, last)
    previous = spend.provider_totals(store, previous_month(month), month - timedelta(days=1))
    status = collections.statuses(store)
    summary = snapshots.get_summary(store, month)
    revised = {r.provider: r.revised_from_usd for r in snapshots.get_snapshots(store, month)}
    cov = coverage(store, first, last)
    names = actors.names(store)
    providers = []
    for name in NAMES:
        cur, prev, st = current.get(name), previous.get(name), status.get(name)
        if cur is None and prev is None and (st is None or st.status == "not_configured"):
            continue
        provider = get_provider(name)
        cost = cur.cost_usd if cur else ZERO
        prev_cost = prev.cost_usd if prev else None
        providers.append(
            ProviderMonth(
                provider=name,
                cost_usd=cost,
                previous_cost_usd=prev_cost,
                change_percent=change_percent(cost, prev_cost),
                requests=cur.count if cur else (0 if provider.has_counts else None),
                cost_source=cur.cost_source if cur else None,
                collected_at=cur.collected_at if cur else None,
                breakdown=[replace(m, label=names.get(m.model)) for m in spend.breakdown(store, name, first, last)]
                if cur
                else [],
                status=st.status if st else None,
                error=st.error if st else None,
                unpriced_quantity=cov.unpriced.get(name),
                unit=cov.units.get(name),
                revised_from_usd=revised.get(name),
                count_unit=provider.counts,
            )
        )
    providers.sort(key=lambda p: (-p.cost_usd, p.provider))
    total = sum((p.cost_usd for p in providers), ZERO)
    prev_total = sum((t.cost_usd for t in previous.values()), ZERO) if previous else None
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


@dataclass(frozen=True)
class MonthlyView:
    """What the report page shows for a month."""

    month: date
    months: list[date]  # the selector's options, newest first
    report: MonthReport
    days: list[date]  # every day of the month up to today
    daily: dict[str, list[Decimal]]  # provider -> cost on each of ``days``
    reconciliations: dict[str, object]  # provider -> the last stored check of the month
    closed: bool  # the month is over (a reconciliation can be run)


def report_months(store: Store, today: date, wanted: date | None = None) -> list[date]:
    """Months the report offers, newest first: from the first recorded spend (or a year back) to this month,
    plus ``wanted`` when it lies outside."""
    first = month_start(spend.first_activity(store) or today - timedelta(days=365))
    months: list[date] = []
    m = month_start(today)
    while m >= first and len(months) < MAX_MONTHS:
        months.append(m)
        m = previous_month(m)
    if wanted is not None and wanted not in months:
        months = sorted({*months, wanted}, reverse=True)
    return months


def default_month(today: date) -> date:
    return last_complete_month(today)


def monthly_view(store: Store, month: date, today: date, base_url: str) -> MonthlyView:
    report = monthly_report(store, month, base_url)
    last = min(month_end(month), today)
    days = [month + timedelta(days=i) for i in range((last - month).days + 1)]
    by_day = spend.daily_by_provider(store, month, last)
    daily = {p.provider: [by_day.get(p.provider, {}).get(d, ZERO) for d in days] for p in report.providers}
    return MonthlyView(
        month=month,
        months=report_months(store, today, month),
        report=report,
        days=days,
        daily=daily,
        reconciliations=load_reconciliations(store, month),
        closed=month < month_start(today),
    )
