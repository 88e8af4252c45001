"""The store contract, run on SQLite and PostgreSQL alike."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, text

from core.models import DailyCost, ScraperRun
from core.store import ledger, runs, spend
from core.store.db import open_store
from core.store.schema import SCHEMA_VERSION

TODAY = date(2026, 3, 1)


def _run(run_id: str, started: datetime, cost: str | None, **kw) -> ScraperRun:
    return ScraperRun(
        run_id, kw.pop("scraper_id", "act"), started, "SUCCEEDED", None if cost is None else Decimal(cost), **kw
    )


def _save(store, items, keep_labels=False):
    runs.save_runs(store, items, keep_labels=keep_labels)


def test_money_is_exact_where_floats_drift(store):
    # 0.1 + 0.2 as floats is 0.30000000000000004; a REAL column would store the drift.
    _save(
        store,
        [
            _run("a", datetime(2026, 3, 1, 1, tzinfo=UTC), "0.1"),
            _run("b", datetime(2026, 3, 1, 2, tzinfo=UTC), "0.2"),
            _run("c", datetime(2026, 3, 1, 3, tzinfo=UTC), "0.000000001"),
        ],
    )
    total = spend.summary(store, "day", TODAY).total_cost_usd
    assert total == Decimal("0.300000001")
    assert isinstance(total, Decimal)
    assert runs.get_run(store, "a").cost_usd == Decimal("0.1")


def test_a_million_small_costs_sum_exactly(store):
    items = [_run(f"r{i}", datetime(2026, 2, 1, tzinfo=UTC) + timedelta(minutes=i), "0.000001") for i in range(3000)]
    _save(store, items)
    assert spend.summary(store, "all", TODAY).total_cost_usd == Decimal("0.003")


def test_day_boundaries_are_utc(store):
    _save(
        store,
        [
            _run("late", datetime(2026, 2, 28, 23, 59, 59, 999999, tzinfo=UTC), "1"),
            _run("early", datetime(2026, 3, 1, 0, 0, tzinfo=UTC), "2"),
            # 00:30 in Paris on 1 March is still 28 February in UTC
            _run("tz", datetime(2026, 3, 1, 0, 30, tzinfo=ZoneInfo("Europe/Paris")), "4"),
        ],
    )
    assert spend.summary(store, "day", TODAY).total_cost_usd == Decimal("2")
    points = {p.date: p for p in spend.chart(store, "7d", TODAY)}
    assert (points[date(2026, 2, 28)].cost_usd, points[date(2026, 2, 28)].runs) == (Decimal("5"), 2)


def test_summaries_equal_the_sum_of_their_charts(store):
    start = datetime(2025, 11, 1, tzinfo=UTC)
    _save(store, [_run(f"r{i}", start + timedelta(hours=7 * i), f"0.{i:04d}") for i in range(500)])
    with store.engine.begin() as conn:
        ledger.replace_lines(
            conn,
            "openai",
            date(2026, 1, 1),
            TODAY,
            [
                DailyCost("openai", date(2026, 1, 1) + timedelta(days=i), "gpt, input", "gpt", Decimal("1.25"), 3)
                for i in range(60)
            ],
        )
    for period, range_ in (("week", "7d"), ("month", "30d")):
        s = spend.summary(store, period, TODAY)
        points = spend.chart(store, range_, TODAY)
        assert s.total_cost_usd == sum(p.cost_usd for p in points)
        assert s.total_runs == sum(p.runs for p in points)
        assert s.total_requests == sum(p.requests or 0 for p in points)


def test_chart_has_every_day_with_zeros(store):
    _save(store, [_run("one", datetime(2026, 2, 20, 12, tzinfo=UTC), "3.5")])
    points = spend.chart(store, "90d", TODAY)
    assert len(points) == 90 and points[0].date == TODAY - timedelta(days=89) and points[-1].date == TODAY
    assert [p.cost_usd for p in points if p.cost_usd] == [Decimal("3.5")]
    assert sum(1 for p in points if p.cost_usd == 0 and p.runs == 0) == 89


def test_provider_filter_reads_runs_for_apify_and_lines_for_the_others(store):
    _save(store, [_run("r", datetime(2026, 3, 1, 5, tzinfo=UTC), "2")])
    with store.engine.begin() as conn:
        ledger.replace_lines(
            conn,
            "anthropic",
            TODAY,
            TODAY,
            [DailyCost("anthropic", TODAY, "Claude input", "claude", Decimal("7"), None)],
        )
    assert spend.summary(store, "day", TODAY).total_cost_usd == Decimal("9")
    assert spend.summary(store, "day", TODAY, "apify").total_cost_usd == Decimal("2")
    anthropic = spend.summary(store, "day", TODAY, "anthropic")
    assert (anthropic.total_cost_usd, anthropic.total_runs, anthropic.total_requests) == (Decimal("7"), 0, None)


def test_list_runs_filters_and_totals_cover_the_whole_filter(store):
    base = datetime(2026, 2, 1, tzinfo=UTC)
    _save(
        store,
        [
            _run(
                f"r{i}",
                base + timedelta(days=i),
                "1.5",
                scraper_id="maps" if i % 2 else "shop",
                source="import" if i < 10 else "app",
            )
            for i in range(20)
        ],
    )
    page = runs.list_runs(store, first=date(2026, 2, 5), last=date(2026, 2, 14), scraper_id="maps", limit=2)
    assert len(page.items) == 2 and page.total_runs == 5 and page.total_cost_usd == Decimal("7.5")
    assert page.items[0].created_at > page.items[1].created_at
    assert runs.list_runs(store, source="app").total_runs == 10
    assert runs.list_runs(store, scraper_id="' OR 1=1 --").total_runs == 0


def test_replace_lines_upserts_and_drops_lines_the_provider_no_longer_reports(store):
    day = date(2026, 2, 10)
    first = [DailyCost("openai", day, "a", "m", Decimal("1"), 1), DailyCost("openai", day, "b", "m", Decimal("2"), 0)]
    for _ in range(2):
        with store.engine.begin() as conn:
            ledger.replace_lines(conn, "openai", day, day, first)
    assert len(ledger.lines_between(store, day, day)) == 2
    with store.engine.begin() as conn:
        ledger.replace_lines(conn, "openai", day, day, [DailyCost("openai", day, "a", "m", Decimal("1.5"), 4)])
    assert [(x.line_item, x.cost_usd, x.requests) for x in ledger.lines_between(store, day, day)] == [
        ("a", Decimal("1.5"), 4)
    ]


def test_schema_creation_is_idempotent_and_versioned(database_url):
    for _ in range(2):
        s = open_store(database_url)
        with s.engine.connect() as conn:
            assert conn.execute(text("SELECT version FROM schema_version")).scalar_one() == SCHEMA_VERSION
        s.dispose()


def test_sqlite_directory_is_created_on_first_use(tmp_path):
    url = f"sqlite:///{tmp_path / 'nested' / 'dir' / 'spend.db'}"
    open_store(url).dispose()
    assert (tmp_path / "nested" / "dir" / "spend.db").exists()


@pytest.mark.parametrize(
    "line",
    [
        DailyCost("anthropic", TODAY, "x", None, Decimal(1), None),  # another provider's line
        DailyCost("openai", TODAY + timedelta(days=1), "x", None, Decimal(1), None),  # outside the window
        DailyCost("openai", TODAY, "x", None, Decimal(1), None, "demo"),  # a sample line among real ones
    ],
)
def test_replace_lines_refuses_lines_that_do_not_belong_to_the_window(store, line):
    with store.engine.begin() as conn, pytest.raises(ValueError):
        ledger.replace_lines(conn, "openai", TODAY, TODAY, [line])
    assert ledger.lines_between(store, TODAY - timedelta(days=1), TODAY + timedelta(days=1)) == []


def test_upserting_many_runs_at_once_stays_under_the_drivers_parameter_limits(store):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    many = [_run(f"m{i}", start + timedelta(minutes=i), "0.000001") for i in range(7000)]  # 7000 x 12 > 65,535
    _save(store, many)
    _save(store, many, keep_labels=True)  # and again: updates, not duplicates
    assert runs.count_runs(store) == 7000
    assert spend.summary(store, "all", TODAY).total_cost_usd == Decimal("0.007")


def test_a_nullable_column_added_since_the_database_was_made_is_added_on_start(database_url):
    s = open_store(database_url)
    with s.engine.begin() as conn:  # an older database: reconciliations without its note column
        conn.execute(text('ALTER TABLE reconciliations DROP COLUMN "note"'))
    s.dispose()
    s = open_store(database_url)
    with s.engine.connect() as conn:
        assert "note" in {c["name"] for c in inspect(conn).get_columns("reconciliations")}
    s.dispose()
