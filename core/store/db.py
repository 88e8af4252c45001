"""The SQL store: one SQLAlchemy code path for SQLite and PostgreSQL (the URL decides).

Schema changes: the schema is created or upgraded on start, in one transaction (under an advisory lock on Postgres).
Additive changes need no code: new tables, new indexes and new *nullable* columns are added to an existing
database. Anything else (a type change, a backfill, a dropped column) bumps ``SCHEMA_VERSION`` and adds
``MIGRATIONS[n]``, a function run once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from core.errors import StoreError, StoreUnavailable
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
    """Create the engine (and the SQLite directory), then create or upgrade the schema.

    Raises ``StoreUnavailable`` (one line, no secret) when the database cannot be opened or written."""
    try:
        engine = _create_engine(database_url)
        store = Store(engine)
        if migrate:
            upgrade(store)
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"cannot open the database: {describe_error(exc, database_url)}") from None
    return store


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL and in-memory databases)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///") :].split("?", 1)[0]
    if path.startswith("file:"):  # a URI filename (…?uri=true)
        path = path[len("file:") :]
    if not path or path.startswith(":memory:"):
        return None
    return Path(path).expanduser()


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            _prepare_sqlite_file(path)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON", "synchronous=NORMAL"):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        return engine
    # timestamptz values and date() buckets follow the session time zone: pin it to UTC. JIT off: the only plans costly
    # enough to start it scan runs (the Runs page's totals at millions of runs), where compiling costs 13-16 ms each
    # time and gains nothing (bench/README.md).
    options = "-c timezone=UTC -c jit=off"
    return create_engine(url, pool_pre_ping=True, connect_args={"options": options, "connect_timeout": 10})


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


def _prepare_sqlite_file(path: Path) -> None:
    """Create the database's directory; a path that cannot hold a database is refused with what is wrong."""
    if path.is_dir():
        raise StoreUnavailable(f"cannot open the database: {path} is a directory; give a file path in DATABASE_URL")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise StoreUnavailable(
            f"cannot open the database: a part of {path.parent} is a file, not a directory; check DATABASE_URL"
        ) from None
    except OSError as exc:
        raise StoreUnavailable(
            f"cannot create the database directory {path.parent}: {exc.strerror or type(exc).__name__}"
        ) from None


# (message, the database is unusable as configured) for what SQLite and PostgreSQL say. "Unusable" errors are
# about the environment (read-only, full, unreachable, refused credentials): retrying will not help.
_SQLITE_ERRORS = (
    ("database is locked", "the database is busy: another process held its write lock too long; try again", False),
    ("database table is locked", "the database is busy; try again", False),
    ("readonly database", "the database is read-only: check the permissions of the file and its directory", True),
    ("database or disk is full", "the disk holding the database is full: free some space", True),
    ("unable to open database file", "the SQLite file cannot be opened: check that its directory is writable", True),
    ("disk i/o error", "a disk I/O error occurred on the database file", True),
    ("file is not a database", "the file in DATABASE_URL is not a SQLite database", True),
    ("database disk image is malformed", "the SQLite file is corrupt: restore it from a backup", True),
)
_PG_STATES = {  # SQLSTATE prefix or code -> (message, unusable)
    "57P01": ("the PostgreSQL server ended the connection (administrator command or restart); try again", False),
    "57P02": ("the PostgreSQL server ended the connection (crash shutdown); try again", False),
    "57P03": ("PostgreSQL is starting up or shutting down; try again shortly", False),
    "08": ("the connection to PostgreSQL was lost; try again", False),
    "40": ("PostgreSQL aborted the transaction (a conflict with another one); try again", False),
    "55P03": ("a PostgreSQL lock could not be obtained in time; try again", False),
    "53100": ("the disk holding the PostgreSQL database is full", True),
    "53300": ("PostgreSQL has too many connections; try again later or raise max_connections", False),
    "25006": ("the PostgreSQL database is read-only (a standby, or default_transaction_read_only)", True),
    "28": ("PostgreSQL refused the credentials in DATABASE_URL", True),
    "3D000": ("the PostgreSQL database named in DATABASE_URL does not exist", True),
    "42501": ("the PostgreSQL user in DATABASE_URL lacks a permission", True),
}


_SQLITE_IO = ("readonly database", "database or disk is full", "unable to open database file", "disk i/o error")


def _sqlite_environment(path: Path) -> str | None:
    """What is wrong around a SQLite file that SQLite reports vaguely ("unable to open", "disk I/O error")."""
    directory = path.parent
    try:
        fs = os.statvfs(directory)
    except OSError:
        return None
    if fs.f_flag & os.ST_RDONLY:
        return f"the database's directory {directory} is on a read-only file system"
    if fs.f_bavail * fs.f_frsize < 256 * 1024:
        return f"the disk holding the database is full ({directory}): free some space"
    if not os.access(directory, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"the database file or its directory ({directory}) is read-only: check their permissions"
    return None


def classify_error(exc: BaseException, url: str | None = None) -> tuple[str, bool]:
    """A one-line, secret-free description of a database error, and whether the database is unusable as
    configured (read-only, full) rather than failing for a moment. ``url`` lets a vague SQLite error be
    explained by the file system around the database."""
    orig = getattr(exc, "orig", None) or exc
    first = _safe(exc)
    low = first.lower()
    state = getattr(orig, "sqlstate", None) or ""
    if state:
        for prefix in sorted(_PG_STATES, key=len, reverse=True):
            if state.startswith(prefix):
                message, unusable = _PG_STATES[prefix]
                return f"{message} ({first})", unusable
    path = sqlite_path(url) if url else None
    if path is not None and any(needle in low for needle in _SQLITE_IO):
        found = _sqlite_environment(path)
        if found:
            return found, True
    for needle, message, unusable in _SQLITE_ERRORS:
        if needle in low:
            return message, unusable
    unreachable = ("connection refused", "connection failed", "could not connect", "timeout expired", "resolve host")
    if any(w in low for w in (*unreachable, "could not translate host", "name or service not known")):
        # Unusable when opening (open_store says so); in the middle of work, the server went away: try again.
        return f"PostgreSQL is unreachable ({first}); check DATABASE_URL and that the server runs", False
    if ("closed" in low and "connection" in low) or "terminat" in low:
        return f"the connection to the database was lost ({first}); try again", False
    return f"database error: {first}", False


def describe_error(exc: BaseException, url: str | None = None) -> str:
    return classify_error(exc, url)[0]


def _safe(exc: BaseException) -> str:
    """The first line of a driver error, without the connection URL (which may hold a password)."""
    text = str(getattr(exc, "orig", None) or exc) or type(exc).__name__
    text = re.sub(r"(\w+://[^:/@\s]*):[^@\s]*@", r"\1:***@", text)
    text = re.sub(r"(password\s*=\s*)\S+", r"\1***", text, flags=re.IGNORECASE)
    return text.splitlines()[0][:200] if text.strip() else type(exc).__name__
