"""Back-fill of Apify runs with the ledger maintained: time, rows per second, and peak memory for 100k / 500k / 1M.

    python bench/backfill.py --database-url sqlite:///bench/.data/backfill.db [--sizes 100000,500000,1000000]

The Apify list endpoint is generated lazily (run ``i`` is computed from its index; nothing is held in memory) and
served through ``httpx.MockTransport`` with the parameters ``FakeApify`` honours (offset, limit <= 1000, desc,
startedAfter, startedBefore). ``core.scraper_runs.backfill`` reads every page and writes it inside one transaction,
then rewrites Apify's ledger lines and rollup of the days covered (``ledger.rebuild_run_lines``) in the same
transaction. Afterwards the Apify ledger is checked against the runs: same cost, one run counted per run.

Each size runs in a fresh subprocess, twice: once for time and peak RSS (``resource.getrusage``, the whole process
including the interpreter, SQLAlchemy and the driver), once under ``tracemalloc`` for the peak of Python
allocations during the back-fill alone (slower, so not timed). Flat memory means both stay the same from 100k to
1M runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

import httpx
from _common import backend, fresh_database, machine, save, table
from sqlalchemy import func, select

from core.config import Settings
from core.scraper_runs import backfill
from core.store.db import open_store
from core.store.ledger import APIFY
from core.store.schema import daily_costs, scraper_runs
from core.store.spend import summary
from tests.conftest import NO_SLEEP, load_fixture

TOKEN = "apify_api_bench_token_0000"
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
DAYS = 365


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class LazyApify:
    """``n`` runs evenly spread inside a ``days``-day back-fill window ending ``now``; run 0 is the newest.
    Items exist only while their page is answered."""

    def __init__(self, n: int, now: datetime = NOW, days: int = DAYS):
        self.n = n
        self.now = now
        self.step = timedelta(days=days - 1) / n  # backfill(days=) starts at midnight, days - 1 days ago
        self.template = load_fixture("apify", "run_short.json")
        self.requests = 0

    def started(self, i: int) -> datetime:
        return self.now - self.step * (i + 0.5)

    def item(self, i: int) -> dict:
        t = self.started(i).replace(microsecond=(self.started(i).microsecond // 1000) * 1000)
        stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
        cost = None if i % 97 == 5 else round(0.0001 + (i * 7919 % 100_000) / 1e6, 7)
        item = {**self.template, "id": f"bf{i:09d}", "actId": f"act{i % 30:02d}", "startedAt": stamp}
        item["finishedAt"] = stamp
        if cost is None:
            item.pop("usageTotalUsd", None)
        else:
            item["usageTotalUsd"] = cost
        return item

    def _index_range(self, q) -> tuple[int, int]:
        """Indices [lo, hi) of the runs inside startedAfter / startedBefore (newest first)."""
        lo, hi = 0, self.n
        if "startedBefore" in q:
            before = _parse(q["startedBefore"])
            while lo < hi and self.started(lo) > before:
                lo += 1  # only today's few runs can be newer than startedBefore
        if "startedAfter" in q:
            after = _parse(q["startedAfter"])
            a, b = lo, hi  # first index older than `after` (started() decreases with i)
            while a < b:
                mid = (a + b) // 2
                if self.started(mid) >= after:
                    a = mid + 1
                else:
                    b = mid
            hi = a
        return lo, hi

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"error": {"type": "token-not-provided", "message": "bad token"}})
        q = request.url.params
        offset = int(q.get("offset", 0))
        limit = min(int(q.get("limit", 1000)), 1000)
        desc = q.get("desc") in ("1", "true")
        lo, hi = self._index_range(q)
        total = hi - lo
        if desc:
            idx = range(lo + offset, min(lo + offset + limit, hi))
        else:
            idx = range(hi - 1 - offset, max(hi - 1 - offset - limit, lo - 1), -1)
        items = [self.item(i) for i in idx]
        data = {"total": total, "offset": offset, "limit": limit, "count": len(items), "desc": desc, "items": items}
        return httpx.Response(200, json={"data": data})


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def one(url: str, n: int, trace: bool) -> dict:
    """One back-fill of ``n`` runs into an empty ``scraper_runs`` (runs in its own process)."""
    store = open_store(url)
    with store.engine.begin() as conn:
        for name in ("scraper_runs", "daily_costs", "daily_totals"):
            conn.exec_driver_sql(f"DELETE FROM {name}")
    settings = Settings(database_url=url, apify_token=TOKEN)
    api = LazyApify(n)
    transport = httpx.MockTransport(api.handle)
    rss_before = _rss_kib()
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    result = backfill(settings, store, days=DAYS, transport=transport, policy=NO_SLEEP, now=NOW)
    elapsed = time.perf_counter() - t0
    out = {"runs": n, "fetched": result.fetched, "written": result.written, "pages": result.pages}
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["traced_peak_mib"] = peak / 2**20
    else:
        out["seconds"] = elapsed
        out["rows_per_s"] = result.written / elapsed
        out["rss_before_mib"] = rss_before / 1024
        out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with store.engine.connect() as conn:
        stored, runs_cost = conn.execute(select(func.count(), func.sum(scraper_runs.c.cost_usd))).one()
        lines = conn.execute(
            select(func.count(), func.sum(daily_costs.c.requests), func.sum(daily_costs.c.cost_usd)).where(
                daily_costs.c.provider == APIFY
            )
        ).one()
    assert stored == n == result.written, (stored, n, result)
    assert tuple(lines[1:]) == (n, runs_cost) and runs_cost == result.total_cost_usd, (lines, runs_cost, result)
    apify = summary(store, "all", NOW.date(), provider=APIFY)
    assert (apify.total_runs, apify.total_cost_usd) == (n, runs_cost), apify  # the rollup the Overview reads
    out["ledger_lines"] = lines[0]
    store.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", action="append", required=True, help="repeat for several backends")
    ap.add_argument("--sizes", default="100000,500000,1000000")
    ap.add_argument("--name", default="backfill", help="result file name")
    ap.add_argument("--child", nargs=3, metavar=("URL", "N", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        url, n, mode = args.child
        print(json.dumps(one(url, int(n), mode == "trace")))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    out = {"machine": machine(), "days": DAYS, "backends": []}
    for url in args.database_url:
        url = fresh_database(url, "spendboard_bench_backfill")
        kind = backend(url)
        rows = []
        for n in sizes:
            res = {}
            for mode in ("time", "trace"):
                cmd = [sys.executable, __file__, "--database-url", url, "--child", url, str(n), mode]
                done = subprocess.run(cmd, capture_output=True, text=True, check=True)
                res.update(json.loads(done.stdout.strip().splitlines()[-1]))
            rows.append(res)
        out["backends"].append({"backend": kind, "results": rows})
        print(f"\n{kind}: back-fill of Apify runs over {DAYS} days with the ledger, pages of 1000, one transaction")
        print(
            table(
                ["runs", "pages", "ledger lines", "time s", "rows/s", "peak RSS MiB", "RSS before", "traced peak MiB"],
                [
                    [
                        f"{r['runs']:,}",
                        r["pages"],
                        f"{r['ledger_lines']:,}",
                        f"{r['seconds']:.1f}",
                        f"{r['rows_per_s']:,.0f}",
                        f"{r['peak_rss_mib']:.0f}",
                        f"{r['rss_before_mib']:.0f}",
                        f"{r['traced_peak_mib']:.1f}",
                    ]
                    for r in rows
                ],
            )
        )
    save(args.name, out)


if __name__ == "__main__":
    main()
