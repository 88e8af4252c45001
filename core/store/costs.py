"""Daily cost lines of the LLM providers (Apify's spend lives in ``scraper_runs``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, delete, select

from core.models import DailyCost
from core.periods import utc_now
from core.store.db import Store
from core.store.schema import daily_costs

_BATCH = 500


def replace_lines(
    store: Store, conn: Connection, provider: str, first: date, last: date, lines: Sequence[DailyCost]
) -> int:
    """Make the stored lines of ``provider`` between two inclusive days exactly ``lines``.

    Upsert on ``(provider, day, line_item)``, and delete lines of those days the provider no longer reports
    (a restated day can drop a line). Runs inside the caller's transaction, so a failed collection changes nothing.
    """
    if provider == "apify":
        raise ValueError("Apify spend is stored as scraper runs, not daily lines")
    bad = [line for line in lines if line.provider != provider or not first <= line.day <= last]
    if bad:
        raise ValueError(f"line {bad[0].day} {bad[0].line_item!r} is outside {provider} {first}..{last}")
    now = utc_now()
    rows = [
        {
            "provider": line.provider,
            "day": line.day,
            "line_item": line.line_item[:512],
            "model": line.model[:256] if line.model else None,
            "cost_usd": line.cost_usd,
            "requests": line.requests,
            "cost_source": line.cost_source,
            "collected_at": now,
            "quantity": None if line.quantity is None else format(line.quantity, "f"),
            "unit": line.unit,
        }
        for line in lines
    ]
    keep = {(r["day"], r["line_item"]) for r in rows}
    existing = conn.execute(
        select(daily_costs.c.id, daily_costs.c.day, daily_costs.c.line_item).where(
            daily_costs.c.provider == provider, daily_costs.c.day.between(first, last)
        )
    ).all()
    stale = [row.id for row in existing if (row.day, row.line_item) not in keep]
    for i in range(0, len(stale), _BATCH):
        conn.execute(delete(daily_costs).where(daily_costs.c.id.in_(stale[i : i + _BATCH])))
    for i in range(0, len(rows), _BATCH):
        stmt = store.insert(daily_costs).values(rows[i : i + _BATCH])
        columns = ("model", "cost_usd", "requests", "cost_source", "collected_at", "quantity", "unit")
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[daily_costs.c.provider, daily_costs.c.day, daily_costs.c.line_item],
                set_={c: stmt.excluded[c] for c in columns},
            )
        )
    return len(rows)


def lines_between(store: Store, first: date, last: date, provider: str | None = None) -> list[DailyCost]:
    where = [daily_costs.c.day.between(first, last)]
    if provider:
        where.append(daily_costs.c.provider == provider)
    q = select(daily_costs).where(*where).order_by(daily_costs.c.provider, daily_costs.c.day, daily_costs.c.line_item)
    with store.engine.connect() as conn:
        return [
            DailyCost(
                r.provider,
                r.day,
                r.line_item,
                r.model,
                r.cost_usd,
                r.requests,
                r.cost_source,
                None if r.quantity is None else Decimal(r.quantity),
                r.unit,
            )
            for r in conn.execute(q)
        ]
