"""Latency of the Overview's queries next to the floor: the KPI total (``summary``) for every period, everyone's and
one person's, the chart for every range, and the provenance line (``coverage``) for every period.

    python bench/queries.py --database-url sqlite:///bench/.data/bench_1m.db [--database-url ...] [--explain]

Each call is made as the page makes it (``core.store.spend.summary`` / ``chart``, ``core.coverage.coverage``: a pool
checkout, the statement, type processing, the Python result). The floor is the cheapest bare SQL for the same answer
over the same ledger: ONE ``text()`` statement over the rollup (``daily_totals``) on a connection that is already
open, with no pool checkout, no type processing and no Python assembly. App and floor alternate within each
repetition, and several databases take turns within each repetition, so drift affects all of them equally; the
results of app and floor are compared for equality first. ``--explain``
prints the plan of every statement the app sends (``EXPLAIN ANALYZE`` on PostgreSQL, to show whether JIT starts).
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from functools import partial

from _common import backend, machine, median, p95, save, table
from sqlalchemy import event, text

from core.coverage import coverage
from core.money import ZERO, from_nanos
from core.periods import period_window, range_days
from core.store import spend
from core.store.db import open_store
from core.store.runs import user_ids

PERIODS = ("day", "week", "month", "all")
RANGES = ("7d", "30d", "90d")
TOTALS = (
    "sum(cost_usd), sum(CASE WHEN count_unit = 'runs' THEN count END), "
    "sum(CASE WHEN count_unit = 'requests' THEN count END)"
)


def _where(kind: str, first: date | None, last: date, owner: str | None) -> tuple[str, dict]:
    where, params = ["day <= :d2"], {"d2": last.isoformat() if kind == "sqlite" else last}
    if first is not None:
        where.append("day >= :d1")
        params["d1"] = first.isoformat() if kind == "sqlite" else first
    if owner is not None:
        where.append("(owner = '' OR owner = :o)")
        params["o"] = owner
    return " AND ".join(where), params


def floors(kind: str, first: date | None, last: date, owner: str | None = None) -> dict:
    """The bare statements: the period total, the per-day series, the split by provider and cost source."""
    where, params = _where(kind, first, last, owner)
    return {
        "summary": (text(f"SELECT {TOTALS} FROM daily_totals WHERE {where}"), params),
        "chart": (text(f"SELECT day, {TOTALS} FROM daily_totals WHERE {where} GROUP BY day"), params),
        "coverage": (
            text(
                "SELECT provider, cost_source, sum(cost_usd), sum(quantity), max(unit) FROM daily_totals "
                f"WHERE {where} GROUP BY provider, cost_source"
            ),
            params,
        ),
    }


def _money(kind: str, value):
    if value is None:
        return ZERO
    return from_nanos(value) if kind == "sqlite" else value


def same(kind: str, what: str, got, rows) -> None:
    """The app's answer equals the floor's."""
    if what == "summary":
        cost, runs, requests = rows[0]
        want = (_money(kind, cost), int(runs or 0), None if requests is None else int(requests))
        assert (got.total_cost_usd, got.total_runs, got.total_requests) == want, (got, want)
    elif what == "chart":
        by_day = {str(r[0]): (_money(kind, r[1]), int(r[2] or 0)) for r in rows}
        points = {str(p.date): (p.cost_usd, p.runs) for p in got if p.cost_usd or p.runs}
        assert points == by_day, "chart differs from the floor"
    else:
        assert got.total_usd == sum((_money(kind, r[2]) for r in rows), ZERO), (got, rows)


def app_statements(store, fn) -> list[tuple[str, object]]:
    """The SQL (and parameters) the app sends for one call."""
    seen: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        fn()
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    return [(s, p) for s, p in seen if not s.strip().upper().startswith("SELECT 1")]  # pool pre-ping


def explain(store, statements) -> list[str]:
    out = []
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        for statement, params in statements:
            cur = raw.cursor()
            if store.dialect == "sqlite":
                cur.execute("EXPLAIN QUERY PLAN " + statement, params)
                plan = [row[-1] for row in cur.fetchall()]
            else:
                cur.execute("EXPLAIN (ANALYZE, SUMMARY) " + statement, params)
                plan = [row[0] for row in cur.fetchall()]
            cur.close()
            out.append(" ".join(statement.split()) + "\n    " + "\n    ".join(plan))
    return out


def cases(store, kind: str, today: date, owner: str) -> list[tuple[str, object, tuple]]:
    """(name, the app's call, the floor) for every query the Overview makes."""
    out = []
    for period in PERIODS:
        first, last = period_window(period, today)
        out.append((f"summary({period})", partial(spend.summary, store, period, today), ("summary", first, last)))
    for period in PERIODS:
        first, last = period_window(period, today)
        call = partial(spend.summary, store, period, today, owners=(owner,))
        out.append((f"summary({period}, one owner)", call, ("summary", first, last, owner)))
    for range_ in RANGES:
        days = range_days(range_, today)
        out.append((f"chart({range_})", partial(spend.chart, store, range_, today), ("chart", days[0], days[-1])))
    for period in PERIODS:
        first, last = period_window(period, today)
        out.append((f"coverage({period})", partial(coverage, store, first, last), ("coverage", first, last)))
    return [(name, call, floors(kind, *floor[1:])[floor[0]]) for name, call, floor in out]


def open_database(url: str) -> dict:
    kind = backend(url)
    store = open_store(url)
    with store.engine.connect() as conn:
        counts = {
            name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar()
            for name in ("scraper_runs", "daily_costs", "daily_totals")
        }
        jit = conn.execute(text("SHOW jit")).scalar() if kind == "postgres" else None
        today = conn.execute(text("SELECT max(day) FROM daily_totals")).scalar()
    today = date.fromisoformat(today) if isinstance(today, str) else today
    return {
        "backend": kind,
        "store": store,
        "rows": counts,
        "today": today,
        "jit": jit,
        "cases": cases(store, kind, today, user_ids(store)[0]),
        "floor_conn": store.engine.connect(),  # held open: the floor pays no checkout
        "results": [],
        "plans": [],
    }


def measure(urls: list[str], repeat: int, do_explain: bool) -> list[dict]:
    """Every case on every database; within each repetition the databases take turns (app, then floor), so the
    figures of two databases (1M and 10M runs) are measured under the same conditions."""
    dbs = [open_database(url) for url in urls]
    for i in range(len(dbs[0]["cases"])):
        for db in dbs:
            _, call, (sql, params) = db["cases"][i]
            same(db["backend"], db["cases"][i][0].split("(")[0], call(), db["floor_conn"].execute(sql, params).all())
            for _ in range(5):  # warm-up
                call()
                db["floor_conn"].execute(sql, params).all()
        times = [([], []) for _ in dbs]
        for _ in range(repeat):
            for db, (app_t, floor_t) in zip(dbs, times, strict=True):
                _, call, (sql, params) = db["cases"][i]
                t0 = time.perf_counter()
                call()
                t1 = time.perf_counter()
                db["floor_conn"].execute(sql, params).all()
                t2 = time.perf_counter()
                app_t.append(t1 - t0)
                floor_t.append(t2 - t1)
        for db, (app_t, floor_t) in zip(dbs, times, strict=True):
            name, call, _ = db["cases"][i]
            db["results"].append(
                {
                    "query": name,
                    "app_ms": median(app_t) * 1000,
                    "app_p95_ms": p95(app_t) * 1000,
                    "floor_ms": median(floor_t) * 1000,
                    "ratio": median(app_t) / median(floor_t),
                }
            )
            if do_explain:
                db["plans"] += explain(db["store"], app_statements(db["store"], call))
    for db in dbs:
        db["floor_conn"].close()
        db["store"].dispose()
    keep = ("backend", "rows", "today", "jit", "results", "plans")
    return [{k: db[k] for k in keep} for db in dbs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", action="append", required=True, help="repeat for several databases")
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--explain", action="store_true", help="print the plan of every statement the app sends")
    ap.add_argument("--name", default="queries", help="result file name")
    args = ap.parse_args()
    databases = measure(args.database_url, args.repeat, args.explain)
    out = {"machine": machine(), "repeat": args.repeat, "databases": databases}
    for res in out["databases"]:
        print(f"\n{res['backend']}: {res['rows']}, today {res['today']}, jit {res['jit']}, median of {args.repeat}")
        rows = [
            [
                r["query"],
                f"{r['app_ms']:.3f}",
                f"{r['app_p95_ms']:.3f}",
                f"{r['floor_ms']:.3f}",
                f"{r['app_ms'] - r['floor_ms']:+.3f}",
                f"{r['ratio']:.2f}x",
            ]
            for r in res["results"]
        ]
        print(table(["query", "app ms", "app p95 ms", "floor ms", "overhead ms", "app / floor"], rows))
        for plan in res["plans"]:
            print(plan)
    save(args.name, out)


if __name__ == "__main__":
    main()
