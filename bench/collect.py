"""Collection wall time and HTTP requests against the provider imitation on 127.0.0.1, +200 ms per response.

    python bench/collect.py --database-url sqlite:///bench/.data/collect.db \\
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--runs-per-day 150] [--repeat 5]

``tests.imitation.Imitation`` serves all six APIs on real local ports (``Imitation.serve``); every response is held
``--delay`` seconds (200 ms) before it is sent. Apify answers at most 1,000 runs (and datasets) a page, its real
limit; the daily endpoints answer up to the ``limit`` the adapter asks for. So the request counts are what the live
APIs would see. Apify's run and dataset listings are answered from a pre-built, sorted index through the
imitation's public ``replay`` (same parameters and answers as its own listing, which rebuilds every run on every
request and would time the imitation, not Spendboard); its 30 Actors' names are replayed too. The imitation still
checks the credential and records every request.

Only public code is called: ``core.collect.collect()`` and ``core.collect.windows()``, and each provider's
``available``, ``client`` and ``fetch`` through ``core.providers.get_provider``. On PostgreSQL the database
``spendboard_bench_collect`` is dropped and created again on the server of the URL given (never the URL's own).

Each repetition, in turn (so every figure of a repetition sees the same load on a shared machine):

* each provider's own page sequence alone: its ``fetch`` of every window of the month it can serve, in one client,
  nothing written (what ``collect()`` does for it in its worker thread, minus the database);
* ``collect()`` of the month with all six providers, on each database (the first repetition is a first collection,
  the others collect the same month again).

Reported: medians of ``--repeat``; the ratio of ``collect()`` to the slowest provider's own sequence (target
<= 1.3x); requests per provider and endpoint against the minimum the APIs' page limits allow; and whether the
stored month equals the imitation's ledger for every provider.

To measure another checkout (say, an older commit in a git worktree) set ``BENCH_APP_ROOT`` to its directory.
"""

from __future__ import annotations

import argparse
import bisect
import logging
import math
import random
import re
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
from _common import backend, fresh_database, machine, median, save, table

from core.collect import collect, windows
from core.http import DEFAULT_POLICY
from core.periods import month_end, month_start
from core.providers import get_provider
from core.store.db import open_store
from tests.conftest import load_fixture
from tests.imitation import PROVIDER_NAMES, Imitation, Ledger, populate

PAGE = 1000  # Apify: GET /v2/actor-runs and GET /v2/datasets answer at most 1,000 items a page
DAILY_PAGE = 31  # OpenAI usage and Anthropic's cost report: at most 31 daily buckets a page
OPENAI_COSTS_PAGE = 180  # OpenAI costs: at most 180 daily buckets a page
OPENAI_USAGE_ENDPOINTS = 8  # the usage endpoints that carry request counts (core.providers.openai)
MAX_DATASET_PAGES = 3  # the adapter reads at most this many dataset pages for item counts (bounded by design)
ACTORS = 30  # as many as the benchmark dataset (generate.py)


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class ApifyIndex:
    """Apify's run listing (offset, limit, desc, startedAfter, startedBefore) and the unnamed-dataset listing (one
    default dataset per run, newest first), over the ledger's runs sorted once."""

    def __init__(self, ledger: Ledger):
        template = load_fixture("apify", "run_short.json")
        runs = sorted(ledger.runs, key=lambda r: r.started_at)
        self.starts = [r.started_at for r in runs]
        self.items, self.datasets = [], []
        for r in runs:
            stamp = _stamp(r.started_at)
            item = {**template, "id": r.id, "actId": r.act_id, "status": r.status, "startedAt": stamp}
            item["finishedAt"] = stamp
            item["defaultDatasetId"] = f"ds{r.id}"
            if r.usd is None:
                item.pop("usageTotalUsd", None)
            else:
                item["usageTotalUsd"] = float(r.usd)
            self.items.append(item)
            self.datasets.append(
                {"id": f"ds{r.id}", "createdAt": stamp, "itemCount": 42, "cleanItemCount": 42, "actRunId": r.id}
            )

    @staticmethod
    def _page(items: list, total: int, offset: int, limit: int, desc: bool) -> dict:
        return {
            "data": {
                "total": total,
                "offset": offset,
                "limit": limit,
                "count": len(items),
                "desc": desc,
                "items": items,
            }
        }

    def runs(self, request: httpx.Request) -> dict:
        q = request.url.params
        offset, limit = int(q.get("offset", 0)), min(int(q.get("limit", PAGE)), PAGE)
        desc = q.get("desc") in ("1", "true")
        lo = bisect.bisect_left(self.starts, _parse(q["startedAfter"])) if "startedAfter" in q else 0
        hi = bisect.bisect_right(self.starts, _parse(q["startedBefore"])) if "startedBefore" in q else len(self.starts)
        if desc:
            start, stop = max(hi - offset - limit, lo), hi - offset
            items = self.items[start:stop][::-1] if stop > lo else []
        else:
            items = self.items[lo + offset : min(lo + offset + limit, hi)]
        return self._page(items, max(hi - lo, 0), offset, limit, desc)

    def dataset_list(self, request: httpx.Request) -> dict:
        q = request.url.params
        offset, limit = int(q.get("offset", 0)), min(int(q.get("limit", PAGE)), PAGE)
        end = len(self.datasets) - offset
        items = self.datasets[max(end - limit, 0) : max(end, 0)][::-1]  # newest first (the adapter asks desc=1)
        return self._page(items, len(self.datasets), offset, limit, True)


class SlowImitation(Imitation):
    """The imitation with every response held ``delay`` seconds, Apify's listings served from an index."""

    def __init__(self, today: date, ledger: Ledger, delay: float):
        super().__init__(today, ledger, page_size=PAGE)
        self.delay = delay
        index = ApifyIndex(ledger)
        self.replay("apify", "/v2/actor-runs", index.runs)
        self.replay("apify", "/v2/datasets", index.dataset_list)
        actor = load_fixture("apify", "actor.json")["data"]
        for act in sorted({r.act_id for r in ledger.runs}):
            self.replay("apify", f"/v2/actors/{act}", {"data": {**actor, "id": act, "name": f"scraper-{act}"}})

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
            ledger.add_run(f"b{day:%Y%m%d}r{i:05d}", f"act{rng.randrange(ACTORS):02d}", started, usd)
        day += timedelta(days=1)
    return ledger


def month_windows(name: str, month: date, today: date) -> list[tuple[date, date]]:
    """The windows of ``month`` (with the trailing days) that provider ``name``'s API can serve today."""
    provider = get_provider(name)
    served = []
    for first, last in windows(month, today):
        m = month_start(first)
        while m <= last:  # month by month, as collection asks
            part = provider.available(max(first, m), min(last, month_end(m)), today)
            if part is not None:
                served.append(part)
            m = month_end(m) + timedelta(days=1)
    return served


def endpoint(request: httpx.Request) -> str:
    """The request's path with ids folded (``/v2/actors/{id}``, ``/v1/projects/{id}/...``)."""
    path = re.sub(r"^/v2/actors/[^/]+$", "/v2/actors/{id}", request.url.path)
    return re.sub(r"^/v1/projects/[^/]+/", "/v1/projects/{id}/", path)


def minimum_requests(name: str, spans, ledger: Ledger, projects: int) -> int:
    """Requests the APIs' page limits require for these windows (every page full, no retry). Apify also needs one
    dataset page per 1,000 runs (the adapter reads at most 3) and one name lookup per Actor (no batch endpoint)."""
    if name == "openrouter":
        return 1  # /activity: one unpaginated call answers every window
    total = 1 if name == "deepgram" else 0  # GET /v1/projects
    for first, last in spans:
        days = (last - first).days + 1
        if name == "openai":
            total += math.ceil(days / OPENAI_COSTS_PAGE) + OPENAI_USAGE_ENDPOINTS * math.ceil(days / DAILY_PAGE)
        elif name == "anthropic":
            total += math.ceil(days / DAILY_PAGE)
        elif name == "elevenlabs":
            total += 2  # the usage table (unpaginated) and the request counts; the price comes from settings
        elif name == "deepgram":
            total += 2 * projects  # billing and usage breakdowns per project (unpaginated)
        else:
            runs = ledger.runs_between(first, last)
            total += max(1, math.ceil(len(runs) / PAGE))
            total += min(MAX_DATASET_PAGES, len(runs) // PAGE + 1) if runs else 0
            total += len({r.act_id for r in runs})
    return total


def fetch_alone(name: str, settings, spans) -> None:
    """One provider's page sequence for its windows, through its public ``client``, ``fetch`` and ``names`` (what a
    collection on a database without stored names asks); nothing written."""
    provider = get_provider(name)
    with provider.client(settings, None) as http:
        runs = []
        for first, last in spans:
            runs.extend(provider.fetch(http, first, last, settings, DEFAULT_POLICY).runs or ())
        if provider.names is not None:
            provider.names(http, runs, frozenset(), DEFAULT_POLICY)


def run(args) -> dict:
    month = month_start(args.month)
    today = min(month_end(month), args.today)
    now = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=23)
    ledger = build_ledger(month - timedelta(days=3), today, args.runs_per_day, args.seed)
    imitation = SlowImitation(today, ledger, args.delay)
    spans = {name: month_windows(name, month, today) for name in PROVIDER_NAMES}
    result = {
        "machine": machine(),
        "today": today,
        "month": f"{month:%Y-%m}",
        "spans": {name: [[str(f), str(last)] for f, last in s] for name, s in spans.items()},
        "apify_runs_in_month": len(ledger.runs_between(month, today)),
        "actors": len({r.act_id for r in ledger.runs_between(month, today)}),
        "runs_per_day": args.runs_per_day,
        "delay_s": args.delay,
        "repeat": args.repeat,
        "providers": {},
        "backends": [],
    }
    alone: dict[str, list[float]] = {name: [] for name in PROVIDER_NAMES}
    made: dict[str, Counter] = {}
    with imitation.serve() as env:
        base = {key.lower(): value for key, value in env.items()}
        databases = []
        for url in args.database_url:
            url = fresh_database(url, "spendboard_bench_collect")
            databases.append(
                {
                    "backend": backend(url),
                    "store": open_store(url),
                    "settings": imitation.settings(url, **base),
                    "times": [],
                }
            )
        settings = imitation.settings("sqlite://", **base)
        for rep in range(args.repeat):
            for name in PROVIDER_NAMES:
                imitation.requests.clear()
                t0 = time.perf_counter()
                fetch_alone(name, settings, spans[name])
                alone[name].append(time.perf_counter() - t0)
                made[name] = Counter(endpoint(r) for r in imitation.requests[name])
            for db in databases:
                imitation.requests.clear()
                t0 = time.perf_counter()
                res = collect(db["settings"], db["store"], month=month, now=now)
                db["times"].append(time.perf_counter() - t0)
                db["requests"] = {n: len(imitation.requests[n]) for n in PROVIDER_NAMES}
                db["outcomes"] = {n: [o.status, o.error] for n, o in res.outcomes.items()}
                got = {p.provider: p.cost_usd for p in res.report.providers}
                want = imitation.expected(month)
                db["matches"] = {n: got.get(n) == want[n].cost for n in PROVIDER_NAMES}
            print(f"repetition {rep + 1}/{args.repeat} done", flush=True)
    for name in PROVIDER_NAMES:
        result["providers"][name] = {
            "alone_s": alone[name],
            "alone_median_s": median(alone[name]),
            "requests": sum(made[name].values()),
            "by_endpoint": dict(made[name]),
            "minimum": minimum_requests(name, spans[name], ledger, len(imitation.projects)),
            "requests_x_delay_s": sum(made[name].values()) * args.delay,
        }
    slowest = max(PROVIDER_NAMES, key=lambda n: result["providers"][n]["alone_median_s"])
    result["slowest"] = slowest
    for db in databases:
        db["store"].dispose()
        all_median = median(db["times"])
        result["backends"].append(
            {
                "backend": db["backend"],
                "all_s": db["times"],
                "all_median_s": all_median,
                "ratio": all_median / result["providers"][slowest]["alone_median_s"],
                "requests": db["requests"],
                "outcomes": db["outcomes"],
                "matches_ledger": db["matches"],
            }
        )
    return result


def report(result: dict) -> None:
    slowest = result["slowest"]
    print(
        f"\nmonth {result['month']} to {result['today']}, {result['apify_runs_in_month']:,} Apify runs "
        f"({result['actors']} Actors), +{result['delay_s'] * 1000:.0f} ms per response, median of {result['repeat']}"
    )
    rows = [
        [
            name + (" (slowest)" if name == slowest else ""),
            f"{p['alone_median_s']:.2f}",
            f"{p['requests_x_delay_s']:.2f}",
            p["requests"],
            p["minimum"],
            ", ".join(f"{path} {n}" for path, n in p["by_endpoint"].items()),
        ]
        for name, p in result["providers"].items()
    ]
    headers = ["provider", "own page sequence s", "requests x delay s", "requests", "minimum", "by endpoint"]
    print(table(headers, rows))
    rows = []
    for b in result["backends"]:
        failed = {n: e for n, (s, e) in b["outcomes"].items() if s != "ok"}
        wrong = [n for n, ok in b["matches_ledger"].items() if not ok]
        rows.append(
            [
                b["backend"],
                f"{b['all_median_s']:.2f}",
                f"{result['providers'][slowest]['alone_median_s']:.2f}",
                f"{b['ratio']:.2f}x",
                "yes" if b["ratio"] <= 1.3 else "no",
                sum(b["requests"].values()),
                "; ".join((e or n)[:90] for n, e in failed.items()) or "all ok",
                ", ".join(wrong) or "all equal",
            ]
        )
    headers = ["backend", "collect() all six s", f"{slowest} alone s", "ratio", "<= 1.3x", "requests", "outcome"]
    print(table([*headers, "stored month vs ledger"], rows))


def main() -> None:
    # A provider failing unexpectedly is logged with its full SQL (the whole month's INSERT); the outcome column
    # of the table carries the error message, which is enough here.
    logging.getLogger("core.collect").setLevel(logging.CRITICAL)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", action="append", required=True, help="repeat for several backends")
    ap.add_argument("--runs-per-day", type=int, default=150, help="Apify runs per day in the imitation")
    ap.add_argument("--month", type=date.fromisoformat, default=date(2026, 10, 1), help="the month collected")
    ap.add_argument("--today", type=date.fromisoformat, default=date(2026, 10, 31), help="the imitation's UTC day")
    ap.add_argument("--delay", type=float, default=0.2, help="seconds added to every response")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--name", default=None, help="result file name (default collect_<runs per day>pd)")
    args = ap.parse_args()
    result = run(args)
    report(result)
    print(save(args.name or f"collect_{args.runs_per_day}pd", result))


if __name__ == "__main__":
    main()
