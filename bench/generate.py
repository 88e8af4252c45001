"""Generate a realistic large dataset: scraper runs over three years, the ledger, and its per-day rollup.

    python bench/generate.py --database-url sqlite:///bench/.data/bench_1m.db --runs 1000000
    python bench/generate.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/spendboard_bench_1m

Three steps, each what the app does or its bulk equivalent:

1. Runs (``scraper_runs``) and the daily lines of five providers (``daily_costs``) go in through SQLAlchemy Core
   ``executemany`` on the store's own ``Table`` objects, so every value passes through the app's column types
   (``Money`` -> integer nano-dollars on SQLite / NUMERIC(20,9) on PostgreSQL, ``UTCDateTime``, ``JSON``). Lines
   get the keys ``core.store.ledger`` gives them. Secondary indexes are dropped during the load and rebuilt from the
   schema afterwards.
2. Apify's ledger lines are built from the runs by the store's own ``ledger.rebuild_run_lines`` (one line per day,
   Actor and run owner), and the rollup of every provider by ``ledger.refresh_totals``, in one ``Store.write()``
   transaction, as a collection or back-fill does for the days it touches. Then ANALYZE (and VACUUM on PostgreSQL).
3. The data is read back through ``core`` and checked against the generator's exact Decimal totals: a sample run,
   ``summary(all)``, the Apify ledger against the runs, and the ElevenLabs price.

Deterministic for a given ``--seed``, ``--runs``, ``--days`` and ``--end``. Starts empty: the SQLite file is
deleted; on PostgreSQL the database is created if missing and the app's tables are dropped first.
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
from _common import backend, ensure_pg_database, save

from core.coverage import coverage
from core.models import DERIVED_FROM_CREDITS, PROVIDER_REPORTED, REQUESTS
from core.money import ZERO
from core.store import ledger
from core.store import runs as run_store
from core.store.db import open_store
from core.store.schema import daily_costs, daily_totals, metadata, scraper_runs
from core.store.spend import summary

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PROVIDERS = ("openai", "anthropic", "elevenlabs", "deepgram", "openrouter")
STATUSES = (("SUCCEEDED", 92), ("FAILED", 5), ("ABORTED", 2), ("TIMED-OUT", 1))
ORIGINS = (("API", 50), ("SCHEDULER", 40), ("WEB", 10))
TABLES = (scraper_runs, daily_costs, daily_totals)


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
                quantity = unit = None
                cost = Decimal(nanos).scaleb(-9)
                if provider == "elevenlabs":  # credits, priced as the adapter prices them
                    quantity, unit = Decimal(max(1, nanos // 30_000)).scaleb(-1), "credits"
                    cost = quantity * usd_per_credit
                yield {
                    "provider": provider,
                    "day": day,
                    "item_key": ledger.item_key(line_item),
                    "owner": "",  # LLM spend is team-wide
                    "count_unit": REQUESTS,
                    "line_item": line_item,
                    "model": model,
                    "cost_usd": cost,
                    "requests": None if provider == "anthropic" else rng.randint(0, 20_000),
                    "cost_source": DERIVED_FROM_CREDITS if quantity is not None else PROVIDER_REPORTED,
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


def load(store, table, rows: Iterator[dict], batch_size: int) -> tuple[int, Decimal, dict | None]:
    """Insert ``rows`` in batches of one transaction each; returns (rows, exact cost sum, a sample row)."""
    count, cost, sample = 0, ZERO, None
    stmt = table.insert()
    for batch in _batches(rows, batch_size):
        with store.engine.begin() as conn:
            if store.dialect == "sqlite":
                conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB for the load connection
            conn.execute(stmt, batch)
        count += len(batch)
        cost += sum((r["cost_usd"] for r in batch if r["cost_usd"] is not None), ZERO)
        sample = sample or batch[len(batch) // 2]
    return count, cost, sample


def build_ledger(store) -> None:
    """Apify's lines from the runs and every provider's rollup, as the app writes them, in one transaction."""
    with store.write() as conn:
        ledger.rebuild_run_lines(conn)  # every day; also rewrites Apify's rollup
        for provider in PROVIDERS:
            ledger.refresh_totals(conn, provider, None, None)


def analyze(store) -> None:
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in ("scraper_runs", "daily_costs", "daily_totals"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {name}")
    else:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def check(store, end: date, expected: dict, sample: dict) -> str:
    """Read back through ``core``: what the app sees is exactly what was generated."""
    got = run_store.get_run(store, sample["run_id"])
    assert got is not None and got.cost_usd == sample["cost_usd"] and got.created_at == sample["created_at"], got
    assert got.usage_details == sample["usage_details"]
    total = summary(store, "all", end)
    assert total.total_runs == expected["runs"], (total.total_runs, expected["runs"])
    assert total.total_cost_usd == expected["runs_cost"] + expected["lines_cost"], total
    apify = summary(store, "all", end, provider=ledger.APIFY)
    assert (apify.total_cost_usd, apify.total_runs) == (expected["runs_cost"], expected["runs"]), apify
    runs_sum = sa.select(sa.func.sum(scraper_runs.c.cost_usd), sa.func.count())
    lines_sum = sa.select(sa.func.sum(daily_costs.c.cost_usd), sa.func.sum(daily_costs.c.requests)).where(
        daily_costs.c.provider == ledger.APIFY
    )
    with store.engine.connect() as conn:
        runs_cost, runs = conn.execute(runs_sum).one()
        lines_cost, lines_runs = conn.execute(lines_sum).one()
        apify_lines = conn.execute(
            sa.select(sa.func.count()).select_from(daily_costs).where(daily_costs.c.provider == ledger.APIFY)
        ).scalar()
    assert (lines_cost, lines_runs) == (runs_cost, runs) == (expected["runs_cost"], expected["runs"]), (
        lines_cost,
        lines_runs,
        runs_cost,
        runs,
    )
    derived = coverage(store, None, end).derived_prices
    assert derived == {"elevenlabs": Decimal("0.3000")}, derived  # ElevenLabs credits priced as the app prices them
    return (
        f"check: summary(all) = ${total.total_cost_usd:,.9f} over {total.total_runs:,} runs, matches the generator; "
        f"the Apify ledger ({apify_lines:,} lines) equals the sum of the runs"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--runs", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=3 * 365, help="span ending --end (default three years)")
    ap.add_argument("--models", type=int, default=40, help="models per provider (five providers)")
    ap.add_argument("--end", type=date.fromisoformat, default=datetime.now(UTC).date(), help="last day (UTC)")
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--name", default=None, help="result file suffix (default: backend and size)")
    args = ap.parse_args()

    url = args.database_url
    kind = backend(url)
    if kind == "sqlite" and url.startswith("sqlite:///") and ":memory:" not in url:
        _fresh_sqlite(url)
    elif kind == "postgres":  # the schema of this checkout, not whatever an earlier run left behind
        url = ensure_pg_database(url, sa.make_url(url).database)
        engine = sa.create_engine(url)
        metadata.drop_all(engine)
        engine.dispose()
    store = open_store(url)
    days = [args.end - timedelta(days=args.days - 1 - i) for i in range(args.days)]
    secondary = [*scraper_runs.indexes, *daily_costs.indexes]
    timings = {}
    t_start = time.perf_counter()
    with store.engine.begin() as conn:
        for index in secondary:
            index.drop(conn, checkfirst=True)

    expected = {}
    sources = {"runs": generate_runs(args.runs, days, args.seed), "lines": generate_lines(days, args.models, args.seed)}
    for (what, rows), table in zip(sources.items(), (scraper_runs, daily_costs), strict=True):
        t0 = time.perf_counter()
        expected[what], expected[f"{what}_cost"], expected[f"{what}_sample"] = load(store, table, rows, args.batch)
        timings[what] = time.perf_counter() - t0
        print(f"{table.name}: {expected[what]:,} rows in {timings[what]:.1f} s")

    steps = (
        ("indexes", lambda: [index.create(store.engine) for index in secondary]),
        ("ledger", lambda: build_ledger(store)),
        ("analyze", lambda: analyze(store)),
    )
    for name, step in steps:
        t0 = time.perf_counter()
        step()
        timings[name] = time.perf_counter() - t0
        print(f"{name}: {timings[name]:.1f} s")
    total_s = time.perf_counter() - t_start
    print(f"total {total_s:.1f} s")
    print(check(store, args.end, expected, expected["runs_sample"]))

    with store.engine.connect() as conn:
        if kind == "postgres":
            size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
        else:
            size = conn.exec_driver_sql(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            ).scalar()
        counts = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in TABLES}
    print(f"database size: {size / 2**20:,.0f} MiB; rows: {counts}")
    save(
        f"generate_{args.name or f'{kind}_{args.runs}'}",
        {
            "backend": kind,
            "rows": counts,
            "days": args.days,
            "end": args.end,
            "seconds": {k: round(v, 1) for k, v in timings.items()},
            "seconds_total": round(total_s, 1),
            "size_mib": round(size / 2**20),
            "total_usd": expected["runs_cost"] + expected["lines_cost"],
        },
    )
    store.dispose()


if __name__ == "__main__":
    main()
