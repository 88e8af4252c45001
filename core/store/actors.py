"""Names of Apify actors and tasks, kept so pages show names instead of ids (issue 12).

``remember(store_or_conn, labels)`` stores what a collection found (``Provider.names``: id -> ``Label`` or plain
display string), updating names that changed; ``fresh(store, max_age)`` lists the ids looked up recently;
``names(store)`` gives ``{id: display}`` for every id known; ``unknown(store, ids)`` says which ids have no name yet.

Tables defined here register on ``core.store.schema.metadata``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Column, Connection, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from core.periods import utc_now
from core.providers.contract import Label
from core.store.schema import metadata
from core.store.types import UTCDateTime

if TYPE_CHECKING:  # core.store.db imports the schema, which imports this module
    from core.store.db import Store

actor_names = Table(
    "actor_names",
    metadata,
    Column("id", String(128), primary_key=True),  # the Apify id (actId or actorTaskId)
    Column("kind", String(16), nullable=False),  # actor | task
    Column("name", String(256), nullable=False),  # the technical name ("instagram-scraper")
    Column("title", String(256)),  # the human title, when it has one
    Column("fetched_at", UTCDateTime, nullable=False),
)


def remember(store_or_conn: Store | Connection, labels: Mapping[str, str]) -> int:
    """Store (or update) the names in ``labels``; returns how many were written. A plain string is an actor's
    name; a ``Label`` says its kind, name and title."""
    now = utc_now()
    rows = [_row(object_id, label, now) for object_id, label in labels.items() if object_id and label]
    if not rows:
        return 0
    if isinstance(store_or_conn, Connection):
        return _upsert(store_or_conn, rows)
    with store_or_conn.engine.begin() as conn:
        return _upsert(conn, rows)


def names(store: Store) -> dict[str, str]:
    """``{id: display name}`` (the title when there is one, else the name) of every id known."""
    query = select(actor_names.c.id, actor_names.c.name, actor_names.c.title)
    with store.engine.connect() as conn:
        return {row.id: row.title or row.name for row in conn.execute(query)}


def fresh(store: Store, max_age: timedelta) -> set[str]:
    """The ids whose name was stored (looked up or confirmed) less than ``max_age`` ago: no need to ask again."""
    query = select(actor_names.c.id).where(actor_names.c.fetched_at >= utc_now() - max_age)
    with store.engine.connect() as conn:
        return set(conn.execute(query).scalars())


def unknown(store: Store, ids: Iterable[str]) -> list[str]:
    """The ids among ``ids`` that have no name stored yet, sorted."""
    wanted = set(ids)
    if not wanted:
        return []
    query = select(actor_names.c.id).where(actor_names.c.id.in_(sorted(wanted)))
    with store.engine.connect() as conn:
        known = {row.id for row in conn.execute(query)}
    return sorted(wanted - known)


def _row(object_id: str, label: str, now) -> dict:
    if isinstance(label, Label):
        return {"id": object_id, "kind": label.kind, "name": label.name, "title": label.title, "fetched_at": now}
    return {"id": object_id, "kind": "actor", "name": str(label), "title": None, "fetched_at": now}


def _upsert(conn: Connection, rows: list[dict]) -> int:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(actor_names)
    stmt = stmt.on_conflict_do_update(
        index_elements=[actor_names.c.id], set_={c: stmt.excluded[c] for c in ("kind", "name", "title", "fetched_at")}
    )
    conn.execute(stmt, rows)
    return len(rows)
