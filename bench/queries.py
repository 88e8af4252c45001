"""Query latency of ``summary`` (every period) and ``chart`` (every range) next to the floor.

    python bench/queries.py --database-url sqlite:///bench/.data/bench.db [--database-url postgresql+psycopg://...]

The floor is the same aggregate as ONE bare SQL statement (``text()``) on the same database, executed on a
connection that is already open: what the database itself needs, with no pool checkout, no type processing and
no second round trip. App and floor calls alternate within each repetition, so drift affects both equally; the
table shows medians (and p95) after warm-up. ``--explain`` prints the plan of every statement the app sends.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

import sqlalchemy as sa
from _common import backend, machine, median, ms, p95, save, table
from sqlalchemy import event, text

from core.money import ZERO, from_nanos
from core.periods import day_start, period_window, range_days
from core.store.db import open_store
from core.store.spend import chart, summary

PERIODS = ("day", "week", "month", "all")
RANGES = ("7d", "30d", "90d")


def _stamp(kind: str, day: date):
    """A day's midnight as the database stores it (naive UTC text on SQLite, timestamptz on PostgreSQL)."""
    moment = day_start(day)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if kind == "sqlite" else moment


def _day(kind: str, day: date):
    return day.isoformat() if kind == "sqlite" else day


def summary_floor(kind: str, period: str, today: date):
    """One statement: the runs' sum and count and the lines' sum and requests over the period."""
    first, last = period_window(period, today)
    params = {"b": _stamp(kind, last + timedelta(days=1)), "d2": _day(kind, last)}
    runs_where, lines_where = "created_at < :b", "day <= :d2"
    if first is not None:
        params.update(a=_stamp(kind, first), d1=_day(kind, first))
        runs_where, lines_where = f"created_at >= :a AND {runs_where}", f"day >= :d1 AND {lines_where}"
    sql = text(
        "SELECT r.cost, r.n, l.cost, l.requests FROM "
        f"(SELECT sum(cost_usd) AS cost, count(*) AS n FROM scraper_runs WHERE {runs_where}) AS r, "
        f"(SELECT sum(cost_usd) AS cost, sum(requests) AS requests FROM daily_costs WHERE {lines_where}) AS l"
    )
    return sql, params


def chart_floor(kind: str, range_: str, today: date):
    """One statement: runs per UTC day and lines per day, grouped in SQL (no zero-filling)."""
    days = range_days(range_, today)
    params = {
        "a": _stamp(kind, days[0]),
        "b": _stamp(kind, days[-1] + timedelta(days=1)),
        "d1": _day(kind, days[0]),
        "d2": _day(kind, days[-1]),
    }
    sql = text(
        "SELECT date(created_at) AS d, sum(cost_usd), count(*), NULL FROM scraper_runs "
        "WHERE created_at >= :a AND created_at < :b GROUP BY date(created_at) "
        "UNION ALL "
        "SELECT day, sum(cost_usd), NULL, sum(requests) FROM daily_costs WHERE day >= :d1 AND day <= :d2 GROUP BY day"
    )
    return sql, params


def _money(kind: str, value):
    if value is None:
        return ZERO
    return from_nanos(value) if kind == "sqlite" else value


def check_summary(kind: str, got, row) -> None:
    cost = _money(kind, row[0]) + _money(kind, row[2])
    assert (got.total_cost_usd, got.total_runs) == (cost, row[1]), (got, row)
    assert got.total_requests == (None if row[3] is None else int(row[3])), (got, row)


def check_chart(kind: str, points, rows) -> None:
    cost = sum((_money(kind, r[1]) for r in rows), ZERO)
    runs = sum(r[2] or 0 for r in rows)
    assert sum((p.cost_usd for p in points), ZERO) == cost, "chart cost differs from the floor"
    assert sum(p.runs for p in points) == runs, "chart runs differ from the floor"


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
                cur.execute("EXPLAIN " + statement, params)
                plan = [row[0] for row in cur.fetchall()]
            cur.close()
            out.append(" ".join(statement.split()) + "\n    " + "\n    ".join(plan))
    return out


def bench_one(url: str, repeat: int, provider: str | None, today: date | None, do_explain: bool) -> dict:
    kind = backend(url)
    store = open_store(url)
    with store.engine.connect() as conn:
        runs = conn.execute(text("SELECT count(*) FROM scraper_runs")).scalar()
        lines = conn.execute(text("SELECT count(*) FROM daily_costs")).scalar()
        if today is None:
            today = conn.execute(sa.select(sa.func.max(sa.column("day"))).select_from(sa.table("daily_costs"))).scalar()
            today = date.fromisoformat(today) if isinstance(today, str) else today
    floor_conn = store.engine.connect()  # held open: the floor pays no checkout
    cases = [("summary", p, summary_floor(kind, p, today)) for p in PERIODS]
    cases += [("chart", r, chart_floor(kind, r, today)) for r in RANGES]
    results = []
    plans: list[str] = []
    for what, arg, (sql, params) in cases:
        call = (
            (lambda arg=arg: summary(store, arg, today, provider))
            if what == "summary"
            else (lambda arg=arg: chart(store, arg, today, provider))
        )
        floor_rows = floor_conn.execute(sql, params).all()
        got = call()
        if provider is None:
            if what == "summary":
                check_summary(kind, got, floor_rows[0])
            else:
                check_chart(kind, got, floor_rows)
        for _ in range(3):  # warm-up
            call()
            floor_conn.execute(sql, params).all()
        app_t, floor_t = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            call()
            t1 = time.perf_counter()
            floor_conn.execute(sql, params).all()
            t2 = time.perf_counter()
            app_t.append(t1 - t0)
            floor_t.append(t2 - t1)
        results.append(
            {
                "query": f"{what}({arg})",
                "app_ms": median(app_t) * 1000,
                "app_p95_ms": p95(app_t) * 1000,
                "floor_ms": median(floor_t) * 1000,
                "ratio": median(app_t) / median(floor_t),
            }
        )
        if do_explain:
            plans += explain(store, app_statements(store, call))
    floor_conn.close()
    store.dispose()
    return {"backend": kind, "runs": runs, "lines": lines, "today": today, "results": results, "plans": plans}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", action="append", required=True, help="repeat for several backends")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--provider", default=None, help="provider filter (default: all providers)")
    ap.add_argument("--today", type=date.fromisoformat, default=None, help="default: the last day with cost lines")
    ap.add_argument("--explain", action="store_true", help="print the plan of every statement the app sends")
    args = ap.parse_args()
    out = {"machine": machine(), "repeat": args.repeat, "provider": args.provider, "backends": []}
    for url in args.database_url:
        res = bench_one(url, args.repeat, args.provider, args.today, args.explain)
        out["backends"].append(res)
        print(
            f"\n{res['backend']}: {res['runs']:,} runs, {res['lines']:,} daily lines, today {res['today']}, "
            f"median of {args.repeat}"
        )
        rows = [
            [
                r["query"],
                ms(r["app_ms"] / 1000),
                ms(r["app_p95_ms"] / 1000),
                ms(r["floor_ms"] / 1000),
                f"{r['app_ms'] - r['floor_ms']:+.2f}",
                f"{r['ratio']:.2f}x",
                "yes" if r["ratio"] <= 1.5 else "no",
            ]
            for r in res["results"]
        ]
        print(table(["query", "app ms", "app p95 ms", "floor ms", "overhead ms", "app / floor", "<= 1.5x"], rows))
        for plan in res["plans"]:
            print(plan)
    suffix = f"_{args.provider}" if args.provider else ""
    save(f"queries{suffix}", out)


if __name__ == "__main__":
    main()
