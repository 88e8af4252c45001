"""The database failing under a command: a read-only or full data directory, a SQLite file held by a writer, a
PostgreSQL server that drops the connections mid-collect. One line, no traceback, nothing half-written, and the
next run works."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.cli import main
from tests.imitation import Imitation, Ledger, populate
from tests.killing import Gate, child_env, figures, run, serve_imitation


def cli(argv, env, capsys) -> tuple[int, str, str]:
    code = main(argv, env)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(err: str, says: str) -> None:
    assert "Traceback" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: ") and says in last, err


def _mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True)


@pytest.fixture
def small_disk(tmp_path, monkeypatch) -> Path:
    """A 6 MB file system of its own (tmpfs), so that it can be filled or made read-only."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if _mount("-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mnt)).returncode != 0:
        pytest.skip("mounting a tmpfs needs root (CAP_SYS_ADMIN)")
    monkeypatch.chdir(tmp_path)
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_read_only_data_directory_is_one_line_exit_2(small_disk, capsys):
    env = {"DATABASE_URL": f"sqlite:///{small_disk / 'data' / 'spend.db'}"}
    assert cli(["demo"], env, capsys)[0] == 0
    before = figures(env["DATABASE_URL"])
    assert _mount("-o", "remount,ro", str(small_disk)).returncode == 0
    try:
        for argv in (["demo", "--reset"], ["collect"], ["summary"], ["backup", str(small_disk / "b.sqlite")]):
            code, _, err = cli(argv, env, capsys)
            assert code == 2, (argv, err)
            assert_one_error_line(err, "read-only" if argv[0] != "backup" else "")
    finally:
        _mount("-o", "remount,rw", str(small_disk))
    assert figures(env["DATABASE_URL"]) == before


def _fill(directory: Path) -> Path:
    filler = directory / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_is_one_line_and_leaves_the_data_as_it_was(small_disk, capsys, today):
    url = f"sqlite:///{small_disk / 'spend.db'}"
    env = {"DATABASE_URL": url}
    assert cli(["summary"], env, capsys)[0] == 0  # an empty database
    filler = _fill(small_disk)
    try:
        code, _, err = cli(["demo"], env, capsys)
        assert code == 2
        assert_one_error_line(err, "the disk holding the database is full")
        im = Imitation(today, populate(Ledger(), today, today))
        with serve_imitation(im) as urls:
            code, _, err = cli(["collect", "--wait", "0"], im.environ(url, urls), capsys)
        assert code == 2
        assert_one_error_line(err, "the disk holding the database is full")
    finally:
        filler.unlink()
    with sqlite3.connect(small_disk / "spend.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM daily_costs").fetchone()[0] == 0  # nothing half-written
    assert cli(["demo"], env, capsys)[0] == 0  # space again: it works


def test_a_sqlite_file_held_by_a_writer_is_a_one_line_busy(sqlite_url, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": sqlite_url}
    assert cli(["summary"], env, capsys)[0] == 0
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    writer.execute("BEGIN IMMEDIATE")  # holds the write lock longer than the 30 s busy timeout
    try:
        code, _, err = cli(["demo"], env, capsys)
    finally:
        writer.rollback()
        writer.close()
    assert code == 1
    assert_one_error_line(err, "the database is busy")
    assert cli(["demo"], env, capsys)[0] == 0


def _pg_admin(pg_url: str) -> tuple[sa.Engine, str]:
    url = sa.make_url(pg_url)
    return sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT"), url.database


@pytest.mark.postgres
@pytest.mark.parametrize("reconnect", [True, False], ids=["connections dropped", "server refuses new connections"])
def test_postgres_dropping_connections_mid_collect(reconnect, pg_url, tmp_path, today):
    im = Imitation(today, populate(Ledger(), today.replace(day=1), today))
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    gate = Gate(then_answer=True)
    admin, name = _pg_admin(pg_url)
    with serve_imitation(im, lambda n, handle: gate.wrap(handle) if n == "openai" else handle) as urls:
        assert run(["collect"], im.environ(reference, urls), tmp_path).returncode == 0
        env = im.environ(pg_url, urls)
        assert run(["summary"], env, tmp_path).returncode == 0  # the schema exists
        gate.armed = True
        proc = subprocess.Popen(
            [sys.executable, "-m", "core", "collect"],
            env=child_env(env),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert gate.reached.wait(60)
        with admin.connect() as conn:
            if not reconnect:
                conn.execute(sa.text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
            conn.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
        gate.release.set()
        _, err = proc.communicate(timeout=120)
        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
        assert "Traceback" not in err, err
        if reconnect:  # the pool replaces dropped connections; a provider caught writing at that moment fails
            assert proc.returncode in (0, 1), err
        else:
            assert proc.returncode == 1
            assert_one_error_line(err, "PostgreSQL is unreachable")
        assert run(["collect", "--wait", "0"], env, tmp_path).returncode == 0
    admin.dispose()
    assert figures(pg_url) == figures(reference)  # the next run put everything right
