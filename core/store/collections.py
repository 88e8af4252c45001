"""The record of collections: one row per collection run, and each provider's last status."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from core.periods import utc_now
from core.store.db import Store
from core.store.schema import collection_runs, provider_status

INTERRUPTED = "interrupted"  # a collection whose process died before it finished


def start_run(store: Store, month: date) -> int:
    """Record a collection starting. It runs under the collection lock (``core.locks``), so any earlier run still
    marked running was interrupted (its process was killed): it is marked so, instead of "running" forever."""
    with store.engine.begin() as conn:
        conn.execute(
            collection_runs.update()
            .where(collection_runs.c.status == "running")
            .values(status=INTERRUPTED, finished_at=utc_now())
        )
        result = conn.execute(collection_runs.insert().values(month=month, started_at=utc_now(), status="running"))
        return result.inserted_primary_key[0]


def finish_run(store: Store, run_id: int, status: str, providers: dict[str, dict]) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            collection_runs.update()
            .where(collection_runs.c.id == run_id)
            .values(finished_at=utc_now(), status=status, providers=providers)
        )


def set_status(store: Store, provider: str, status: str, error: str | None, when: datetime) -> None:
    """Record a provider's latest outcome; ``succeeded_at`` only moves on success."""
    row = {
        "provider": provider,
        "status": status,
        "error": error,
        "attempted_at": when,
        "succeeded_at": when if status == "ok" else None,
    }
    update = {"status": status, "error": error, "attempted_at": when}
    if status == "ok":
        update["succeeded_at"] = when
    with store.engine.begin() as conn:
        stmt = store.insert(provider_status).values(row)
        conn.execute(stmt.on_conflict_do_update(index_elements=[provider_status.c.provider], set_=update))


def last_run(store: Store):
    """The most recent collection (running or finished), or None."""
    with store.engine.connect() as conn:
        return conn.execute(select(collection_runs).order_by(collection_runs.c.id.desc()).limit(1)).first()


def statuses(store: Store) -> dict:
    with store.engine.connect() as conn:
        return {r.provider: r for r in conn.execute(select(provider_status))}
