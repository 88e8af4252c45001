"""Every command under hostile input: impossible dates, future months, huge limits, unicode, SQL-like strings,
malformed settings and secrets files, unusable database URLs. Each answer is one clear line on stderr, exit 2, no
traceback, and nothing written: the data directory is not even created."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main

ROOT = Path(__file__).resolve().parent.parent
BAD_ARGS = {
    # argv -> what the one line says
    "unknown command": (["drop"], "invalid choice"),
    "unknown period": (["summary", "--period", "year"], "invalid choice"),
    "unicode period": (["summary", "--period", "mönth"], "invalid choice"),
    "SQL in a provider": (["summary", "--provider", "openai'; DROP TABLE daily_costs; --"], "invalid choice"),
    "unknown range": (["chart", "--range", "1000d"], "invalid choice"),
    "zero limit": (["runs", "--limit", "0"], "--limit must be between 1 and"),
    "negative limit": (["runs", "--limit", "-1"], "--limit must be between 1 and"),
    "huge limit": (["runs", "--limit", "99999999999999999999999"], "--limit must be between 1 and"),
    "limit in words": (["runs", "--limit", "ten"], "--limit must be a whole number"),
    "offset as a float": (["runs", "--offset", "1e9"], "--offset must be a whole number"),
    "huge offset": (["runs", "--offset", "10000000000000"], "--offset must be between 0 and"),
    "impossible day": (["runs", "--from", "2026-02-30"], "date must be a date as YYYY-MM-DD"),
    "day of year one": (["runs", "--from", "0001-01-01"], "must be between 2000-01-01 and 2999-12-31"),
    "the last day there is": (["runs", "--to", "9999-12-31"], "must be between 2000-01-01 and 2999-12-31"),
    "from after to": (["runs", "--from", "2026-10-05", "--to", "2026-10-01"], "is after --to"),
    "fullwidth digits": (["runs", "--from", "２０２６-１０-０１"], "date must be a date as YYYY-MM-DD"),
    "a NUL in a date": (["runs", "--from", "2026-10-01\x00"], "date must be a date as YYYY-MM-DD"),
    "a compact date": (["runs", "--to", "20261001"], "date must be a date as YYYY-MM-DD"),
    "thirteenth month": (["report", "--month", "2026-13"], "month must be YYYY-MM"),
    "month zero": (["report", "--month", "2026-00"], "month must be YYYY-MM"),
    "SQL as a month": (["report", "--month", "' OR 1=1 --"], "month must be YYYY-MM"),
    "last century": (["report", "--month", "1999-12"], "month must be YYYY-MM"),
    "far future report": (["report", "--month", "9999-12"], "has not started yet"),
    "future collect": (["collect", "--month", "2099-01"], "has not started yet"),
    "unknown provider": (["collect", "--provider", "nosuch"], "invalid choice"),
    "negative wait": (["collect", "--wait", "-5"], "--wait must be between 0 and 86400"),
    "wait of years": (["collect", "--wait", "99999999999"], "--wait must be between 0 and 86400"),
    "one-digit month": (["reconcile", "--month", "2026-1"], "month must be YYYY-MM"),
    "future reconcile": (["reconcile", "--month", "2999-01"], "has not started yet"),
    "no days": (["apify", "backfill", "--days", "0"], "--days must be between 1 and 3650"),
    "a century of days": (["apify", "backfill", "--days", "36500"], "--days must be between 1 and 3650"),
    "days as a float": (["apify", "backfill", "--days", "1e3"], "--days must be a whole number"),
    "backfill without a token": (["apify", "backfill"], "APIFY_TOKEN is not set"),
    "path as a run id": (["apify", "record", "../../etc/passwd"], "run id must be an Apify run id"),
    "empty run id": (["apify", "record", ""], "run id must be an Apify run id"),
    "long run id": (["apify", "record", "a" * 65], "run id must be an Apify run id"),
    "markup as a scraper id": (["apify", "record", "abc", "--scraper-id", "<script>"], "scraper id must be"),
    "unicode as a user id": (["apify", "record", "abc", "--user-id", "ünï cødé"], "user id must be"),
    "record without a token": (["apify", "record", "HG7ML7M8z78YcAPEB"], "APIFY_TOKEN is not set"),
    "future send": (["send-report", "--month", "2027-05"], "has not started yet"),
    "send without email settings": (["send-report"], "email is not configured"),
    "sync without Notion": (["notion", "sync"], "Notion is not configured"),
    "future sync": (["notion", "sync", "--month", "2099-01"], "has not started yet"),
    "setup without a key": (["notion", "setup", "--parent-page", "javascript:alert(1)"], "NOTION_API_KEY"),
    "migrate to MySQL": (["migrate", "--to", "mysql://x"], "DATABASE_URL must start with"),
    "migrate to a SQLite host": (["migrate", "--to", "sqlite://???"], "for SQLite must look like"),
    "migrate to a port in words": (["migrate", "--to", "postgresql://u@h:abc/db"], "not a valid PostgreSQL URL"),
    "migrate to memory": (["migrate", "--to", "sqlite://"], "in-memory"),
    "migrate without a target": (["migrate"], "the following arguments are required: --to"),
    "backup into a missing directory": (["backup", "/nonexistent/dir/x.sqlite"], "does not exist"),
    "backup onto a directory": (["backup", "/"], "is a directory"),
}
BAD_SETTINGS = {
    "SQLite URL with a host": ({"DATABASE_URL": "sqlite://???"}, "for SQLite must look like"),
    "port that is not a number": ({"DATABASE_URL": "postgresql://u:pw@h:abc/db"}, "not a valid PostgreSQL URL"),
    "port out of range": ({"DATABASE_URL": "postgresql://u@h:99999/db"}, "port must be from 1 to 65535"),
    "another database": ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL must start with"),
    "price per credit": ({"ELEVENLABS_USD_PER_1K_CREDITS": "1000000"}, "at most 5"),
    "price beyond floats": ({"ELEVENLABS_USD_PER_1K_CREDITS": "1e308"}, "at most 5"),
    "price that is not a number": ({"ELEVENLABS_USD_PER_1K_CREDITS": "NaN"}, "more than 0"),
    "negative price": ({"ELEVENLABS_USD_PER_1K_CREDITS": "-0.3"}, "more than 0"),
    "free price": ({"ELEVENLABS_USD_PER_1K_CREDITS": "0"}, "more than 0"),
    "endless tolerance": ({"RECONCILE_TOLERANCE_USD": "1e999999999"}, "RECONCILE_TOLERANCE_USD must be"),
    "drift over 100%": ({"RECONCILE_SMALL_DRIFT_PERCENT": "500"}, "RECONCILE_SMALL_DRIFT_PERCENT must be"),
    "unknown language": ({"APP_LANGUAGE": "de"}, "APP_LANGUAGE must be one of"),
    "key with spaces": ({"OPENAI_ADMIN_KEY": "sk admin key"}, "OPENAI_ADMIN_KEY must be printable ASCII"),
    "key with unicode": ({"RESEND_API_KEY": "re_ключ"}, "RESEND_API_KEY must be printable ASCII"),
    "markup as a recipient": ({"REPORT_EMAIL_TO": "a@example.com, <script>"}, "REPORT_EMAIL_TO must be"),
    "file URL for a provider": ({"APIFY_BASE_URL": "file:///etc/passwd"}, "APIFY_BASE_URL must be an http(s) URL"),
    "script URL for the app": ({"APP_BASE_URL": "javascript:alert(1)"}, "APP_BASE_URL must be an http(s) URL"),
}
SECRETS_FILES = {
    "a byte that is not UTF-8": (b'APIFY_TOKEN = "ab\xffcd"\n', "is not UTF-8 text"),
    "not TOML": (b"APIFY_TOKEN = \n[[[", "is not valid TOML"),
    "a bad value inside": (b'APP_LANGUAGE = "klingon"\n', "APP_LANGUAGE must be one of"),
}


def run_cli(argv, env, capsys) -> tuple[int, str, str]:
    try:
        code = main(argv, env)
    except SystemExit as exc:  # argparse refuses before main's handler runs
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(code: int, out: str, err: str, says: str, data: Path) -> None:
    assert code == 2, err
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert says in err, err
    assert "Traceback" not in err
    assert not data.exists(), "a refused command created the database"


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no secrets.toml of the checkout
    return tmp_path / "data"


@pytest.mark.parametrize("case", list(BAD_ARGS))
def test_bad_arguments_are_one_line_exit_2_and_write_nothing(case, data, capsys):
    argv, says = BAD_ARGS[case]
    env = {"DATABASE_URL": f"sqlite:///{data / 'spend.db'}"}
    assert_refused(*run_cli(argv, env, capsys), says, data)


@pytest.mark.parametrize("case", list(BAD_SETTINGS))
@pytest.mark.parametrize("argv", [["summary"], ["collect"], ["send-report"]])
def test_bad_settings_are_refused_at_start(case, argv, data, capsys):
    settings, says = BAD_SETTINGS[case]
    env = {"DATABASE_URL": f"sqlite:///{data / 'spend.db'}", **settings}
    assert_refused(*run_cli(argv, env, capsys), says, data)


@pytest.mark.parametrize("case", list(SECRETS_FILES))
def test_a_malformed_secrets_file_is_one_line(case, data, tmp_path, capsys):
    content, says = SECRETS_FILES[case]
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_bytes(content)
    env = {"DATABASE_URL": f"sqlite:///{data / 'spend.db'}"}
    assert_refused(*run_cli(["summary"], env, capsys), says, data)


def test_sql_like_filters_are_data_not_sql(data, capsys):
    env = {"DATABASE_URL": f"sqlite:///{data / 'spend.db'}"}
    hostile = "x'; DROP TABLE scraper_runs; --"
    code, out, _ = run_cli(["runs", "--source", hostile, "--scraper-id", "1 OR 1=1", "--json"], env, capsys)
    assert code == 0 and '"total_runs": 0' in out
    assert run_cli(["runs", "--json"], env, capsys)[0] == 0  # the table is still there


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("sqlite:///{tmp}/a-file/spend.db", "is a file, not a directory"),
        ("sqlite:///{tmp}", "is a directory"),
        ("sqlite:///{tmp}/not-a-db.txt", "is not a SQLite database"),
        ("postgresql://postgres@127.0.0.1:1/spend", "PostgreSQL is unreachable"),
        ("postgresql://postgres@no-such-host.invalid/spend", "PostgreSQL is unreachable"),
    ],
)
def test_a_database_that_cannot_be_opened_is_one_line_exit_2(url, says, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "not-a-db.txt").write_text("hello, I am not a database" * 100)
    for argv in (["summary"], ["demo"], ["runs", "--json"]):
        code, out, err = run_cli(argv, {"DATABASE_URL": url.format(tmp=tmp_path)}, capsys)
        assert code == 2 and out == "" and err.count("\n") == 1 and says in err, err
        assert "Traceback" not in err


def test_the_real_command_line_prints_no_traceback(tmp_path):
    """The same through ``python -m core`` in a process of its own (argparse exits from inside)."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path}/d/x.db"}
    for argv in (["runs", "--from", "0001-01-01"], ["send-report", "--month", "2099-05"], ["summary"]):
        result = subprocess.run(
            [sys.executable, "-m", "core", *argv], env={**env, "ELEVENLABS_USD_PER_1K_CREDITS": "1e308"},
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "d").exists()


def test_an_amount_beyond_decimals_range_from_a_provider_is_one_line(tmp_path, monkeypatch, capsys):
    """``1e999999999`` passes a JSON parser and ``Decimal()``, then overflows any arithmetic: refused as read."""
    from datetime import UTC, datetime

    from tests.fakes import FakeApify, run_item, serve

    monkeypatch.chdir(tmp_path)
    fake = FakeApify([run_item("HG7ML7M8z78YcAPEB", datetime(2026, 10, 3, tzinfo=UTC), "1e999999999")])
    with serve(fake.handle) as url:
        env = {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'spend.db'}",
            "APIFY_TOKEN": "apify_api_test_token_0000",
            "APIFY_BASE_URL": url,
        }
        code, out, err = run_cli(["apify", "record", "HG7ML7M8z78YcAPEB"], env, capsys)
    assert code == 1 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "outside any plausible range" in err


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_url):
    from core.store.db import open_store

    store = open_store(sqlite_url)
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        store.dispose()
