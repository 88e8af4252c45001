"""Collection wall time and HTTP requests against the provider imitation on 127.0.0.1, +200 ms per response.

    python bench/collect.py --database-url sqlite:///bench/.data/collect.db [--runs-per-day 150] [--repeat 3]

``tests.imitation.Imitation`` serves all six APIs on real local ports; every response is held ``--delay`` seconds
(200 ms) before it is sent. The imitation's page size is set to the real APIs' limits (1000 Apify runs; the daily
endpoints answer up to the ``limit`` the adapter asks for, 31 days), so request counts are what the live APIs
would see. Apify's list endpoint is served from a pre-built, sorted index (same parameters and answers as
``FakeApify``, which rebuilds every item on every request and would time the imitation, not Spendboard).

Measured, median of ``--repeat``:

* each provider's own page sequence alone (``core.collect._fetch``: every request it makes, nothing written);
* ``collect()`` of the month with all six providers; the ratio against the slowest provider's sequence;
* requests per provider against the minimum the APIs' page limits allow for the same windows.

To measure another checkout (say, an older commit in a git worktree) set ``BENCH_APP_ROOT`` to its directory.
"""

from __future__ import annotations

import argparse
import bisect
import logging
import math
import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
from _common import backend, fresh_database, machine, median, save, table

from core import collect as collect_mod
from core.collect import collect, windows
from core.http import DEFAULT_POLICY
from core.periods import month_end, month_start
from core.providers import get_provider
from core.store.db import open_store
from tests.conftest import load_fixture
from tests.imitation import PROVIDER_NAMES, Imitation, Ledger, populate

APIFY_PAGE = 1000  # GET /v2/actor-runs: limit <= 1000
DAILY_PAGE = 31  # OpenAI usage and Anthropic cost_report: <= 31 daily buckets per page
OPENAI_COSTS_PAGE = 180  # OpenAI costs: <= 180 daily buckets per page


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class FastApify:
    """``GET /v2/actor-runs`` (offset, limit <= 1000, desc, startedAfter, startedBefore) over a pre-built index."""

    def __init__(self, ledger: Ledger, token: str):
        template = load_fixture("apify", "run_short.json")
        runs = sorted(ledger.runs, key=lambda r: r.started_at)
        self.starts = [r.started_at for r in runs]
        self.items = []
        for r in runs:
            stamp = r.started_at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{r.started_at.microsecond // 1000:03d}Z"
            item = {**template, "id": r.id, "actId": r.act_id, "status": r.status, "startedAt": stamp}
            item["finishedAt"] = stamp
            if r.usd is None:
                item.pop("usageTotalUsd", None)
            else:
                item["usageTotalUsd"] = float(r.usd)
            self.items.append(item)
        self.token = token

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return httpx.Response(401, json={"error": {"type": "token-not-provided", "message": "bad token"}})
        if request.url.path != "/v2/actor-runs":
            return httpx.Response(404, json={"error": {"type": "page-not-found", "message": "Not found"}})
        q = request.url.params
        offset = int(q.get("offset", 0))
        limit = min(int(q.get("limit", APIFY_PAGE)), APIFY_PAGE)
        desc = q.get("desc") in ("1", "true")
        lo = bisect.bisect_left(self.starts, _parse(q["startedAfter"])) if "startedAfter" in q else 0
        hi = bisect.bisect_right(self.starts, _parse(q["startedBefore"])) if "startedBefore" in q else len(self.starts)
        total = max(hi - lo, 0)
        if desc:
            start, stop = max(hi - offset - limit, lo), hi - offset
            items = self.items[start:stop][::-1] if stop > lo else []
        else:
            items = self.items[lo + offset : min(lo + offset + limit, hi)]
        data = {"total": total, "offset": offset, "limit": limit, "count": len(items), "desc": desc, "items": items}
        return httpx.Response(200, json={"data": data})


class SlowImitation(Imitation):
    """The imitation with every response held ``delay`` seconds, and the fast Apify list."""

    def __init__(self, today: date, ledger: Ledger, delay: float):
        super().__init__(today, ledger, page_size=APIFY_PAGE)
        self.delay = delay
        self._routes["apify"] = FastApify(ledger, self.keys["apify"]).handle

    def handler(self, name):
        inner = super().handler(name)

        def handle(request: httpx.Request) -> httpx.Response:
            time.sleep(self.delay)
            return inner(request)

        return handle


def build_ledger(first: date, last: date, runs_per_day: int, seed: int) -> Ledger:
    """The imitation's own awkward figures for the five LLM providers, plus ``runs_per_day`` Apify runs a day."""
    ledger = populate(Ledger(), first, last, seed=seed)
    rng = random.Random(seed)
    day = first
    while day <= last:
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        for i in range(runs_per_day):
            started = midnight + timedelta(milliseconds=rng.randrange(86_400_000))
            usd = None if rng.random() < 0.01 else Decimal(rng.randint(1, 40_000_000)).scaleb(-7)
            ledger.add_run(f"b{day:%Y%m%d}r{i:05d}", f"act{rng.randrange(30):02d}", started, usd)
        day += timedelta(days=1)
    return ledger


def minimum_requests(name: str, spans, ledger: Ledger, projects: int, openrouter_today: date) -> int:
    """Requests the APIs' page limits require for these windows (no retries, every page full)."""
    if name == "openrouter":
        return 1  # /activity: one unpaginated call answers every window
    total = 1 if name == "deepgram" else 0  # GET /v1/projects
    for first, last in spans:
        days = (last - first).days + 1
        if name == "openai":
            total += math.ceil(days / OPENAI_COSTS_PAGE) + math.ceil(days / DAILY_PAGE)
        elif name == "anthropic":
            total += math.ceil(days / DAILY_PAGE)
        elif name == "elevenlabs":
            total += 2  # the usage table (unpaginated) and the request counts; the price comes from settings
        elif name == "deepgram":
            total += 2 * projects  # billing and usage breakdowns per project (unpaginated)
        else:
            runs = len(ledger.runs_between(first, last))
            total += max(1, math.ceil(runs / APIFY_PAGE))
    return total


def run(args) -> dict:
    now = datetime.combine(args.today, datetime.min.time(), UTC) + timedelta(hours=23)
    month = None if args.default_window else month_start(args.today)
    spans = windows(month, args.today)
    first = min(f for f, _ in spans)
    ledger = build_ledger(first - timedelta(days=3), args.today, args.runs_per_day, args.seed)
    imitation = SlowImitation(args.today, ledger, args.delay)
    result = {
        "machine": machine(),
        "today": args.today,
        "window": "this and last month (default)" if month is None else f"month {month:%Y-%m}",
        "spans": [[str(f), str(last)] for f, last in spans],
        "apify_runs_in_window": sum(len(ledger.runs_between(f, last)) for f, last in spans),
        "runs_per_day": args.runs_per_day,
        "delay_s": args.delay,
        "providers": {},
        "backends": [],
    }
    with imitation.serve() as env:
        base = {key.lower(): value for key, value in env.items()}
        settings = imitation.settings("sqlite://", **base)
        for name in PROVIDER_NAMES:  # each provider's own page sequence, alone, nothing written
            module = get_provider(name)
            times = []
            for _ in range(args.repeat):
                imitation.requests.clear()
                t0 = time.perf_counter()
                collect_mod._fetch(module, settings, spans, None, DEFAULT_POLICY)
                times.append(time.perf_counter() - t0)
            made = len(imitation.requests[name])
            result["providers"][name] = {
                "alone_s": median(times),
                "requests": made,
                "minimum": minimum_requests(name, spans, ledger, len(imitation.projects), args.today),
                "sequential_floor_s": made * args.delay,
            }
        slowest = max(result["providers"], key=lambda n: result["providers"][n]["alone_s"])
        result["slowest"] = slowest
        for url in args.database_url:
            url = fresh_database(url, "spendboard_bench_collect")
            kind = backend(url)
            store = open_store(url)
            settings = imitation.settings(url, **base)
            entry = {"backend": kind, "all_s": [], "slowest_alone_s": [], "outcomes": {}, "requests": {}}
            for what, names in (("all_s", None), ("slowest_alone_s", [slowest])):
                for _ in range(args.repeat):
                    imitation.requests.clear()
                    t0 = time.perf_counter()
                    res = collect(settings, store, month=month, providers=names, now=now)
                    entry[what].append(time.perf_counter() - t0)
                    if names is None:
                        entry["outcomes"] = {n: (o.status, o.error) for n, o in res.outcomes.items()}
                        entry["requests"] = {n: len(imitation.requests[n]) for n in PROVIDER_NAMES}
            entry["all_median_s"] = median(entry["all_s"])
            entry["slowest_alone_median_s"] = median(entry["slowest_alone_s"])
            entry["ratio"] = entry["all_median_s"] / result["providers"][slowest]["alone_s"]
            result["backends"].append(entry)
            store.dispose()
    return result


def report(result: dict) -> None:
    slowest = result["slowest"]
    print(
        f"\n{result['window']} (spans {result['spans']}), {result['apify_runs_in_window']:,} Apify runs, "
        f"+{result['delay_s'] * 1000:.0f} ms per response"
    )
    rows = []
    for name, p in result["providers"].items():
        rows.append(
            [
                name + (" (slowest)" if name == slowest else ""),
                f"{p['alone_s']:.2f}",
                f"{p['sequential_floor_s']:.2f}",
                p["requests"],
                p["minimum"],
            ]
        )
    print(table(["provider", "own page sequence alone s", "requests x delay s", "requests", "minimum"], rows))
    rows = []
    for b in result["backends"]:
        failed = {n: e for n, (s, e) in b["outcomes"].items() if s != "ok"}
        rows.append(
            [
                b["backend"],
                f"{b['all_median_s']:.2f}",
                f"{result['providers'][slowest]['alone_s']:.2f}",
                f"{b['ratio']:.2f}x",
                "yes" if b["ratio"] <= 1.3 else "no",
                f"{b['slowest_alone_median_s']:.2f}",
                sum(b["requests"].values()),
                "; ".join((e or n)[:90] for n, e in failed.items()) or "all ok",
            ]
        )
    print(
        table(
            [
                "backend",
                "collect() all six s",
                f"{slowest} page sequence s",
                "ratio",
                "<= 1.3x",
                f"collect() {slowest} only s",
                "requests",
                "outcome",
            ],
            rows,
        )
    )


def main() -> None:
    # A provider failing unexpectedly is logged with its full SQL (the whole month's INSERT); the outcome column
    # of the table carries the error message, which is enough here.
    logging.getLogger("core.collect").setLevel(logging.CRITICAL)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", action="append", required=True, help="repeat for several backends")
    ap.add_argument("--runs-per-day", type=int, default=150, help="Apify runs per day in the imitation")
    ap.add_argument("--today", type=date.fromisoformat, default=date(2026, 10, 31))
    ap.add_argument("--default-window", action="store_true", help="collect this and last month (no --month)")
    ap.add_argument("--delay", type=float, default=0.2, help="seconds added to every response")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--name", default=None, help="result file name (default derived from the options)")
    args = ap.parse_args()
    if args.today != month_end(args.today) and not args.default_window:
        print(f"note: {args.today} is not a month's last day; the month is collected to date")
    result = run(args)
    report(result)
    name = args.name or (f"collect_{args.runs_per_day}pd{'_default' if args.default_window else ''}")
    save(name, result)


if __name__ == "__main__":
    main()
