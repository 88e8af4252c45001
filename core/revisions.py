"""Saving a month's figures (snapshots per provider and the month's summary), and the rule for closed months that
change after people saw them: a month emailed or archived whose total moves is marked *revised*, with the figure
people were told, on the summary and on each snapshot that moved."""

from __future__ import annotations

from decimal import Decimal

from core.models import NOT_AVAILABLE, MonthReport
from core.money import format_json
from core.periods import utc_now
from core.store import snapshots
from core.store.db import Store


def save_month(store: Store, report: MonthReport, *, closed: bool = False) -> None:
    """Upsert one snapshot per provider with data and the month's summary, in one transaction; with ``closed``,
    apply the revision rule."""
    before = snapshots.month_state(store, report.month)
    old = before.summary
    communicated = old is not None and (old.email_sent_at is not None or before.archived)
    revising = closed and communicated and old.total_cost_usd != report.total_cost_usd
    now = utc_now()
    rows = [
        {
            "month": report.month,
            "provider": p.provider,
            "total_cost_usd": p.cost_usd,
            "requests": p.requests,
            "breakdown": [
                {"model": m.model, "cost_usd": format_json(m.cost_usd), "requests": m.requests}
                | ({"name": m.label} if m.label else {})
                for m in p.breakdown
            ],
            "cost_source": p.cost_source or "none",
            "collected_at": p.collected_at or now,
            "revised_from_usd": _revised_from(before.snapshots.get(p.provider), p.cost_usd, revising),
            "availability": p.availability,
        }
        for p in report.providers
        if p.cost_source is not None or p.availability == NOT_AVAILABLE  # archived as such, never as $0
    ]
    summary = {
        "month": report.month,
        "total_cost_usd": report.total_cost_usd,
        "previous_month_cost_usd": report.previous_month_cost_usd,
        "change_percent": report.change_percent,
        "provider_count": report.provider_count,
        "report_url": report.report_url,
        "updated_at": now,
    }
    if revising:
        summary["revised_at"] = now
        # what people were told: the emailed total, else the total archived before this change
        summary["revised_from_usd"] = (old.revised_from_usd if old.revised_at else None) or (
            old.email_total_usd if old.email_sent_at else old.total_cost_usd
        )
    snapshots.write_month(store, report.month, rows, summary)


def _revised_from(old, new_total: Decimal, revising: bool) -> Decimal | None:
    """Keep the first figure a revised snapshot moved from; set it when this revision moves the snapshot."""
    if old is None:
        return None
    if revising and old.total_cost_usd != new_total:
        return old.revised_from_usd if old.revised_from_usd is not None else old.total_cost_usd
    return old.revised_from_usd
