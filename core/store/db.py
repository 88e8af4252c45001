"""The SQL store: one SQLAlchemy code path for SQLite and PostgreSQL (the URL decides).

Schema changes: the schema is created or upgraded on start, in one transaction (under an advisory lock on Postgres).
Additive changes need no code: new tables, new indexes and new *nullable* columns are added to an existing
database. Anything else (a type change, a backfill, a dropped column) bumps ``SCHEMA_VERSION`` and adds
``MIGRATIONS[n]``, a function run once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from core.errors import StoreError
from core.store.migrations import MIGRATIONS
from core.store.schema import SCHEMA_VERSION, data_version, metadata, schema_version

_LOCK_ID = 0x5BE2D  # pg advisory lock key for schema changes


class Store:
    """Holds the engine; query functions live in ``core.store.runs`` / ``spend`` / ``ledger`` / ...

    ``write()`` is the transaction every write goes through: it bumps the data version, which caches are keyed by
    (``cache_key`` reads it: one primary-key lookup), so a write made anywhere shows on every app instance at once.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name
        self.identity = engine.url.render_as_string(hide_password=True)

    def insert(self, table):
        """A dialect insert supporting ``on_conflict_do_update`` (portable upsert)."""
        return (postgresql if self.dialect == "postgresql" else sqlite).insert(table)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction that also moves the data version (committed together, or neither)."""
        with self.engine.begin() as conn:
            yield conn
            bump_version(conn)

    def version(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(data_version.c.version).where(data_version.c.id == 1)).scalar() or 0

    def cache_key(self) -> tuple[str, int]:
        """What a cached figure read from this store depends on: which database, and its data version now."""
        return self.identity, self.version()

    def dispose(self) -> None:
        self.engine.dispose()


def bump_version(conn: Connection) -> None:
    conn.execute(update(data_version).where(data_version.c.id == 1).values(version=data_version.c.version + 1))


def open_store(database_url: str, *, migrate: bool = True) -> Store:
    """Create the engine (and the SQLite directory), then create or upgrade the schema."""
    try:
        engine = _create_engine(database_url)
        store = Store(engine)
        if migrate:
            upgrade(store)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the database: {_safe(exc)}; check DATABASE_URL") from None
    return store


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[1] if url.startswith("sqlite:///") else ""
        if path and not path.startswith(":memory:"):
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON", "synchronous=NORMAL"):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        return engine
    # timestamptz values and date() buckets follow the session time zone: pin it to UTC.
    return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c timezone=UTC", "connect_timeout": 10})


def upgrade(store: Store) -> None:
    """Create or upgrade the schema; safe when two processes start at once."""
    for attempt in range(3):
        try:
            return _upgrade_once(store)
        except SQLAlchemyError:  # SQLite: another process created the same table between check and create
            if attempt == 2:
                raise


def _upgrade_once(store: Store) -> None:
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_ID})
        current = None
        if inspect(conn).has_table(schema_version.name):
            current = conn.execute(select(schema_version.c.version)).scalar()
        if current is not None and current > SCHEMA_VERSION:
            raise StoreError(
                f"the database has schema version {current}, newer than this Spendboard ({SCHEMA_VERSION}); upgrade it"
            )
        if current is not None:
            for version in range(current + 1, SCHEMA_VERSION + 1):  # numbered migrations first, in order
                MIGRATIONS[version](conn)
        metadata.create_all(conn, checkfirst=True)
        _add_missing_columns(conn)
        if current is None:
            conn.execute(insert(schema_version).values(version=SCHEMA_VERSION))
        elif current < SCHEMA_VERSION:
            conn.execute(schema_version.update().values(version=SCHEMA_VERSION))
        if conn.execute(select(data_version.c.id)).first() is None:
            conn.execute(insert(data_version).values(id=1, version=1))


def _add_missing_columns(conn: Connection) -> None:
    """Add the nullable columns, then the indexes, a table gained since the database was created (``create_all``
    only adds whole tables)."""
    inspector = inspect(conn)
    for table in metadata.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable:
                raise StoreError(f"table {table.name} lacks the required column {column.name}; a migration is needed")
            kind = column.type.compile(dialect=conn.dialect)
            conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))
    for table in metadata.sorted_tables:  # after the columns: an index may cover a column just added
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                index.create(conn)


def _safe(exc: Exception) -> str:
    """The first line of a driver error, without the connection URL (which may hold a password)."""
    return str(getattr(exc, "orig", exc) or exc).splitlines()[0][:200]
