"""The Overview page's whole script under Streamlit's AppTest, uncached, and the time it spends in the database.

    python bench/overview.py --database-url sqlite:///bench/.data/bench_1m.db --name sqlite_1m \
        --database-url sqlite:///bench/.data/bench_10m.db --name sqlite_10m [--rounds 20 --repeat 1]

Runs ``streamlit_app.py`` (navigation, access check, then ``pages/overview.py``) against the given database with no
provider keys and no password, as a first-time visitor would see it. The first run (imports, services) is reported
as "cold" and not counted. Several databases take turns, in rounds, so they are measured under the same load.
Every measured rerun starts with ``st.cache_data.clear()``, so each of the page's figures
(``core.ui.cached``) is computed again: a first view of a selection, or the first view after any write.

Database time is the sum, over every statement the run sends, of the time between SQLAlchemy's
``before_cursor_execute`` and ``after_cursor_execute`` events: on PostgreSQL the driver's execute, which includes
the round trip and the transfer of every row (the pool's pre-ping is not a cursor execute and is not counted).
SQLite computes rows as they are fetched, after that event, so there each SELECT of the run is replayed right
after it on a side connection to the same file and timed with every row fetched.

Medians over every measured run, for the defaults (period ``week``, range ``30d``) and the heaviest selection
(``all``, ``90d``); the statements of one heavy run are listed by time. The page uses the real UTC date, so generate
the data ending today.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time

os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no "missing ScriptRunContext" noise

from _common import ROOT, absolute_url, backend, machine, median, save, table
from sqlalchemy import event
from sqlalchemy.engine import Engine

from core.store.db import sqlite_path

CLEAR = (
    "APIFY_TOKEN",
    "OPENAI_ADMIN_KEY",
    "ANTHROPIC_ADMIN_KEY",
    "ELEVENLABS_API_KEY",
    "DEEPGRAM_API_KEY",
    "OPENROUTER_MANAGEMENT_KEY",
    "APP_PASSWORD",
    "REPORT_SECRET_TOKEN",
    "APP_LANGUAGE",
)
SELECTIONS = (("week", "30d"), ("all", "90d"))


class SqlClock:
    """Time spent in the driver's execute, per statement, for every engine of the process."""

    def __init__(self):
        self.statements: list[tuple[float, str, object]] = []
        self._started: list[float] = []
        self._replay: dict[str, sqlite3.Connection] = {}
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, *_args):
        self._started.append(time.perf_counter())

    def _after(self, _conn, _cursor, statement, parameters, *_args):
        self.statements.append((time.perf_counter() - self._started.pop(), statement, parameters))

    def reset(self) -> None:
        self.statements = []

    def replay_sqlite(self, path: str) -> None:
        """SQLite computes the rows of a statement as they are fetched, after ``after_cursor_execute``: replace each
        SELECT's time by its execute plus fetching every row, replayed on a side connection to the same file."""
        conn = self._replay.setdefault(path, sqlite3.connect(path))
        timed = []
        for seconds, sql, params in self.statements:
            if sql.lstrip().upper().startswith("SELECT"):
                t0 = time.perf_counter()
                conn.execute(sql, params).fetchall()
                seconds = time.perf_counter() - t0
            timed.append((seconds, sql, params))
        self.statements = timed

    @property
    def seconds(self) -> float:
        return sum(s for s, *_ in self.statements)


def run_pages(urls: list[str], rounds: int, repeat: int) -> list[dict]:
    """Every selection on every database: ``rounds`` rounds in which each database takes its turn (services rebuilt
    for it, one unmeasured run, then ``repeat`` measured runs), so two databases are measured under the same load."""
    import streamlit as st
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    set_log_level("error")  # no "No runtime found" line per cached call
    clock = SqlClock()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    samples = {(url, sel): ([], [], []) for url in urls for sel in SELECTIONS}
    last = {}
    os.environ["DATABASE_URL"] = urls[0]
    t0 = time.perf_counter()
    at.run()  # imports and services: the cold run
    cold = time.perf_counter() - t0
    for _ in range(rounds):
        for url in urls:
            os.environ["DATABASE_URL"] = url
            st.cache_resource.clear()  # the services (settings, store) of this database
            for period, range_ in SELECTIONS:
                at.selectbox(key="period").set_value(period)
                at.selectbox(key="range").set_value(range_)
                at.run()
                assert not at.exception, at.exception
                assert at.metric and at.metric[0].label == "Total spent", "the Overview did not render its card"
                wall, db, statements = samples[(url, (period, range_))]
                for _ in range(repeat):
                    st.cache_data.clear()
                    clock.reset()
                    t0 = time.perf_counter()
                    at.run()
                    wall.append(time.perf_counter() - t0)
                    if path := sqlite_path(url):
                        clock.replay_sqlite(str(path))
                    db.append(clock.seconds)
                    statements.append(len(clock.statements))
                assert not at.exception, at.exception
                last[(url, (period, range_))] = (at.metric[0].value, list(clock.statements))
    out = []
    for url in urls:
        result = {"cold_ms": cold * 1000, "selections": []}
        for sel in SELECTIONS:
            wall, db, statements = samples[(url, sel)]
            metric, stmts = last[(url, sel)]
            result["selections"].append(
                {
                    "period": sel[0],
                    "range": sel[1],
                    "wall_ms": median(wall) * 1000,
                    "db_ms": median(db) * 1000,
                    "db_min_ms": min(db) * 1000,
                    "db_max_ms": max(db) * 1000,
                    "statements": median(statements),
                    "metric": metric,
                    "slowest": [
                        {"ms": s * 1000, "sql": " ".join(sql.split())[:160]}
                        for s, sql, _ in sorted(stmts, key=lambda x: -x[0])[:8]
                    ],
                }
            )
        if url.startswith("postgresql"):
            result["plans"] = plans(url, last[(url, SELECTIONS[-1])][1])
        out.append(result)
    return out


def plans(url: str, statements) -> dict:
    """PostgreSQL's plan of every distinct SELECT of the last run, executed (``EXPLAIN ANALYZE``): the highest
    estimated cost, and the statements whose plan started JIT compilation (cost above ``jit_above_cost``)."""
    from core.store.db import open_store

    store = open_store(url, migrate=False)
    seen, costs, jit = set(), [], []
    with store.engine.connect() as conn:
        cur = conn.connection.driver_connection.cursor()
        for _, sql, params in statements:
            if not sql.lstrip().upper().startswith("SELECT") or sql in seen:
                continue
            seen.add(sql)
            cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cur.fetchone()[0][0]
            costs.append(plan["Plan"]["Total Cost"])
            if "JIT" in plan:
                jit.append(" ".join(sql.split())[:160])
        setting = conn.exec_driver_sql("SHOW jit").scalar()
    store.dispose()
    return {"jit_setting": setting, "statements": len(seen), "max_cost": max(costs, default=0), "jit": jit}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", action="append", required=True, help="repeat for several databases")
    ap.add_argument("--name", action="append", help="result file suffix per database (default: the backend)")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=1, help="measured runs per selection, database and round")
    args = ap.parse_args()
    urls = [absolute_url(u) for u in args.database_url]
    names = args.name or [backend(u) for u in urls]
    for var in CLEAR:
        os.environ.pop(var, None)
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # no .streamlit/secrets.toml: exactly the environment given here
        try:
            results = run_pages(urls, args.rounds, args.repeat)
        finally:
            os.chdir(here)
    n = args.rounds * args.repeat
    for url, name, result in zip(urls, names, results, strict=True):
        print(f"\n{name}: Overview, whole script (AppTest), cache cleared before each run, median of {n}")
        rows = [
            [
                f"{s['period']} / {s['range']}",
                f"{s['wall_ms']:.1f}",
                f"{s['db_ms']:.2f}",
                f"{s['db_min_ms']:.2f} - {s['db_max_ms']:.2f}",
                s["statements"],
                s["metric"],
            ]
            for s in result["selections"]
        ]
        print(
            table(["period / range", "script ms", "database ms", "database min - max ms", "statements", "card"], rows)
        )
        heavy = result["selections"][-1]
        print(f"\nslowest statements of one {heavy['period']} / {heavy['range']} run:")
        print(table(["ms", "statement"], [[f"{s['ms']:.3f}", f"`{s['sql']}`"] for s in heavy["slowest"]]))
        if "plans" in result:
            p = result["plans"]
            print(
                f"\nPostgreSQL plans of the run's {p['statements']} distinct SELECTs (jit={p['jit_setting']}): highest "
                f"estimated cost {p['max_cost']:,.0f} (JIT starts above 100,000); JIT compiled: {p['jit'] or 'none'}"
            )
        save(f"overview_{name}", {"machine": machine(), "backend": backend(url), "samples": n, **result})


if __name__ == "__main__":
    main()
