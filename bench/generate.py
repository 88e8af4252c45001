"""Generate a realistic large dataset: scraper runs over three years and daily cost lines of five providers.

    python bench/generate.py --database-url sqlite:///bench/.data/bench.db --runs 1000000
    python bench/generate.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/spendboard_bench

Rows go in through SQLAlchemy Core ``executemany`` on the store's own ``Table`` objects, so every value passes
through the same column types as in the app (``Money`` -> integer nano-dollars on SQLite / NUMERIC(20,9) on
PostgreSQL, ``UTCDateTime`` -> naive UTC text on SQLite / timestamptz, ``JSON``). Deterministic for a given
``--seed``, ``--runs``, ``--days`` and ``--end``. The secondary indexes are dropped during the load and rebuilt from
the schema afterwards (then ANALYZE, and VACUUM on PostgreSQL, as autovacuum would do), so the result is the schema
the app creates. Starts empty: the SQLite file is deleted; on PostgreSQL the app's tables are dropped first. At the
end the data is read back through ``core`` and checked against what was generated.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from _common import backend, save

from core.coverage import coverage
from core.models import DERIVED_FROM_CREDITS, PROVIDER_REPORTED
from core.money import ZERO
from core.store import runs as run_store
from core.store.db import open_store
from core.store.schema import daily_costs, metadata, scraper_runs
from core.store.spend import summary

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PROVIDERS = ("openai", "anthropic", "elevenlabs", "deepgram", "openrouter")
STATUSES = (("SUCCEEDED", 92), ("FAILED", 5), ("ABORTED", 2), ("TIMED-OUT", 1))
ORIGINS = (("API", 50), ("SCHEDULER", 40), ("WEB", 10))


def _b62(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 62)
        out.append(BASE62[r])
    return "".join(reversed(out))


def _apify_id(rng: random.Random) -> str:
    return "".join(rng.choices(BASE62, k=17))


def _day_counts(total: int, days: list[date], rng: random.Random) -> list[int]:
    """Runs per day: the team grows (x3 over the span), weekends are quieter, a yearly swing; sums to ``total``."""
    n = len(days)
    weights = []
    for i, d in enumerate(days):
        growth = 0.5 + i / max(n - 1, 1)
        weekend = 0.55 if d.weekday() >= 5 else 1.0
        season = 1 + 0.2 * math.sin(2 * math.pi * d.timetuple().tm_yday / 365.25)
        weights.append(growth * weekend * season * rng.uniform(0.85, 1.15))
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(n), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class Scrapers:
    """30 Actors with Zipf-like popularity, each with its own typical cost and duration."""

    def __init__(self, rng: random.Random):
        self.ids = [_apify_id(rng) for _ in range(30)]
        self.weights = [1 / (i + 1) ** 0.9 for i in range(30)]
        self.cost_units = [rng.randint(2_000, 4_000_000) for _ in range(30)]  # typical cost in 1e-7 USD
        self.seconds = [rng.uniform(20, 2400) for _ in range(30)]
        self.users = [_apify_id(rng) for _ in range(6)]


def generate_runs(n: int, days: list[date], seed: int) -> Iterator[dict]:
    """Run rows (Python values, as ``core.store.runs`` builds them), oldest first."""
    rng = random.Random(seed)
    actors = Scrapers(rng)
    statuses, status_w = zip(*STATUSES, strict=True)
    origins, origin_w = zip(*ORIGINS, strict=True)
    counter = 0
    for day, count in zip(days, _day_counts(n, days, rng), strict=True):
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        offsets = sorted(rng.randrange(86_400_000) for _ in range(count))  # ms in the day
        which = rng.choices(range(30), weights=actors.weights, k=count)
        sts = rng.choices(statuses, weights=status_w, k=count)
        ors = rng.choices(origins, weights=origin_w, k=count)
        for ms_, a, status, origin in zip(offsets, which, sts, ors, strict=True):
            counter += 1
            started = midnight + timedelta(milliseconds=ms_)
            secs = actors.seconds[a] * math.exp(rng.gauss(0, 0.6))
            finished = started + timedelta(seconds=round(secs, 3))
            imported = rng.random() < 0.15
            if rng.random() < 0.01:
                cost = None  # Apify did not report usageTotalUsd
                details = {}
            else:
                units = max(1, int(actors.cost_units[a] * math.exp(rng.gauss(0, 0.8))))
                cost = Decimal(units).scaleb(-7)
                usd = units / 1e7
                cu = round(usd * 0.8 / 0.3, 4)
                writes = rng.randint(0, 5000)
                gb = round(usd * 0.15 / 8, 6)
                details = {
                    "usageUsd": {
                        "ACTOR_COMPUTE_UNITS": round(usd * 0.8, 7),
                        "DATASET_WRITES": round(usd * 0.05, 7),
                        "PROXY_RESIDENTIAL_TRANSFER_GBYTES": round(usd * 0.15, 7),
                    },
                    "usage": {
                        "ACTOR_COMPUTE_UNITS": cu,
                        "DATASET_WRITES": writes,
                        "PROXY_RESIDENTIAL_TRANSFER_GBYTES": gb,
                    },
                    "stats": {"runTimeSecs": round(secs, 3), "computeUnits": cu, "resurrectCount": 0},
                }
            yield {
                # A unique, increasing prefix keeps the run_id index appends sequential; the rest is Apify-like.
                "run_id": _b62(counter, 4) + "".join(rng.choices(BASE62, k=13)),
                "scraper_id": actors.ids[a],
                "user_id": rng.choice(actors.users),
                "source": "import" if imported else "app",
                "cost_usd": cost,
                "usage_details": details,
                "item_count": None if imported else rng.randint(0, 5000),
                "status": status,
                "created_at": started,
                "finished_at": finished,
                "origin": origin,
                "updated_at": finished + timedelta(seconds=rng.randint(1, 30)),
            }


def _line_name(provider: str, i: int) -> tuple[str, str]:
    """(line_item, model) the way each adapter names them."""
    if provider == "openai":
        model = f"gpt-bench-{i:02d}-2025-04-14"
        return f"{model}, {'input' if i % 2 else 'output'}", model
    if provider == "anthropic":
        return f"Claude Bench {i:02d} Usage - {'Input' if i % 2 else 'Output'} Tokens", f"claude-bench-{i:02d}"
    if provider == "elevenlabs":
        model = f"eleven_bench_{i:02d}"
        return f"{model} / {'text-to-speech' if i % 3 else 'speech-to-text'}", model
    if provider == "deepgram":
        return f"streaming::nova-bench-{i:02d}", f"nova-bench-{i:02d}"
    model = f"vendor{i % 7}/bench-model-{i:02d}"
    return model, model


def generate_lines(days: list[date], models: int, seed: int) -> Iterator[dict]:
    """One line per provider x model x day (the worst case: every model used every day)."""
    rng = random.Random(seed + 1)
    scales = {p: [rng.randint(10_000, 50_000_000) for _ in range(models)] for p in PROVIDERS}  # 1e-9 USD
    usd_per_credit = Decimal("0.30") / 1000  # ElevenLabs lines are credits priced at $0.30 per 1k, as the app does
    names = {p: [_line_name(p, i) for i in range(models)] for p in PROVIDERS}
    n = len(days)
    for k, day in enumerate(days):
        growth = 0.5 + k / max(n - 1, 1)
        collected = datetime(day.year, day.month, day.day, 2, tzinfo=UTC) + timedelta(days=1)
        for provider in PROVIDERS:
            for i in range(models):
                nanos = max(1, int(scales[provider][i] * growth * math.exp(rng.gauss(0, 0.5))))
                line_item, model = names[provider][i]
                credits = quantity = unit = None
                cost = Decimal(nanos).scaleb(-9)
                if provider == "elevenlabs":  # core.store.costs stores the credits as exact decimal text
                    credits = Decimal(max(1, nanos // 30_000)).scaleb(-1)
                    cost, quantity, unit = credits * usd_per_credit, format(credits, "f"), "credits"
                yield {
                    "provider": provider,
                    "day": day,
                    "line_item": line_item,
                    "model": model,
                    "cost_usd": cost,
                    "requests": None if provider == "anthropic" else rng.randint(0, 20_000),
                    "cost_source": DERIVED_FROM_CREDITS if credits is not None else PROVIDER_REPORTED,
                    "collected_at": collected,
                    "quantity": quantity,
                    "unit": unit,
                }


def _batches(rows: Iterator[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _fresh_sqlite(url: str) -> None:
    path = url.split("sqlite:///", 1)[1]
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--runs", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=3 * 365, help="span ending --end (default three years)")
    ap.add_argument("--models", type=int, default=40, help="models per provider (five providers)")
    ap.add_argument("--end", type=date.fromisoformat, default=datetime.now(UTC).date(), help="last day (UTC)")
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--batch", type=int, default=10_000)
    args = ap.parse_args()

    url = args.database_url
    kind = backend(url)
    if kind == "sqlite" and url.startswith("sqlite:///") and ":memory:" not in url:
        _fresh_sqlite(url)
    elif kind == "postgres":  # the schema of this checkout, not whatever an earlier run left behind
        engine = sa.create_engine(url)
        metadata.drop_all(engine)
        engine.dispose()
    store = open_store(url)
    days = [args.end - timedelta(days=args.days - 1 - i) for i in range(args.days)]
    secondary = [*scraper_runs.indexes, *daily_costs.indexes]
    t_start = time.perf_counter()
    with store.engine.begin() as conn:
        for index in secondary:
            index.drop(conn, checkfirst=True)

    expected = {"runs": 0, "runs_cost": ZERO, "lines": 0, "lines_cost": ZERO}
    sample = None
    for table, rows, what in (
        (scraper_runs, generate_runs(args.runs, days, args.seed), "runs"),
        (daily_costs, generate_lines(days, args.models, args.seed), "lines"),
    ):
        t0 = time.perf_counter()
        stmt = table.insert()
        for batch in _batches(rows, args.batch):
            with store.engine.begin() as conn:
                if kind == "sqlite":
                    conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB for the load connection
                conn.execute(stmt, batch)
            expected[what] += len(batch)
            expected[f"{what}_cost"] += sum((r["cost_usd"] for r in batch if r["cost_usd"] is not None), ZERO)
            if what == "runs" and sample is None:
                sample = batch[len(batch) // 2]
        elapsed = time.perf_counter() - t0
        print(f"{table.name}: {expected[what]:,} rows in {elapsed:.1f} s ({expected[what] / elapsed:,.0f} rows/s)")

    t0 = time.perf_counter()
    with store.engine.begin() as conn:
        for index in secondary:
            index.create(conn)
    if kind == "postgres":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE scraper_runs")
            conn.exec_driver_sql("VACUUM ANALYZE daily_costs")
    else:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    index_s = time.perf_counter() - t0
    total_s = time.perf_counter() - t_start
    print(f"indexes + analyze: {index_s:.1f} s; total {total_s:.1f} s")

    # Read back through core: the app sees exactly what was generated.
    got = run_store.get_run(store, sample["run_id"])
    assert got is not None and got.cost_usd == sample["cost_usd"] and got.created_at == sample["created_at"], got
    assert got.usage_details == sample["usage_details"]
    total = summary(store, "all", args.end)
    assert total.total_runs == expected["runs"], (total.total_runs, expected["runs"])
    assert total.total_cost_usd == expected["runs_cost"] + expected["lines_cost"], total
    derived = coverage(store, None, args.end).derived_prices
    assert derived == {"elevenlabs": Decimal("0.3000")}, derived  # ElevenLabs credits priced as the app prices them
    print(f"check: summary(all) = ${total.total_cost_usd:,.9f} over {total.total_runs:,} runs, matches the generator")

    size = None
    with store.engine.connect() as conn:
        if kind == "postgres":
            size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
        else:
            size = conn.exec_driver_sql(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            ).scalar()
    print(f"database size: {size / 2**20:,.0f} MiB")
    save(
        f"generate_{kind}",
        {
            "backend": kind,
            "runs": expected["runs"],
            "lines": expected["lines"],
            "days": args.days,
            "end": args.end,
            "seconds_total": round(total_s, 1),
            "seconds_indexes": round(index_s, 1),
            "size_mib": round(size / 2**20),
        },
    )
    store.dispose()


if __name__ == "__main__":
    main()
