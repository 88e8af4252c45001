"""Numbered schema migrations: ``MIGRATIONS[n]`` upgrades a database from version n-1 to n, once, inside the
upgrade's transaction (under an advisory lock on PostgreSQL). Additive changes need none (``core.store.db``)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
)

from core.models import REQUESTS
from core.store import ledger
from core.store.schema import daily_costs, daily_totals, data_version
from core.store.types import Money, UTCDateTime

_BATCH = 5000


def _v2_one_ledger(conn: Connection) -> None:
    """The spend ledger: line items keyed by a hash of their full text (no truncation, no merging), an owner and a
    count unit on every line, exact quantities, Apify's lines built from its runs, and the per-day rollup."""
    inspector = inspect(conn)
    present = {c["name"] for c in inspector.get_columns("daily_costs")}
    conn.execute(text("ALTER TABLE daily_costs RENAME TO daily_costs_v1"))
    # The new constraint and index names differ from the old ones (PostgreSQL keeps index names schema-wide).
    daily_costs.create(conn)
    daily_totals.create(conn, checkfirst=True)
    data_version.create(conn, checkfirst=True)
    old = Table(
        "daily_costs_v1",
        MetaData(),
        Column("id", Integer),
        Column("provider", String),
        Column("day", Date),
        Column("line_item", Text),
        Column("model", Text),
        Column("cost_usd", Money),
        Column("requests", BigInteger),
        Column("cost_source", String),
        Column("collected_at", UTCDateTime),
        *[Column(name, String) for name in ("quantity", "unit") if name in present],
    )
    last_id = 0
    while True:
        rows = conn.execute(select(old).where(old.c.id > last_id).order_by(old.c.id).limit(_BATCH)).mappings().all()
        if not rows:
            break
        conn.execute(
            daily_costs.insert(),
            [
                {
                    "provider": r["provider"],
                    "day": r["day"],
                    "item_key": ledger.item_key(r["line_item"], sample=r["cost_source"] == "demo"),
                    "line_item": r["line_item"],
                    "model": r["model"],
                    "owner": "",
                    "count_unit": REQUESTS,
                    "cost_usd": r["cost_usd"],
                    "requests": r["requests"],
                    "cost_source": r["cost_source"],
                    "collected_at": r["collected_at"],
                    "quantity": r.get("quantity"),
                    "unit": r.get("unit"),
                }
                for r in rows
            ],
        )
        last_id = rows[-1]["id"]
    conn.execute(text("DROP TABLE daily_costs_v1"))
    ledger.rebuild_run_lines(conn)
    ledger.refresh_totals(conn, None, None, None)
    if "ix_scraper_runs_created_cost" in {i["name"] for i in inspector.get_indexes("scraper_runs")}:
        conn.execute(text("DROP INDEX ix_scraper_runs_created_cost"))
    if "note" in {c["name"] for c in inspector.get_columns("provider_status")}:  # never written
        conn.execute(text('ALTER TABLE provider_status DROP COLUMN "note"'))
    for column in ("lock_owner", "lock_expires_at"):  # the Notion lease, replaced by core.locks
        if column in {c["name"] for c in inspector.get_columns("notion_sync_state")}:
            conn.execute(text(f'ALTER TABLE notion_sync_state DROP COLUMN "{column}"'))


# version -> function(connection) upgrading from version-1
MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _v2_one_ledger}
