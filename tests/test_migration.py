"""A version-1 database (before the spend ledger) is upgraded in place on start, on SQLite and PostgreSQL: every
line kept exactly, Apify's lines built from its runs, the rollup filled, and every figure as before."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import create_engine, insert, inspect, select, text

from core.models import RUN_REPORTED, RUNS
from core.store import ledger, spend
from core.store.db import open_store
from core.store.schema import SCHEMA_VERSION, daily_costs, daily_totals
from tests import schema_v1 as v1

DAY = date(2026, 10, 14)


def _v1_database(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        v1.metadata.create_all(conn)
        conn.execute(insert(v1.schema_version).values(version=1))
        conn.execute(
            insert(v1.daily_costs),
            [
                {
                    "provider": "openai",
                    "day": DAY,
                    "line_item": "gpt-4o-2024-08-06, input",
                    "model": "gpt-4o-2024-08-06",
                    "cost_usd": Decimal("0.123456789"),
                    "requests": 7,
                    "cost_source": "provider_reported",
                    "collected_at": datetime(2026, 10, 15, tzinfo=UTC),
                    "quantity": None,
                    "unit": None,
                },
                {
                    "provider": "anthropic",
                    "day": DAY,
                    "line_item": "Claude Sonnet 4 Usage - Input Tokens",
                    "model": "claude-sonnet-4",
                    "cost_usd": Decimal("1.2378912"),
                    "requests": None,
                    "cost_source": "provider_reported",
                    "collected_at": datetime(2026, 10, 15, tzinfo=UTC),
                    "quantity": None,
                    "unit": None,
                },
                {
                    "provider": "elevenlabs",
                    "day": DAY + timedelta(days=1),
                    "line_item": "eleven_multilingual_v2 / text-to-speech",
                    "model": "eleven_multilingual_v2",
                    "cost_usd": Decimal("0.03765"),
                    "requests": 3,
                    "cost_source": "derived_from_credits",
                    "collected_at": datetime(2026, 10, 16, tzinfo=UTC),
                    "quantity": "125.5",
                    "unit": "credits",
                },
            ],
        )
        start = datetime(2026, 10, 14, 23, 30, tzinfo=UTC)
        conn.execute(
            insert(v1.scraper_runs),
            [
                {
                    "run_id": f"r{i}",
                    "scraper_id": "actA" if i % 2 else "actB",
                    "user_id": "alice" if i < 3 else None,
                    "source": "import",
                    "cost_usd": None if i == 4 else Decimal(f"0.{i + 1}"),
                    "status": "SUCCEEDED",
                    "created_at": start + timedelta(minutes=20 * i),
                    "updated_at": start,
                    "usage_details": {},
                }
                for i in range(6)
            ],
        )
    engine.dispose()


def test_a_version_1_database_is_upgraded_with_every_figure_kept(database_url):
    _v1_database(database_url)
    store = open_store(database_url)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version FROM schema_version")).scalar_one() == SCHEMA_VERSION
        tables = set(inspect(conn).get_table_names())
        assert "daily_costs_v1" not in tables and {"daily_totals", "data_version"} <= tables
        assert "ix_scraper_runs_created_cost" not in {i["name"] for i in inspect(conn).get_indexes("scraper_runs")}
    lines = ledger.lines_between(store, DAY, DAY + timedelta(days=1))
    by_item = {(x.provider, x.line_item, x.owner): x for x in lines}
    assert by_item[("openai", "gpt-4o-2024-08-06, input", "")].cost_usd == Decimal("0.123456789")
    assert by_item[("anthropic", "Claude Sonnet 4 Usage - Input Tokens", "")].requests is None
    eleven = by_item[("elevenlabs", "eleven_multilingual_v2 / text-to-speech", "")]
    assert (eleven.quantity, eleven.unit) == (Decimal("125.5"), "credits")
    # Apify: one line per (start day, actor, owner) built from the runs; a run without a cost adds nothing.
    apify = {
        (x.day, x.line_item, x.owner): (x.cost_usd, x.requests, x.cost_source) for x in lines if x.provider == "apify"
    }
    assert apify == {
        (DAY, "actB", "alice"): (Decimal("0.1"), 1, RUN_REPORTED),
        (DAY, "actA", "alice"): (Decimal("0.2"), 1, RUN_REPORTED),
        (DAY + timedelta(days=1), "actB", "alice"): (Decimal("0.3"), 1, RUN_REPORTED),
        (DAY + timedelta(days=1), "actA", "(unknown)"): (Decimal("0.4") + Decimal("0.6"), 2, RUN_REPORTED),
        (DAY + timedelta(days=1), "actB", "(unknown)"): (Decimal("0"), 1, RUN_REPORTED),
    }
    cost, runs, requests = spend.totals(store, DAY, DAY + timedelta(days=1))
    assert cost == Decimal("0.123456789") + Decimal("1.2378912") + Decimal("0.03765") + Decimal("1.6")
    assert (runs, requests) == (6, 10)
    with store.engine.connect() as conn:
        units = {
            r.count_unit
            for r in conn.execute(select(daily_costs.c.count_unit).where(daily_costs.c.provider == "apify"))
        }
        assert units == {RUNS}
        assert conn.execute(select(daily_totals)).first() is not None
    store.dispose()
    again = open_store(database_url)  # a second start changes nothing
    assert spend.totals(again, DAY, DAY + timedelta(days=1)) == (cost, runs, requests)
    again.dispose()
