"""The command line: JSON shapes, exit codes, bad input, against an Apify imitation reached by APIFY_BASE_URL."""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.cli import main
from core.store.db import open_store
from core.store.schema import collection_runs, scraper_runs
from tests.fakes import FakeApify, run_item, serve

TOKEN = "apify_api_test_token_0000"


@pytest.fixture
def env(tmp_path):
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "APIFY_TOKEN": TOKEN}


def run_cli(capsys, env, *argv):
    code = main(list(argv), environ=env)
    out, err = capsys.readouterr()
    return code, out, err


def _account() -> list[dict]:
    now = datetime.now(UTC)
    costs = ["0.1", "0.2", "1.0000015", "0.333333", "2", "0.000001"]
    return [
        run_item(
            f"run{i:05d}",
            now - timedelta(hours=13 * i),
            float(costs[i % 6]),
            status=("SUCCEEDED", "FAILED", "ABORTED")[i % 3],
        )
        for i in range(260)
    ]  # ~141 days


def _expected(items, first: date | None, last: date):
    sel = [
        i
        for i in items
        if (first is None or date.fromisoformat(i["startedAt"][:10]) >= first)
        and date.fromisoformat(i["startedAt"][:10]) <= last
    ]
    return sum((Decimal(str(i["usageTotalUsd"])) for i in sel), Decimal(0)), len(sel)


def test_backfill_then_summary_and_chart_match_the_apify_account_exactly(capsys, env):
    items = _account()
    fake = FakeApify(items)
    with serve(fake.handle) as base_url:
        env["APIFY_BASE_URL"] = base_url
        code, out, err = run_cli(capsys, env, "apify", "backfill", "--json")
        assert code == 0, err
        assert "runs fetched" in err
        assert TOKEN not in out + err
    today = datetime.now(UTC).date()
    imported = [i for i in items if date.fromisoformat(i["startedAt"][:10]) > today - timedelta(days=90)]
    windows = {"day": today, "week": today - timedelta(days=6), "month": today - timedelta(days=29), "all": None}
    for period, first in windows.items():
        code, out, _ = run_cli(capsys, env, "summary", "--period", period, "--json")
        cost, count = _expected(imported, first, today)
        assert code == 0
        assert json.loads(out) == {"period": period, "total_cost_usd": _money(cost), "total_runs": count}
    for range_, n in (("7d", 7), ("30d", 30), ("90d", 90)):
        code, out, _ = run_cli(capsys, env, "chart", "--range", range_, "--json")
        rows = json.loads(out)
        assert [r["date"] for r in rows] == [(today - timedelta(days=n - 1 - k)).isoformat() for k in range(n)]
        for row in rows:
            day = date.fromisoformat(row["date"])
            cost, count = _expected(imported, day, day)
            assert (row["cost_usd"], row["runs"]) == (_money(cost), count)


def _money(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return f"{value:.{max(decimals, 6)}f}"


def test_backfill_twice_and_reset_keep_the_same_totals(capsys, env):
    fake = FakeApify(_account())
    with serve(fake.handle) as base_url:
        env["APIFY_BASE_URL"] = base_url
        run_cli(capsys, env, "apify", "backfill")
        first = run_cli(capsys, env, "summary", "--period", "all", "--json")[1]
        run_cli(capsys, env, "apify", "backfill")
        assert run_cli(capsys, env, "summary", "--period", "all", "--json")[1] == first
        code, _, err = run_cli(capsys, env, "apify", "backfill", "--reset", "--days", "90")
        assert code == 0 and "replaced" in err
        assert run_cli(capsys, env, "summary", "--period", "all", "--json")[1] == first


def test_record_and_runs_json_shape(capsys, env):
    items = _account()[:3]
    with serve(FakeApify(items).handle) as base_url:
        env["APIFY_BASE_URL"] = base_url
        code, out, err = run_cli(capsys, env, "apify", "record", items[1]["id"], "--scraper-id", "maps", "--json")
    assert code == 0, err
    assert json.loads(out)["item_count"] == 42
    code, out, _ = run_cli(capsys, env, "runs", "--json", "--scraper-id", "maps")
    body = json.loads(out)
    assert set(body) == {"items", "total_cost_usd", "total_runs"}
    assert body["total_runs"] == 1 and body["items"][0]["run_id"] == items[1]["id"]
    assert body["items"][0]["cost_usd"] == body["total_cost_usd"] == "0.200000"
    assert body["items"][0]["created_at"].endswith("Z")


@pytest.mark.parametrize(
    "argv",
    [
        ["summary", "--period", "year"],
        ["chart", "--range", "14d"],
        ["runs", "--from", "2026-13-01"],
        ["runs", "--from", "2026-02-03", "--to", "2026-02-01"],
        ["runs", "--limit", "999999999"],
        ["runs", "--limit", "-1"],
        ["apify", "backfill", "--days", "-3"],
        ["apify", "backfill", "--days", "ten"],
        ["apify", "record", "../../etc/passwd"],
        ["summary", "--provider", "aws"],
        ["report", "--month", "../../"],
        ["collect", "--month", "2026-13"],
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(capsys, env, argv):
    code, out, err = run_cli(capsys, env, *argv)
    assert code == 2
    assert out == "" and len(err.strip().splitlines()) == 1 and err.startswith("error:")
    store = open_store(env["DATABASE_URL"])
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(scraper_runs)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(collection_runs)).scalar_one() == 0


def test_missing_token_and_bad_database_url_are_configuration_errors(capsys, env):
    del env["APIFY_TOKEN"]
    code, _, err = run_cli(capsys, env, "apify", "backfill")
    assert code == 2 and "APIFY_TOKEN is not set" in err
    code, _, err = run_cli(capsys, {"DATABASE_URL": "mysql://root:hunter2@db/x"}, "summary")
    assert code == 2 and "DATABASE_URL must start with" in err and "hunter2" not in err


def test_apify_outage_exits_1_and_keeps_what_was_stored(capsys, env):
    fake = FakeApify(_account())
    with serve(fake.handle) as base_url:
        env["APIFY_BASE_URL"] = base_url
        run_cli(capsys, env, "apify", "backfill")
        before = run_cli(capsys, env, "summary", "--period", "all", "--json")[1]
        fake.token = "rotated"  # our key is now rejected: 401, never retried
        code, _, err = run_cli(capsys, env, "apify", "backfill", "--reset")
    assert code == 1 and "401" in err and TOKEN not in err
    assert run_cli(capsys, env, "summary", "--period", "all", "--json")[1] == before


def test_demo_loads_labelled_data_idempotently(capsys, env):
    assert run_cli(capsys, env, "demo")[0] == 0
    first = run_cli(capsys, env, "summary", "--period", "all", "--json")[1]
    run_cli(capsys, env, "demo")
    assert run_cli(capsys, env, "summary", "--period", "all", "--json")[1] == first
    body = json.loads(run_cli(capsys, env, "runs", "--json", "--limit", "5")[1])
    assert {r["source"] for r in body["items"]} == {"demo"}
    run_cli(capsys, env, "demo", "--remove")
    assert json.loads(run_cli(capsys, env, "summary", "--period", "all", "--json")[1])["total_runs"] == 0
