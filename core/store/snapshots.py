"""Persisted monthly figures: provider snapshots and monthly summaries (what was saved, emailed and archived)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select

from core.store.db import Store
from core.store.schema import monthly_summaries, notion_pages, provider_snapshots

SNAPSHOT_COLUMNS = (
    "total_cost_usd",
    "requests",
    "breakdown",
    "cost_source",
    "collected_at",
    "revised_from_usd",
    "availability",
)


@dataclass(frozen=True)
class MonthState:
    summary: object | None  # the monthly_summaries row
    snapshots: dict[str, object]  # provider -> provider_snapshots row
    archived: bool  # some page of the month was archived to Notion


def month_state(store: Store, month: date) -> MonthState:
    with store.engine.connect() as conn:
        summary = conn.execute(select(monthly_summaries).where(monthly_summaries.c.month == month)).first()
        rows = conn.execute(select(provider_snapshots).where(provider_snapshots.c.month == month)).all()
        archived = conn.execute(select(notion_pages.c.page_id).where(notion_pages.c.month == month).limit(1)).first()
    return MonthState(summary, {r.provider: r for r in rows}, archived is not None)


def write_month(store: Store, month: date, rows: list[dict], summary: dict) -> None:
    """Make the month's snapshots exactly ``rows`` and upsert its summary, in one transaction."""
    with store.write() as conn:
        keep = {r["provider"] for r in rows}
        conn.execute(
            delete(provider_snapshots).where(
                provider_snapshots.c.month == month, provider_snapshots.c.provider.not_in(keep or {""})
            )
        )
        if rows:
            stmt = store.insert(provider_snapshots).values(rows)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[provider_snapshots.c.month, provider_snapshots.c.provider],
                    set_={c: stmt.excluded[c] for c in SNAPSHOT_COLUMNS},
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
    with store.write() as conn:
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
