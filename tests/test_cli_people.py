"""The command line per person: ``--user-id`` on summary, chart and runs (SQLite and PostgreSQL), ``apify record
--user-id`` end to end, and the record of who did what from the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.cli import main
from core.models import DailyCost, ScraperRun
from core.people import cli_person
from core.periods import utc_now
from core.scraper_runs import record_scraper_run
from core.store import ledger, runs, spend
from core.store import people as people_store
from core.store.db import open_store
from tests.fakes import FakeApify, run_item, serve

TOKEN = "apify_api_test_token_0000"


def cli(capsys, env, *argv):
    code = main(list(argv), environ=env)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def seeded(database_url, today):
    """Today: a run each by u1 ($1.10) and u2 ($2.20), one with no user id ($4.40); three days ago one more by u1
    ($0.25); and a team-wide OpenAI line today ($10)."""
    store = open_store(database_url)
    now = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=1)
    runs.save_runs(
        store,
        [
            ScraperRun("a1", "maps", now, "SUCCEEDED", Decimal("1.10"), user_id="u1"),
            ScraperRun("b1", "maps", now, "SUCCEEDED", Decimal("2.20"), user_id="u2"),
            ScraperRun("c1", "shop", now, "SUCCEEDED", Decimal("4.40")),
            ScraperRun("a2", "shop", now - timedelta(days=3), "SUCCEEDED", Decimal("0.25"), user_id="u1"),
        ],
    )
    ledger.save_lines(store, "openai", today, today, [DailyCost("openai", today, "gpt", "gpt", Decimal(10), 5)])
    store.dispose()
    return {"DATABASE_URL": database_url}


def test_summary_counts_one_person_s_runs_and_the_team_wide_costs(capsys, seeded):
    _, out, _ = cli(capsys, seeded, "summary", "--period", "day", "--json")
    assert json.loads(out)["total_cost_usd"] == "17.700000"  # everyone
    code, out, err = cli(capsys, seeded, "summary", "--period", "day", "--user-id", "u1", "--json")
    assert code == 0, err
    body = json.loads(out)
    assert body["total_cost_usd"] == "11.100000" and body["total_runs"] == 1  # u1's run + the OpenAI line
    _, out, _ = cli(capsys, seeded, "summary", "--period", "week", "--user-id", "u1", "--user-id", "u2", "--json")
    assert json.loads(out)["total_cost_usd"] == "13.550000"
    _, out, _ = cli(
        capsys, seeded, "summary", "--period", "day", "--provider", "apify", "--user-id", "nobody", "--json"
    )
    assert json.loads(out)["total_cost_usd"] == "0.000000"


def test_chart_follows_the_person(capsys, seeded, today):
    _, out, _ = cli(capsys, seeded, "chart", "--range", "7d", "--provider", "apify", "--user-id", "u1", "--json")
    points = {p["date"]: p for p in json.loads(out)}
    assert points[today.isoformat()]["cost_usd"] == "1.100000" and points[today.isoformat()]["runs"] == 1
    assert points[(today - timedelta(days=3)).isoformat()]["cost_usd"] == "0.250000"
    assert sum(p["runs"] for p in points.values()) == 2


def test_runs_lists_one_person_s_runs(capsys, seeded):
    _, out, _ = cli(capsys, seeded, "runs", "--user-id", "u2", "--json")
    body = json.loads(out)
    assert [r["run_id"] for r in body["items"]] == ["b1"] and body["total_cost_usd"] == "2.200000"
    _, out, _ = cli(capsys, seeded, "runs", "--json")
    assert json.loads(out)["total_runs"] == 4


@pytest.mark.parametrize("command", ["summary", "chart", "runs"])
def test_a_malformed_user_id_exits_2_and_creates_no_database(capsys, tmp_path, command):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}"}
    code, out, err = cli(capsys, env, command, "--user-id", "u1; DROP TABLE scraper_runs")
    assert code == 2 and out == "" and err.startswith("error: --user-id must be") and len(err.splitlines()) == 1
    assert not (tmp_path / "never.db").exists()


def test_recording_a_run_with_its_user_id_makes_it_that_person_s(capsys, tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'rec.db'}", "APIFY_TOKEN": TOKEN}
    now = utc_now()
    items = [run_item("runA1", now - timedelta(minutes=5), 0.75), run_item("runB1", now - timedelta(minutes=9), 0.5)]
    with serve(FakeApify(items).handle) as base_url:
        env["APIFY_BASE_URL"] = base_url
        code, _, err = cli(capsys, env, "apify", "record", "runA1", "--user-id", "ana-42", "--json")
        assert code == 0, err
        store = open_store(env["DATABASE_URL"])
        from core.config import load_settings

        record_scraper_run(load_settings(env, None), store, "runB1", user_id="bo-7")  # the Python entry point
        store.dispose()
    _, out, _ = cli(capsys, env, "runs", "--user-id", "ana-42", "--json")
    assert [r["run_id"] for r in json.loads(out)["items"]] == ["runA1"]
    _, out, _ = cli(capsys, env, "summary", "--period", "day", "--user-id", "bo-7", "--json")
    assert json.loads(out)["total_cost_usd"] == "0.500000"


def test_command_line_actions_are_recorded_as_the_os_user(capsys, tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'who.db'}", "APIFY_TOKEN": TOKEN}
    with serve(FakeApify([run_item("r1", utc_now() - timedelta(hours=1), 0.5)]).handle) as base_url:
        env["APIFY_BASE_URL"] = base_url
        assert cli(capsys, env, "apify", "backfill", "--days", "2")[0] == 0
        assert cli(capsys, env, "collect", "--provider", "apify")[0] == 0
    env["APIFY_TOKEN"] = "apify_api_wrong_token_000"
    with serve(FakeApify([]).handle) as base_url:
        env["APIFY_BASE_URL"] = base_url
        assert cli(capsys, env, "collect", "--provider", "apify")[0] == 1
    store = open_store(env["DATABASE_URL"])
    entries = people_store.recent_actions(store)
    store.dispose()
    assert [(e.action, e.outcome) for e in entries] == [("collect", "failed"), ("collect", "ok"), ("backfill", "ok")]
    assert {e.actor for e in entries} == {cli_person().actor} and {e.via for e in entries} == {"cli"}
    assert entries[-1].detail == {"days": 2, "reset": False}


def test_recording_a_run_again_without_a_user_id_keeps_its_owner(database_url, today):
    from core.scraper_runs import record_scraper_run
    from tests.conftest import NO_SLEEP
    from tests.imitation import Imitation, Ledger, populate

    im = Imitation(today, populate(Ledger(), today - timedelta(days=3), today))
    settings = im.settings(database_url)
    store = open_store(database_url)
    run_id = im.ledger.runs[-1].id
    transport = im.transports()["apify"]
    record_scraper_run(settings, store, run_id, user_id="alice", transport=transport, policy=NO_SLEEP)
    again = record_scraper_run(settings, store, run_id, transport=transport, policy=NO_SLEEP)
    assert again.user_id == "alice" and runs.get_run(store, run_id).user_id == "alice"
    assert spend.summary(store, "all", today, owners=("alice",)).total_runs == 1
    store.dispose()
