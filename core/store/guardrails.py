"""Budgets and the alerts already raised (issue 14): their tables and every query on them.

Tables defined here register on ``core.store.schema.metadata``. An alert row is written *before* anything is
sent, keyed by what it is about (``budget/total/2026-10/80``), so a second check never raises it again; each
channel keeps its own state, and a check claims a row for a few minutes before sending so that two checks
running at once never both send it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Column, Index, Integer, String, Table, Text, delete, or_, select, update

from core.periods import utc_now
from core.store.schema import metadata
from core.store.types import Money, UTCDateTime

if TYPE_CHECKING:  # core.store.db imports the schema, which imports this module
    from core.store.db import Store

CLAIM = timedelta(minutes=5)  # a check that died mid-send frees its alerts after this long

budgets = Table(
    "budgets",
    metadata,
    Column("scope", String(32), primary_key=True),  # "total" or a provider name
    Column("monthly_usd", Money, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("key", String(200), primary_key=True),  # budget/<scope>/<YYYY-MM>/<pct> | forecast/... | anomaly/...
    Column("kind", String(16), nullable=False),  # budget | forecast | anomaly
    Column("scope", String(32), nullable=False),  # total | a provider
    Column("period", String(10), nullable=False),  # YYYY-MM (budget, forecast) or YYYY-MM-DD (anomaly)
    Column("threshold", Integer),  # 50 | 80 | 100 for budget alerts
    Column("amount_usd", Money, nullable=False),  # the spend (or forecast) that raised it
    Column("reference_usd", Money, nullable=False),  # the budget (or the anomaly's baseline)
    Column("status", String(16), nullable=False),  # pending | sent | failed | covered | silent
    Column("email_state", String(16)),  # NULL (no email channel) | pending | sent | failed
    Column("email_id", String(128)),
    Column("webhook_state", String(16)),  # NULL (no webhook) | pending | sent | failed
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("raised_at", UTCDateTime, nullable=False),
    Column("last_attempt_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("claimed_until", UTCDateTime),
)
Index("ix_alerts_status_raised", alerts.c.status, alerts.c.raised_at)

PENDING, SENT, FAILED, COVERED, SILENT = "pending", "sent", "failed", "covered", "silent"


# ---------------------------------------------------------------- budgets


def save_budget(store: Store, scope: str, monthly_usd: Decimal) -> None:
    """Set (or replace) one scope's monthly budget."""
    with store.write() as conn:  # the forecast card shows budgets: cached figures must move
        stmt = store.insert(budgets).values(scope=scope, monthly_usd=monthly_usd, updated_at=utc_now())
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[budgets.c.scope],
                set_={"monthly_usd": stmt.excluded.monthly_usd, "updated_at": stmt.excluded.updated_at},
            )
        )


def delete_budget(store: Store, scope: str) -> bool:
    """Remove one scope's budget; False when it had none."""
    with store.write() as conn:  # the forecast card shows budgets: cached figures must move
        return conn.execute(delete(budgets).where(budgets.c.scope == scope)).rowcount > 0


def load_budgets(store: Store) -> dict[str, Decimal]:
    """Every budget: ``{scope: monthly USD}``."""
    with store.engine.connect() as conn:
        return {r.scope: r.monthly_usd for r in conn.execute(select(budgets.c.scope, budgets.c.monthly_usd))}


# ---------------------------------------------------------------- alerts


@dataclass(frozen=True)
class AlertRow:
    key: str
    kind: str
    scope: str
    period: str
    threshold: int | None
    amount_usd: Decimal
    reference_usd: Decimal
    status: str
    email_state: str | None
    email_id: str | None
    webhook_state: str | None
    attempts: int
    last_error: str | None
    raised_at: datetime
    sent_at: datetime | None


def _row(r) -> AlertRow:
    return AlertRow(**{f: getattr(r, f) for f in AlertRow.__dataclass_fields__})


def insert_alerts(store: Store, rows: Sequence[dict]) -> set[str]:
    """Record alerts not recorded yet (``key``, ``kind``, ``scope``, ``period``, ``threshold``, ``amount_usd``,
    ``reference_usd``, ``status``, ``email_state``, ``webhook_state``); returns the keys this call inserted."""
    if not rows:
        return set()
    now = utc_now()
    inserted: set[str] = set()
    with store.engine.begin() as conn:
        for row in rows:
            stmt = store.insert(alerts).values(**row, attempts=0, raised_at=now)
            if conn.execute(stmt.on_conflict_do_nothing(index_elements=[alerts.c.key])).rowcount:
                inserted.add(row["key"])
    return inserted


def load_alerts(store: Store, keys: Iterable[str]) -> dict[str, AlertRow]:
    keys = list(keys)
    if not keys:
        return {}
    with store.engine.connect() as conn:
        rows = conn.execute(select(alerts).where(alerts.c.key.in_(keys))).all()
    return {r.key: _row(r) for r in rows}


def undelivered(store: Store, since: datetime) -> list[AlertRow]:
    """Alerts raised since ``since`` that some channel has not delivered yet (oldest first)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(alerts)
            .where(alerts.c.status.in_((PENDING, FAILED)), alerts.c.raised_at >= since)
            .order_by(alerts.c.raised_at, alerts.c.key)
        ).all()
    return [_row(r) for r in rows]


def recent_alerts(store: Store, limit: int = 20) -> list[AlertRow]:
    """The latest alerts (newest first), for the settings page."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(alerts).where(alerts.c.status != COVERED).order_by(alerts.c.raised_at.desc()).limit(limit)
        ).all()
    return [_row(r) for r in rows]


def claim(store: Store, key: str) -> bool:
    """Take an undelivered alert for sending; False when it is delivered or another check holds it."""
    now = utc_now()
    with store.engine.begin() as conn:
        result = conn.execute(
            update(alerts)
            .where(
                alerts.c.key == key,
                alerts.c.status.in_((PENDING, FAILED)),
                or_(alerts.c.claimed_until.is_(None), alerts.c.claimed_until < now),
            )
            .values(claimed_until=now + CLAIM)
        )
        return result.rowcount == 1


def finish(
    store: Store,
    key: str,
    *,
    email_state: str | None,
    email_id: str | None,
    webhook_state: str | None,
    error: str | None,
) -> AlertRow:
    """Record one delivery attempt's outcome and release the claim."""
    states = [s for s in (email_state, webhook_state) if s is not None]
    status = FAILED if FAILED in states else SENT if states else SILENT  # SILENT: every channel switched off
    now = utc_now()
    with store.engine.begin() as conn:
        conn.execute(
            update(alerts)
            .where(alerts.c.key == key)
            .values(
                status=status,
                email_state=email_state,
                email_id=email_id,
                webhook_state=webhook_state,
                attempts=alerts.c.attempts + 1,
                last_error=error,
                last_attempt_at=now,
                sent_at=now if status == SENT else None,
                claimed_until=None,
            )
        )
        return _row(conn.execute(select(alerts).where(alerts.c.key == key)).one())
