"""Stored reconciliation results, so pages show the last check without calling the providers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from core.periods import utc_now
from core.store.db import Store
from core.store.schema import reconciliations


def save_reconciliations(store: Store, rows: Sequence) -> None:
    if not rows:
        return
    now = utc_now()
    values = [
        {
            "month": r.month,
            "provider": r.provider,
            "spendboard_usd": r.spendboard_usd,
            "provider_usd": r.provider_usd,
            "drift_usd": r.drift_usd,
            "drift_percent": r.drift_percent,
            "status": r.status,
            "source": r.source,
            "note": r.note,
            "checked_at": now,
        }
        for r in rows
    ]
    with store.engine.begin() as conn:
        stmt = store.insert(reconciliations).values(values)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[reconciliations.c.month, reconciliations.c.provider],
                set_={c: stmt.excluded[c] for c in values[0] if c not in ("month", "provider")},
            )
        )


def load_reconciliations(store: Store, month: date) -> dict[str, object]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(reconciliations).where(reconciliations.c.month == month)).all()
    return {r.provider: r for r in rows}
