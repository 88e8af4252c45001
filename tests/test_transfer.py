"""``migrate`` and ``backup``: every table copied exactly (SQLite -> PostgreSQL -> SQLite gives back the same
rows), checked by row counts and money totals, a non-empty target refused, and a backup that is one consistent
state of the database."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, String, Table, select

from core import notion, outbox
from core.cli import main
from core.collect import collect
from core.errors import InputError, StoreError
from core.store import collections, reconciliations, transfer
from core.store.db import open_store
from core.store.schema import metadata
from core.store.types import Money, UTCDateTime
from tests.conftest import NO_SLEEP
from tests.imitation import Imitation, Ledger, populate

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
OCT = date(2026, 10, 1)


def fill(store) -> None:
    """Something in every kind of table: a collection (costs, runs, days, snapshots, summaries, statuses), an
    outbox message, a pending Notion month, a reconciliation, a collection interrupted mid-way."""
    im = Imitation(NOW.date(), populate(Ledger(), OCT, NOW.date()))
    settings = im.settings(store.engine.url.render_as_string(hide_password=False))
    collect(settings, store, transports=im.transports(), policy=NO_SLEEP, month=OCT, now=NOW)
    outbox.enqueue(
        store, outbox.Message("k/1", "alert", ("ana@example.com",), "Ünïcode ✓", "<p>€</p>", "€", meta={"a": "b"})
    )
    notion.mark_pending(store, [OCT])
    from core.reconcile import Reconciliation

    reconciliations.save_reconciliations(
        store,
        [Reconciliation("openai", OCT, Decimal("1.000000001"), None, None, None, "unavailable", None, "n/a")],
    )
    collections.start_run(store, OCT)  # left "running", like a killed collection


def dump(store) -> dict[str, list[tuple]]:
    """Every row of every copied table, as Python values, in a stable order."""
    with store.engine.connect() as conn:
        return {t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr) for t in transfer.tables()}


def money_total(store) -> Decimal:
    return sum((sum(t.money.values(), Decimal(0)) for t in _measure(store)), Decimal(0))


def _measure(store):
    with transfer._snapshot(store) as conn:
        return [transfer._measure(conn, t) for t in transfer.tables()]


@pytest.fixture
def source(sqlite_url):
    store = open_store(sqlite_url)
    fill(store)
    yield store
    store.dispose()


def cli(argv, url, capsys):
    code = main(argv, {"DATABASE_URL": url})
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.postgres
def test_sqlite_to_postgres_and_back_gives_the_same_rows(source, sqlite_url, pg_url, tmp_path, capsys):
    before = dump(source)
    assert all(before[t] for t in ("daily_costs", "scraper_runs", "outbox", "notion_pending", "reconciliations"))
    code, _, err = cli(["migrate", "--to", pg_url], sqlite_url, capsys)
    assert code == 0, err
    assert "row counts and money totals match" in err
    pg = open_store(pg_url)
    try:
        assert dump(pg) == before
        assert money_total(pg) == money_total(source) > 0
        collections.start_run(pg, OCT)  # ids continue after the copied ones (the sequences were moved on)
        back_url = f"sqlite:///{tmp_path / 'back.db'}"
        code, _out, err = cli(["migrate", "--to", back_url], pg_url, capsys)
        assert code == 0, err
    finally:
        pg.dispose()
    back = open_store(back_url)
    try:
        again = dump(back)
        assert {t: rows for t, rows in again.items() if t != "collection_runs"} == {
            t: rows for t, rows in before.items() if t != "collection_runs"
        }
        assert len(again["collection_runs"]) == len(before["collection_runs"]) + 1
    finally:
        back.dispose()


def test_a_non_empty_target_is_refused_unless_replaced(source, sqlite_url, tmp_path, capsys):
    target_url = f"sqlite:///{tmp_path / 'target.db'}"
    assert cli(["migrate", "--to", target_url], sqlite_url, capsys)[0] == 0
    code, out, err = cli(["migrate", "--to", target_url, "--json"], sqlite_url, capsys)
    assert code == 2 and err.startswith("error: the target database is not empty") and err.count("\n") == 1
    assert out == ""
    code, out, err = cli(["migrate", "--to", target_url, "--replace", "--json"], sqlite_url, capsys)
    assert code == 0 and '"daily_costs"' in out
    target = open_store(target_url)
    try:
        assert dump(target) == dump(source)
    finally:
        target.dispose()


def test_a_table_added_by_another_module_is_copied(sqlite_url, tmp_path):
    extra = Table(
        "zz_added_later",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("label", String(20)),
        Column("amount", Money),
        Column("at", UTCDateTime),
    )
    try:
        source, target = open_store(sqlite_url), open_store(f"sqlite:///{tmp_path / 't.db'}")
        with source.engine.begin() as conn:
            conn.execute(extra.insert(), [{"id": 1, "label": "a", "amount": Decimal("0.000000001"), "at": NOW}])
        result = transfer.copy(source, target)
        assert {t.table: t.money for t in result.tables}["zz_added_later"] == {"amount": Decimal("0.000000001")}
        with target.engine.connect() as conn:
            assert conn.execute(select(extra)).all() == [(1, "a", Decimal("0.000000001"), NOW)]
        source.dispose()
        target.dispose()
    finally:
        metadata.remove(extra)


def test_a_copy_that_does_not_match_writes_nothing(source, tmp_path, monkeypatch):
    target = open_store(f"sqlite:///{tmp_path / 't.db'}")
    real = transfer._insert

    def lossy(conn, table, rows, json_columns):
        real(conn, table, rows[1:] if table.name == "scraper_runs" else rows, json_columns)

    monkeypatch.setattr(transfer, "_insert", lossy)
    try:
        with pytest.raises(StoreError, match="the copy of scraper_runs does not match its source"):
            transfer.copy(source, target)
        assert all(not rows for rows in dump(target).values())
    finally:
        target.dispose()


def test_same_database_in_memory_target_and_unknown_tables_are_refused(source, sqlite_url, tmp_path, capsys):
    assert cli(["migrate", "--to", sqlite_url], sqlite_url, capsys)[2].startswith("error: --to is the database")
    assert "in-memory" in cli(["migrate", "--to", "sqlite://"], sqlite_url, capsys)[2]
    assert "DATABASE_URL" in cli(["migrate", "--to", "mysql://x"], sqlite_url, capsys)[2]
    with source.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE from_the_future (x INTEGER)")
    with pytest.raises(InputError, match=r"tables this version of Spendboard does not know \(from_the_future\)"):
        transfer.copy(source, open_store(f"sqlite:///{tmp_path / 't.db'}"))


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_backup_is_a_sqlite_file_that_migrate_restores(kind, request, tmp_path, capsys):
    url = request.getfixturevalue("sqlite_url" if kind == "sqlite" else "pg_url")
    store = open_store(url)
    fill(store)
    path = tmp_path / "backup.sqlite"
    try:
        code, _, err = cli(["backup", str(path)], url, capsys)
        assert code == 0, err
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        code, _out, err = cli(["backup", str(path)], url, capsys)
        assert code == 2 and "already exists" in err
        restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
        assert cli(["migrate", "--to", restored_url], f"sqlite:///{path}", capsys)[0] == 0
        restored = open_store(restored_url)
        assert dump(restored) == dump(store)
        restored.dispose()
    finally:
        store.dispose()


def test_a_backup_holds_what_was_committed_and_does_not_wait_for_a_writer(source, sqlite_url, tmp_path):
    before = dump(source)
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM daily_costs")  # not committed while the backup runs
    try:
        transfer.backup(source, tmp_path / "b.sqlite")
    finally:
        writer.rollback()
        writer.close()
    copy = open_store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    assert dump(copy) == before
    copy.dispose()
