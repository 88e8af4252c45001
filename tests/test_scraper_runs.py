"""Capture of Apify runs into the store, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from core.errors import InputError, ProviderUnavailable
from core.scraper_runs import backfill, record_scraper_run
from core.store import runs, spend
from tests.conftest import NO_SLEEP, load_fixture
from tests.fakes import FakeApify, run_item

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
# Costs chosen so that float addition would drift: 0.1 + 0.2 != 0.3 in binary.
COSTS = ["0.1", "0.2", "0.0761284", "1.000001", "0.000003", "12.345678", "0.3333333", "7"]


def _account(n: int = 40) -> list[dict]:
    items = []
    for i in range(n):
        started = NOW - timedelta(days=i * 3, hours=i)  # spans ~120 days, some outside the 90-day window
        items.append(
            run_item(
                f"run{i:04d}",
                started,
                float(COSTS[i % len(COSTS)]),
                status=("SUCCEEDED", "FAILED", "ABORTED", "RUNNING")[i % 4],
            )
        )
    return items


def _expected(items: list[dict], days: int) -> tuple[Decimal, int]:
    since = datetime.combine((NOW - timedelta(days=days - 1)).date(), datetime.min.time(), tzinfo=UTC)
    inside = [i for i in items if datetime.fromisoformat(i["startedAt"].replace("Z", "+00:00")) >= since]
    return sum((Decimal(str(i["usageTotalUsd"])) for i in inside), Decimal(0)), len(inside)


def test_backfill_stores_the_exact_sum_of_usage_total_usd(settings, store):
    items = _account()
    result = backfill(settings, store, days=90, transport=FakeApify(items).transport(), policy=NO_SLEEP, now=NOW)
    cost, count = _expected(items, 90)
    assert (result.fetched, result.total_cost_usd) == (count, cost)
    stored = runs.list_runs(store, limit=1000)
    assert stored.total_runs == count and stored.total_cost_usd == cost
    assert {r.source for r in stored.items} == {"import"}
    assert {r.status for r in stored.items} == {"SUCCEEDED", "FAILED", "ABORTED", "RUNNING"}


def test_backfill_twice_changes_nothing_and_reset_gives_the_same_totals(settings, store):
    items = _account()
    backfill(settings, store, transport=FakeApify(items).transport(), policy=NO_SLEEP, now=NOW)
    first = spend.summary(store, "all", NOW.date())
    backfill(settings, store, transport=FakeApify(items).transport(), policy=NO_SLEEP, now=NOW)
    assert spend.summary(store, "all", NOW.date()) == first
    result = backfill(settings, store, reset=True, transport=FakeApify(items).transport(), policy=NO_SLEEP, now=NOW)
    assert result.deleted == first.total_runs
    assert spend.summary(store, "all", NOW.date()) == first


def test_reset_deletes_only_imported_runs_and_backfill_keeps_an_apps_source(settings, store):
    items = _account(8)
    fake = FakeApify(items)
    record_scraper_run(settings, store, "run0001", scraper_id="my-scraper", transport=fake.transport(), policy=NO_SLEEP)
    backfill(settings, store, reset=True, transport=fake.transport(), policy=NO_SLEEP, now=NOW)
    kept = runs.get_run(store, "run0001")
    assert (kept.source, kept.scraper_id) == ("app", "my-scraper")
    backfill(settings, store, reset=True, transport=fake.transport(), policy=NO_SLEEP, now=NOW)
    assert runs.get_run(store, "run0001").source == "app"
    assert runs.count_runs(store) == _expected(items, 90)[1]


def test_failed_backfill_changes_nothing_even_with_reset(settings, store):
    items = _account(2500)
    backfill(settings, store, days=3650, transport=FakeApify(items).transport(), policy=NO_SLEEP, now=NOW)
    before = runs.list_runs(store, limit=1)
    fake = FakeApify(items)
    calls = {"n": 0}

    def second_page_fails(request: httpx.Request):
        calls["n"] += 1
        return httpx.Response(503) if calls["n"] > 1 else None

    fake.hook = second_page_fails
    with pytest.raises(ProviderUnavailable):
        backfill(settings, store, days=3650, reset=True, transport=fake.transport(), policy=NO_SLEEP, now=NOW)
    after = runs.list_runs(store, limit=1)
    assert (after.total_runs, after.total_cost_usd) == (before.total_runs, before.total_cost_usd)


def test_record_is_idempotent_and_re_recording_updates(settings, store):
    item = load_fixture("apify", "run.json")["data"]
    fake = FakeApify([item])
    record_scraper_run(settings, store, item["id"], transport=fake.transport(), policy=NO_SLEEP)
    item["usageTotalUsd"] = 0.5
    item["status"] = "SUCCEEDED"
    run = record_scraper_run(
        settings,
        store,
        item["id"],
        scraper_id="maps",
        user_id="u1",
        source="app",
        transport=fake.transport(),
        policy=NO_SLEEP,
    )
    assert runs.count_runs(store) == 1
    stored = runs.get_run(store, item["id"])
    assert stored == run
    assert (stored.cost_usd, stored.scraper_id, stored.user_id, stored.item_count) == (Decimal("0.5"), "maps", "u1", 42)


@pytest.mark.parametrize("bad", ["", "../etc", "abc def", "x" * 65])
def test_record_rejects_malformed_run_ids_without_calling_apify(settings, store, bad):
    fake = FakeApify([])
    with pytest.raises(InputError):
        record_scraper_run(settings, store, bad, transport=fake.transport())
    assert fake.requests == []


@pytest.mark.parametrize("days", [0, -5, 100000, True])
def test_backfill_rejects_bad_day_counts(settings, store, days):
    with pytest.raises(InputError, match="days must be"):
        backfill(settings, store, days=days, transport=FakeApify([]).transport())
