"""Who may do what: identities mapped to scraper-run user ids, the record of who did what, and password sign-ins
(issue 13).

Tables defined here register on ``core.store.schema.metadata``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Column, Index, Integer, String, Table, Text, delete, insert, select, update

from core.periods import utc_now
from core.store.schema import metadata
from core.store.types import UTCDateTime

if TYPE_CHECKING:  # core.store.db imports the schema, which imports this module
    from core.store.db import Store

# A signed-in identity (lower-case email) -> the scraper-run user ids that are that person's runs.
identity_owners = Table(
    "identity_owners",
    metadata,
    Column("email", String(320), primary_key=True),
    Column("user_id", String(128), primary_key=True),
    Column("added_by", String(320), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
)

# Every collect, send, back-fill, reconcile and settings change: who, when, from where, and how it ended.
action_log = Table(
    "action_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(320), nullable=False),  # an email, "password holder", or "user@host" for the CLI
    Column("via", String(8), nullable=False),  # web | cli
    Column("action", String(32), nullable=False),  # collect | send | backfill | reconcile | settings
    Column("detail", Text),  # small JSON object: the month, days, what changed
    Column("outcome", String(32)),  # NULL while it runs; ok | partial | failed
    Column("finished_at", UTCDateTime),
)
Index("ix_action_log_at", action_log.c.at)

# Password sign-ins, so that signing out ends one for good (the cookie only carries the id, signed). The id is
# stored hashed: the table alone lets nobody in.
sign_in_sessions = Table(
    "sign_in_sessions",
    metadata,
    Column("sid_hash", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),  # password
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
)
Index("ix_sign_in_sessions_expires", sign_in_sessions.c.expires_at)


@dataclass(frozen=True)
class ActionRecord:
    id: int
    at: datetime
    actor: str
    via: str
    action: str
    detail: dict
    outcome: str | None
    finished_at: datetime | None


# --- identities -> scraper-run user ids -------------------------------------------------------------------------


def owners_of(store: Store, email: str) -> tuple[str, ...]:
    """The scraper-run user ids mapped to ``email`` (sorted; empty when none is)."""
    q = select(identity_owners.c.user_id).where(identity_owners.c.email == email.strip().lower())
    with store.engine.connect() as conn:
        return tuple(sorted(conn.execute(q).scalars()))


def owner_map(store: Store) -> dict[str, tuple[str, ...]]:
    """Every mapped identity with its user ids, by email."""
    out: dict[str, list[str]] = {}
    q = select(identity_owners.c.email, identity_owners.c.user_id).order_by(
        identity_owners.c.email, identity_owners.c.user_id
    )
    with store.engine.connect() as conn:
        for email, user_id in conn.execute(q):
            out.setdefault(email, []).append(user_id)
    return {email: tuple(ids) for email, ids in out.items()}


def set_owners(store: Store, email: str, user_ids: Iterable[str], *, by: str) -> tuple[str, ...]:
    """Make ``user_ids`` exactly the ids mapped to ``email`` (an empty list removes the person). Returns them."""
    email = email.strip().lower()
    ids = tuple(sorted({u.strip() for u in user_ids if u.strip()}))
    now = utc_now()
    with store.engine.begin() as conn:
        conn.execute(delete(identity_owners).where(identity_owners.c.email == email))
        if ids:
            conn.execute(
                insert(identity_owners),
                [{"email": email, "user_id": u, "added_by": by, "added_at": now} for u in ids],
            )
    return ids


# --- who did what ------------------------------------------------------------------------------------------------


def record_action(
    store: Store,
    *,
    actor: str,
    via: str,
    action: str,
    detail: dict | None,
    at: datetime,
    outcome: str,
) -> None:
    """Record that ``actor`` did ``action`` (started ``at``, finished now, with ``outcome``)."""
    row = {
        "at": at,
        "finished_at": utc_now(),
        "actor": actor[:320],
        "via": via,
        "action": action,
        "detail": json.dumps(detail or {}, default=str, sort_keys=True)[:2000],
        "outcome": outcome[:32],
    }
    with store.engine.begin() as conn:
        conn.execute(insert(action_log).values(**row))


def recent_actions(store: Store, limit: int = 20) -> list[ActionRecord]:
    """The latest entries, newest first."""
    q = select(action_log).order_by(action_log.c.at.desc(), action_log.c.id.desc()).limit(limit)
    with store.engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return [
        ActionRecord(
            id=r["id"],
            at=r["at"],
            actor=r["actor"],
            via=r["via"],
            action=r["action"],
            detail=json.loads(r["detail"] or "{}"),
            outcome=r["outcome"],
            finished_at=r["finished_at"],
        )
        for r in rows
    ]


# --- password sign-ins -------------------------------------------------------------------------------------------


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def open_session(store: Store, sid: str, *, kind: str, lifetime: timedelta, now: datetime | None = None) -> None:
    """Remember a new sign-in (and forget sign-ins that expired more than a day ago)."""
    now = now or utc_now()
    with store.engine.begin() as conn:
        conn.execute(delete(sign_in_sessions).where(sign_in_sessions.c.expires_at < now - timedelta(days=1)))
        conn.execute(
            insert(sign_in_sessions).values(
                sid_hash=_hash(sid), kind=kind, created_at=now, expires_at=now + lifetime, ended_at=None
            )
        )


def session_alive(store: Store, sid: str, now: datetime | None = None) -> bool:
    """Whether the sign-in exists, has not expired and was not signed out."""
    now = now or utc_now()
    q = select(sign_in_sessions.c.expires_at, sign_in_sessions.c.ended_at).where(
        sign_in_sessions.c.sid_hash == _hash(sid)
    )
    with store.engine.connect() as conn:
        row = conn.execute(q).first()
    return row is not None and row.ended_at is None and row.expires_at > now


def end_session(store: Store, sid: str, now: datetime | None = None) -> None:
    """Sign out: the sign-in stops working everywhere its cookie was copied to."""
    with store.engine.begin() as conn:
        conn.execute(
            update(sign_in_sessions)
            .where(sign_in_sessions.c.sid_hash == _hash(sid), sign_in_sessions.c.ended_at.is_(None))
            .values(ended_at=now or utc_now())
        )
