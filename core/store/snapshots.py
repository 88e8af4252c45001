"""Persisted monthly figures: provider snapshots and monthly summaries (copies of ``core.report``'s figures)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from core.money import format_json
from core.periods import utc_now
from core.report import MonthReport
from core.store.db import Store
from core.store.schema import monthly_summaries, notion_pages, provider_snapshots


def save_month(store: Store, report: MonthReport, *, closed: bool = False) -> None:
    """Upsert one snapshot per provider with data and the month's summary, in one transaction.

    With ``closed``, a month whose figures change after it was emailed or archived to Notion is marked revised:
    ``revised_at`` and the figure people saw before (``revised_from_usd``), on the summary and on each snapshot
    that moved.
    """
    now = utc_now()
    with store.engine.connect() as conn:
        old = conn.execute(select(monthly_summaries).where(monthly_summaries.c.month == report.month)).first()
        old_snapshots = {
            r.provider: r
            for r in conn.execute(select(provider_snapshots).where(provider_snapshots.c.month == report.month))
        }
        archived = (
            conn.execute(select(notion_pages.c.page_id).where(notion_pages.c.month == report.month).limit(1)).first()
            is not None
        )
    communicated = old is not None and (old.email_sent_at is not None or archived)
    revising = closed and communicated and old.total_cost_usd != report.total_cost_usd
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
            "revised_from_usd": _revised_from(old_snapshots.get(p.provider), p.cost_usd, revising),
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
    if revising:
        summary["revised_at"] = now
        # what people were told: the emailed total, else the total archived before this change
        summary["revised_from_usd"] = (old.revised_from_usd if old.revised_at else None) or (
            old.email_total_usd if old.email_sent_at else old.total_cost_usd
        )
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
                        for c in (
                            "total_cost_usd",
                            "requests",
                            "breakdown",
                            "cost_source",
                            "collected_at",
                            "revised_from_usd",
                        )
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


def _revised_from(old, new_total, revising: bool):
    """Keep the first figure a revised snapshot moved from; set it when this revision moves the snapshot."""
    if old is None:
        return None
    if revising and old.total_cost_usd != new_total:
        return old.revised_from_usd if old.revised_from_usd is not None else old.total_cost_usd
    return old.revised_from_usd


# ---- the report email's record on the summary (used by core.email)


def email_record(store: Store, month: date):
    """The summary's record of the report email: ``(email_sent_at, email_recipients, email_id)``, or None."""
    with store.engine.connect() as conn:
        return conn.execute(
            select(
                monthly_summaries.c.email_sent_at, monthly_summaries.c.email_recipients, monthly_summaries.c.email_id
            ).where(monthly_summaries.c.month == month)
        ).first()


def record_email(store: Store, month: date, recipients: str, email_id: str, total, sent_at) -> None:
    """The month's report email went out announcing ``total``: later changes are measured from it."""
    with store.engine.begin() as conn:
        conn.execute(
            monthly_summaries.update()
            .where(monthly_summaries.c.month == month)
            .values(
                email_sent_at=sent_at,
                email_recipients=recipients,
                email_id=email_id,
                email_total_usd=total,
                revised_at=None,
                revised_from_usd=None,
            )
        )
        conn.execute(
            provider_snapshots.update().where(provider_snapshots.c.month == month).values(revised_from_usd=None)
        )


def revised_since_emailed(store: Store, before: date, limit: int = 12) -> list:
    """Earlier months whose figures changed after their email went out: rows of (month, emailed total, total now)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(monthly_summaries.c.month, monthly_summaries.c.email_total_usd, monthly_summaries.c.total_cost_usd)
            .where(
                monthly_summaries.c.month < before,
                monthly_summaries.c.revised_at.is_not(None),
                monthly_summaries.c.email_sent_at.is_not(None),
                monthly_summaries.c.revised_at > monthly_summaries.c.email_sent_at,
            )
            .order_by(monthly_summaries.c.month.desc())
            .limit(limit)
        ).all()
    return [(r.month, r.email_total_usd, r.total_cost_usd) for r in rows if r.email_total_usd is not None]
