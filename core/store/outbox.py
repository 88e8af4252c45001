"""The email outbox: each message stored before its first attempt, so a retry sends exactly it (issue 12).

One row per message, keyed by its idempotency key. The content never changes once an attempt began; the row
records each attempt and its outcome (``core.outbox`` decides what they mean).

Tables defined here register on ``core.store.schema.metadata``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text, func, select, update

from core.store.schema import metadata
from core.store.types import UTCDateTime

if TYPE_CHECKING:  # core.store.db imports the schema, which imports this module
    from core.store.db import Store

outbox = Table(
    "outbox",
    metadata,
    Column("key", String(256), primary_key=True),  # the Idempotency-Key sent to Resend
    Column("kind", String(32), nullable=False),  # report | alert | ...
    Column("recipients", JSON, nullable=False),  # ["ana@example.com", ...]
    Column("subject", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("tags", JSON, nullable=False),  # [["report", "monthly"], ...]
    Column("meta", JSON, nullable=False),  # what the sender remembers with it, e.g. {"month": ..., "total_usd": ...}
    Column("sender", Text),  # the From address of the first attempt; every retry repeats it
    Column("created_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("first_attempt_at", UTCDateTime),
    Column("last_attempt_at", UTCDateTime),
    Column("unconfirmed_since", UTCDateTime),  # an attempt got no usable answer: it may have been delivered
    Column("sent_at", UTCDateTime),  # Resend accepted it
    Column("email_id", String(128)),
    Column("last_error", Text),
)
Index("ix_outbox_kind_created", outbox.c.kind, outbox.c.created_at)

CONTENT = ("kind", "recipients", "subject", "html", "text", "tags", "meta")


def add(store: Store, row: dict) -> None:
    """Insert a message unless one with its key exists (then nothing changes)."""
    stmt = store.insert(outbox).values(**row, attempts=0).on_conflict_do_nothing(index_elements=[outbox.c.key])
    with store.engine.begin() as conn:
        conn.execute(stmt)


def replace_unattempted(store: Store, row: dict) -> bool:
    """Replace a message's content, only while no attempt to send it ever began. True if replaced."""
    with store.engine.begin() as conn:
        result = conn.execute(
            update(outbox)
            .where(outbox.c.key == row["key"], outbox.c.attempts == 0)
            .values({c: row[c] for c in CONTENT} | {"created_at": row["created_at"]})
        )
    return result.rowcount == 1


def get(store: Store, key: str):
    with store.engine.connect() as conn:
        return conn.execute(select(outbox).where(outbox.c.key == key)).first()


def unfinished(store: Store, key_prefix: str) -> list:
    """Messages whose key starts with ``key_prefix``, attempted but never confirmed sent, oldest first."""
    escaped = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    with store.engine.connect() as conn:
        return conn.execute(
            select(outbox)
            .where(outbox.c.key.like(f"{escaped}%", escape="\\"), outbox.c.sent_at.is_(None), outbox.c.attempts > 0)
            .order_by(outbox.c.created_at)
        ).all()


def begin_attempt(store: Store, key: str, sender: str, now: datetime) -> None:
    """Record that an attempt starts now, before the request leaves: a process killed while waiting for the
    answer leaves the message marked as possibly delivered."""
    with store.engine.begin() as conn:
        conn.execute(
            update(outbox)
            .where(outbox.c.key == key)
            .values(
                attempts=outbox.c.attempts + 1,
                first_attempt_at=func.coalesce(outbox.c.first_attempt_at, now),
                last_attempt_at=now,
                sender=func.coalesce(outbox.c.sender, sender),
                unconfirmed_since=func.coalesce(outbox.c.unconfirmed_since, now),
            )
        )


def record_sent(store: Store, key: str, email_id: str, now: datetime) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            update(outbox)
            .where(outbox.c.key == key)
            .values(sent_at=now, email_id=email_id[:128], unconfirmed_since=None, last_error=None)
        )


def record_failure(store: Store, key: str, error: str, *, delivered_maybe: bool) -> None:
    """An attempt failed. Unless it may have been delivered (no usable answer), Resend refused it outright and
    no email went out with this key."""
    values: dict = {"last_error": error[:2000]}
    if not delivered_maybe:
        values["unconfirmed_since"] = None
    with store.engine.begin() as conn:
        conn.execute(update(outbox).where(outbox.c.key == key).values(**values))
