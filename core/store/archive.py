"""The Notion archive's SQL state: which Notion page holds which (data source, month, provider), the months not yet
archived, and the last sync (one sync at a time is ``core.locks``' job)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select, update

from core.periods import utc_now
from core.store.db import Store
from core.store.schema import notion_pages, notion_pending, notion_sync_state

SUMMARY = ""  # the provider key of a month's summary page


@dataclass(frozen=True)
class Pending:
    month: date
    generation: int
    since: datetime
    attempts: int
    last_error: str | None
    last_attempt_at: datetime | None


def page_ids(store: Store, source_id: str, month: date) -> dict[str, str]:
    """``{provider (or SUMMARY): page id}`` of a month in one data source."""
    q = select(notion_pages.c.provider, notion_pages.c.page_id).where(
        notion_pages.c.data_source_id == source_id, notion_pages.c.month == month
    )
    with store.engine.connect() as conn:
        return {r.provider: r.page_id for r in conn.execute(q)}


def remember_page(store: Store, source_id: str, month: date, provider: str, page_id: str) -> None:
    row = {"data_source_id": source_id, "month": month, "provider": provider, "page_id": page_id}
    stmt = store.insert(notion_pages).values(**row, synced_at=utc_now())
    with store.engine.begin() as conn:
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[notion_pages.c.data_source_id, notion_pages.c.month, notion_pages.c.provider],
                set_={"page_id": stmt.excluded.page_id, "synced_at": stmt.excluded.synced_at},
            )
        )


def forget_page(store: Store, source_id: str, month: date, provider: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            delete(notion_pages).where(
                notion_pages.c.data_source_id == source_id,
                notion_pages.c.month == month,
                notion_pages.c.provider == provider,
            )
        )


def mark_pending(store: Store, months: Iterable[date]) -> None:
    """Remember months to archive; a month already pending keeps its ``since`` but gets a new generation."""
    rows = [{"month": m, "since": utc_now(), "generation": 1, "attempts": 0} for m in sorted(set(months))]
    if not rows:
        return
    stmt = store.insert(notion_pending).values(rows)
    with store.engine.begin() as conn:
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[notion_pending.c.month], set_={"generation": notion_pending.c.generation + 1}
            )
        )


def pending(store: Store) -> list[Pending]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(notion_pending).order_by(notion_pending.c.month)).all()
    return [Pending(r.month, r.generation, r.since, r.attempts, r.last_error, r.last_attempt_at) for r in rows]


def archived(store: Store, item: Pending) -> None:
    """Clear a month, unless it was requested again while it was being sent (then the next round sends it)."""
    with store.engine.begin() as conn:
        conn.execute(
            delete(notion_pending).where(
                notion_pending.c.month == item.month, notion_pending.c.generation == item.generation
            )
        )


def failed(store: Store, months: Iterable[date], error: str) -> None:
    months = list(months)
    if not months:
        return
    with store.engine.begin() as conn:
        conn.execute(
            update(notion_pending)
            .where(notion_pending.c.month.in_(months))
            .values(attempts=notion_pending.c.attempts + 1, last_error=error[:2000], last_attempt_at=utc_now())
        )


def _ensure_state_row(conn, store: Store) -> None:
    conn.execute(store.insert(notion_sync_state).values(id=1).on_conflict_do_nothing(index_elements=["id"]))


def record_attempt(store: Store, error: str | None) -> None:
    """The outcome of a sync: ``error`` None means nothing is left pending."""
    now = utc_now()
    values = {"last_attempt_at": now, "last_error": error[:2000] if error else None}
    if error is None:
        values["last_sync_at"] = now
    with store.engine.begin() as conn:
        _ensure_state_row(conn, store)
        conn.execute(update(notion_sync_state).where(notion_sync_state.c.id == 1).values(**values))


def read_state(store: Store):
    with store.engine.connect() as conn:
        return conn.execute(select(notion_sync_state).where(notion_sync_state.c.id == 1)).first()
