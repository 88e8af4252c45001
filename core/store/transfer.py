"""Move and keep the data: copy every table to another database (SQLite <-> PostgreSQL), or back it up to a file.

    copy(source, target, replace=False)     every table, in foreign-key order, checked (rows, money totals)
    backup(store, path, replace=False)      a consistent SQLite file of the database (SQLite: its online backup API)

The copy goes through the tables' SQLAlchemy metadata, so a table added by any module of ``core.store`` is
included with no change here. The source is read in one snapshot (SQLite: one read transaction, PostgreSQL:
REPEATABLE READ) and the target is written in one transaction that commits only after its row counts and its money
totals (every ``Money`` column, summed as ``Decimal``) equal the source's: a copy is whole and exact, or nothing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import JSON, Connection, Table, delete, func, inspect, select, text

from core.errors import InputError, StoreError, StoreUnavailable
from core.store.db import Store, open_store, sqlite_path
from core.store.schema import metadata
from core.store.types import Money

BATCH = 1000
# Not data: the target keeps its own schema and data versions (the cache counter), and lock holders are the source's
# running processes.
NOT_COPIED = frozenset({"schema_version", "data_version", "locks"})
Progress = Callable[[str, int], None]  # (table, rows copied)


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    money: dict[str, Decimal] = field(default_factory=dict)  # column -> total, equal on both sides


@dataclass(frozen=True)
class CopyResult:
    tables: list[TableCopy]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def tables() -> list[Table]:
    """Every table with data, parents before children."""
    return [t for t in metadata.sorted_tables if t.name not in NOT_COPIED]


def _money_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if isinstance(c.type, Money)]


@contextmanager
def _snapshot(store: Store) -> Iterator[Connection]:
    """A connection that sees one consistent state of the database for as long as it is open."""
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.begin()
        else:  # the sqlite3 module opens no transaction for reads: one explicit BEGIN holds one WAL snapshot
            conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


def _measure(conn: Connection, table: Table) -> TableCopy:
    money = _money_columns(table)
    row = conn.execute(select(func.count(), *[func.sum(table.c[m]) for m in money]).select_from(table)).one()
    return TableCopy(table.name, row[0], {m: row[i + 1] or Decimal(0) for i, m in enumerate(money)})


def _unknown_tables(store: Store) -> list[str]:
    known = {t.name for t in metadata.sorted_tables}
    return sorted(set(inspect(store.engine).get_table_names()) - known)


def _check_target(conn: Connection, replace: bool) -> None:
    for table in tables():
        count = conn.execute(select(func.count()).select_from(table)).scalar()
        if count and not replace:
            raise InputError(
                f"the target database is not empty ({table.name} has {count} rows); "
                "copy into an empty database, or pass --replace to delete what it holds first"
            )


def _reset_sequences(conn: Connection, table: Table) -> None:
    """PostgreSQL: the next id of a table filled with explicit ids follows the largest copied one."""
    column = table.autoincrement_column
    if column is None:
        return
    conn.execute(
        text(
            f'SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE(MAX("{column.name}"), 1), '
            f'MAX("{column.name}") IS NOT NULL) FROM "{table.name}"'
        ),
        {"t": f'"{table.name}"', "c": column.name},
    )


def _insert(conn: Connection, table: Table, rows: list[dict], json_columns: list[str]) -> None:
    """Insert rows as they are. A JSON column holding SQL NULL is left out of its row, so that it stays SQL NULL
    (given ``None``, the JSON type would store the JSON text ``null``); rows are grouped by the columns they keep."""
    groups: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        drop = tuple(name for name in json_columns if row[name] is None)
        groups.setdefault(drop, []).append({k: v for k, v in row.items() if k not in drop})
    for group in groups.values():
        conn.execute(table.insert(), group)


def copy(source: Store, target: Store, *, replace: bool = False, progress: Progress | None = None) -> CopyResult:
    """Copy every table of ``source`` into ``target`` (whose schema exists: ``open_store`` made it).

    Refuses a target holding any row unless ``replace`` (its rows are deleted first, in the same transaction).
    Raises ``StoreError`` and writes nothing when the copied rows or money totals differ from the source's."""
    unknown = _unknown_tables(source)
    if unknown:
        raise InputError(
            f"the source database has tables this version of Spendboard does not know ({', '.join(unknown)}); "
            "run the copy with the version that made them"
        )
    copied: list[TableCopy] = []
    with _snapshot(source) as src, target.write() as dst:  # moves the target's data version: instances re-read
        _check_target(dst, replace)
        for table in reversed(tables()):
            dst.execute(delete(table))
        for table in tables():
            expected = _measure(src, table)
            order = list(table.primary_key.columns) or list(table.columns)
            result = src.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
            done = 0
            json_columns = [c.name for c in table.columns if isinstance(c.type, JSON)]
            for batch in result.mappings().partitions():
                _insert(dst, table, [dict(r) for r in batch], json_columns)
                done += len(batch)
                if progress:
                    progress(table.name, done)
            if target.dialect == "postgresql":
                _reset_sequences(dst, table)
            got = _measure(dst, table)
            if got != expected:
                raise StoreError(
                    f"the copy of {table.name} does not match its source ({got.rows} rows, totals {got.money} vs "
                    f"{expected.rows} rows, totals {expected.money}); nothing was written"
                )
            copied.append(expected)
    return CopyResult(copied)


def _fresh_path(path: Path, replace: bool) -> Path:
    path = path.expanduser()
    if path.is_dir():
        raise InputError(f"{path} is a directory; give the path of the backup file to write")
    if path.exists() and not replace:
        raise InputError(f"{path} already exists; choose another path or pass --replace to overwrite it")
    if not path.parent.is_dir():
        raise InputError(f"the directory {path.parent} does not exist")
    return path


def backup(store: Store, path: Path, *, replace: bool = False, progress: Progress | None = None) -> CopyResult:
    """Write a consistent SQLite copy of the whole database to ``path`` (written aside, then renamed into place,
    so ``path`` is never half-written). ``python -m core migrate`` restores it into any database."""
    path = _fresh_path(Path(path), replace)
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if store.dialect == "sqlite":
            _sqlite_backup(store, partial)
        else:
            copy_to = open_store(f"sqlite:///{partial}")
            try:
                copy(store, copy_to, progress=progress)
            finally:
                copy_to.dispose()
        checked = open_store(f"sqlite:///{partial}")
        try:
            with _snapshot(checked) as conn:
                result = CopyResult([_measure(conn, t) for t in tables()])
        finally:
            checked.dispose()
        os.replace(partial, path)
    except OSError as exc:
        raise StoreUnavailable(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from None
    finally:
        for leftover in (partial, *(partial.with_name(partial.name + s) for s in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
    return result


def _sqlite_backup(store: Store, partial: Path) -> None:
    """SQLite's online backup: a page-by-page copy of one consistent state, while others keep reading and writing."""
    if sqlite_path(str(store.engine.url)) == partial:
        raise InputError("the backup cannot be the database itself")
    raw = store.engine.raw_connection()
    try:
        dest = sqlite3.connect(partial)
        try:
            raw.driver_connection.backup(dest)
            ok = dest.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dest.close()
    except sqlite3.Error as exc:
        raise StoreUnavailable(f"the SQLite backup failed: {exc}") from None
    finally:
        raw.close()
    if ok != "ok":
        raise StoreError(f"the backup failed its integrity check ({ok})")
