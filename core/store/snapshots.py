"""Persisted monthly figures: provider snapshots and monthly summaries (copies of ``core.report``'s figures)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from core.money import format_json
from core.periods import utc_now
from core.report import MonthReport
from core.store.db import Store
from core.store.schema import monthly_summaries, provider_snapshots


def save_month(store: Store, report: MonthReport) -> None:
    """Upsert one snapshot per provider with data and the month's summary, in one transaction."""
    now = utc_now()
    rows = [
        {
            "month": report.month,
            "provider": p.provider,
            "total_cost_usd": p.cost_usd,
            "requests": p.requests,
            "breakdown": [
                {"model": m.model, "cost_usd": format_json(m.cost_usd), "requests": m.requests} for m in p.breakdown
            ],
            "cost_source": p.cost_source or "none",
            "collected_at": p.collected_at or now,
        }
        for p in report.providers
        if p.cost_source is not None
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
    with store.engine.begin() as conn:
        keep = {r["provider"] for r in rows}
        conn.execute(
            delete(provider_snapshots).where(
                provider_snapshots.c.month == report.month, provider_snapshots.c.provider.not_in(keep or {""})
            )
        )
        if rows:
            stmt = store.insert(provider_snapshots).values(rows)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[provider_snapshots.c.month, provider_snapshots.c.provider],
                    set_={
                        c: stmt.excluded[c]
                        for c in ("total_cost_usd", "requests", "breakdown", "cost_source", "collected_at")
                    },
                )
            )
        stmt = store.insert(monthly_summaries).values(summary)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[monthly_summaries.c.month],
                set_={c: stmt.excluded[c] for c in summary if c != "month"},
            )
        )


def get_summary(store: Store, month: date):
    with store.engine.connect() as conn:
        return conn.execute(select(monthly_summaries).where(monthly_summaries.c.month == month)).first()


def get_snapshots(store: Store, month: date) -> list:
    with store.engine.connect() as conn:
        return conn.execute(
            select(provider_snapshots)
            .where(provider_snapshots.c.month == month)
            .order_by(provider_snapshots.c.provider)
        ).all()
