"""Locks held in the database, so one collection, back-fill or send runs at a time across processes (issue 10).

The mutual exclusion itself is a PostgreSQL advisory lock or, on SQLite, a file lock (``core.locks``); the
``locks`` table only says who holds each lock and since when, for messages and the status shown in the app. A
row may outlive a killed holder: ``core.locks.holder`` trusts it only while the lock itself is held.

Tables defined here register on ``core.store.schema.metadata``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Column, Integer, String, Table, delete, select, text

from core.store.schema import metadata
from core.store.types import UTCDateTime

if TYPE_CHECKING:  # core.store.db imports the schema, which imports this module
    from core.store.db import Store

locks = Table(
    "locks",
    metadata,
    Column("name", String(64), primary_key=True),  # collection | report-email | notion-sync
    Column("token", String(32), nullable=False),  # this holding (a new one each time the lock is taken)
    Column("activity", String(64), nullable=False),  # "collection", "Apify back-fill"...
    Column("holder", String(200), nullable=False),  # "python -m core collect", "the app"...
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
)


def record(store: Store, row: dict) -> None:
    """Say who holds ``row["name"]`` now (the caller holds the lock itself)."""
    stmt = store.insert(locks).values(**row)
    with store.engine.begin() as conn:
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[locks.c.name], set_={c: stmt.excluded[c] for c in row if c != "name"}
            )
        )


def clear(store: Store, name: str, token: str) -> None:
    """Forget a holding, unless someone else's has replaced it."""
    with store.engine.begin() as conn:
        conn.execute(delete(locks).where(locks.c.name == name, locks.c.token == token))


def read(store: Store, name: str):
    with store.engine.connect() as conn:
        return conn.execute(select(locks).where(locks.c.name == name)).first()


def advisory_held(store: Store, key: tuple[int, int]) -> bool:
    """PostgreSQL: is the two-key advisory lock ``key`` held by some session of this database right now?"""
    query = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2"
        " AND classid = :a AND objid = :b"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with store.engine.connect() as conn:
        return bool(conn.execute(query, {"a": key[0], "b": key[1]}).scalar())
