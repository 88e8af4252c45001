"""Apify: scraper runs and their cost (``usageTotalUsd``), from the runs API, with the names of their Actors.

GET /v2/actor-runs/{id}     -> {"data": {"id", "actId", "userId", "status", "startedAt", "finishedAt",
                                         "usageTotalUsd": 0.0123, "usageUsd": {...}, "usage": {...}, ...}}
GET /v2/actor-runs?offset&limit=1000&desc=1&startedAfter=...
                            -> {"data": {"total", "offset", "limit", "count", "desc", "items": [RunShort]}}
GET /v2/datasets/{id}       -> {"data": {"itemCount": 42, ...}}
GET /v2/datasets?desc=1&unnamed=1&offset&limit=1000
                            -> {"data": {"total", ..., "items": [{"id", "actRunId", "createdAt", "itemCount"}]}}
GET /v2/actors/{id}         -> {"data": {"id", "name": "instagram-scraper", "username": "jane35", "title": ...}}
GET /v2/actor-tasks/{id}    -> {"data": {"id", "actId", "name": "my-task", "title": null, ...}}

A listing is complete only when it reaches the count the API gives (``total``): a page that comes back empty
before that fails the provider, so a back-fill never replaces stored runs with a short list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from core.config import Settings
from core.errors import ProviderError, ProviderResponseError
from core.http import DEFAULT_POLICY, RetryPolicy, request_json
from core.models import RUN_REPORTED, UNKNOWN_OWNER, DailyCost, ScraperRun
from core.money import ZERO, parse_usd
from core.providers._checks import probe, yesterday_fetched
from core.providers._keyed import bearer, keyed
from core.providers.contract import RUNS, Check, Fetched, IndependentTotal, Label

NAME = "apify"
LABEL = "Apify"
KEY_ENV = "APIFY_TOKEN"
PAGE_SIZE = 1000  # the API's maximum
IMPORT_SOURCE = "import"  # runs found by listing the account (a collection or a back-fill), not recorded by an app
AUTH_HINT = "create an API token in Apify Console > Settings > API & Integrations and set APIFY_TOKEN"
MAX_NAME_LOOKUPS = 50  # Actors and tasks named per fetch; more stay ids until the next collection
MAX_DATASET_PAGES = 3  # dataset listing pages (1,000 datasets each) read for item counts per fetch
_NAME_PATHS = {"actor": "/actors/{}", "task": "/actor-tasks/{}"}  # /acts/ is the deprecated alias


KEYED = keyed(NAME, LABEL, KEY_ENV, AUTH_HINT, "apify_token", "apify_base_url", bearer, "/v2")
configured, client = KEYED.configured, KEYED.client


def _get(http: httpx.Client, url: str, params=None, policy: RetryPolicy = DEFAULT_POLICY) -> Any:
    body = request_json(http, NAME, "GET", url, params=params, policy=policy, auth_hint=AUTH_HINT)
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise ProviderResponseError(NAME, f'GET {url} did not return a {{"data": {{...}}}} object')
    return body["data"]


def _timestamp(value: Any, what: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ProviderResponseError(NAME, f"{what} is {value!r}, expected an ISO 8601 time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_run(item: Any, *, source: str) -> ScraperRun:
    """A run object (full or short) -> ``ScraperRun``. A missing ``usageTotalUsd`` is stored as unknown (None)."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        raise ProviderResponseError(NAME, "a run has no id")
    run_id = item["id"]
    started = _timestamp(item.get("startedAt"), f"run {run_id} startedAt")
    if started is None:
        raise ProviderResponseError(NAME, f"run {run_id} has no startedAt")
    raw_cost = item.get("usageTotalUsd")
    try:
        cost = None if raw_cost is None else parse_usd(raw_cost, what=f"run {run_id} usageTotalUsd")
    except ValueError as exc:
        raise ProviderResponseError(NAME, str(exc)) from None
    if cost is not None and cost < 0:
        raise ProviderResponseError(NAME, f"run {run_id} usageTotalUsd is negative ({raw_cost!r})")
    details: dict[str, Any] = {
        k: item[k] for k in ("usageUsd", "usage", "chargedEventCounts", "stats") if isinstance(item.get(k), dict)
    }
    if isinstance(item.get("actorTaskId"), str) and item["actorTaskId"]:
        details["actorTaskId"] = item["actorTaskId"]  # the task the run came from, to name it
    meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
    return ScraperRun(
        run_id=run_id,
        scraper_id=str(item.get("actId") or "unknown"),
        user_id=item.get("userId"),
        source=source,
        cost_usd=cost,
        usage_details=details,
        item_count=None,
        status=str(item.get("status") or "UNKNOWN"),
        created_at=started,
        finished_at=_timestamp(item.get("finishedAt"), f"run {run_id} finishedAt"),
        origin=meta.get("origin"),
    )


def get_run(http: httpx.Client, run_id: str, *, source: str, policy: RetryPolicy = DEFAULT_POLICY) -> ScraperRun:
    """One run in full, with its dataset's item count when the dataset can be read."""
    data = _get(http, f"/actor-runs/{run_id}", policy=policy)
    run = parse_run(data, source=source)
    dataset_id = data.get("defaultDatasetId")
    if isinstance(dataset_id, str) and dataset_id:
        try:
            count = _get(http, f"/datasets/{dataset_id}", policy=policy).get("itemCount")
        except ProviderError:
            count = None  # the run is still worth recording without its item count
        if isinstance(count, int) and not isinstance(count, bool):
            run = ScraperRun(**{**run.__dict__, "item_count": count})
    return run


def iter_run_pages(
    http: httpx.Client,
    started_after: datetime,
    *,
    source: str,
    started_before: datetime | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    page_size: int = PAGE_SIZE,
) -> Iterator[tuple[list[ScraperRun], int]]:
    """Yield ``(runs, total)`` a page at a time for runs started in ``[started_after, started_before]``.

    Newest first (``desc=1``), so runs started while we page push older ones down (seen twice, upserted once)
    instead of hiding them. Runs outside the window are dropped client-side as well, in case the server ignores
    the filter.
    """
    params: dict[str, Any] = {"limit": page_size, "desc": 1, "startedAfter": _iso(started_after)}
    if started_before is not None:
        params["startedBefore"] = _iso(started_before)
    offset = 0
    while True:
        data = _get(http, "/actor-runs", params={**params, "offset": offset}, policy=policy)
        items = data.get("items")
        total = data.get("total")
        if not isinstance(items, list) or not isinstance(total, int):
            raise ProviderResponseError(NAME, "GET /actor-runs returned no items/total list")
        runs = [parse_run(item, source=source) for item in items]
        inside = [
            r
            for r in runs
            if r.created_at >= started_after and (started_before is None or r.created_at <= started_before)
        ]
        yield inside, total
        offset += len(items)
        older_only = data.get("desc") is True and runs and runs[-1].created_at < started_after
        if offset >= total or older_only:
            return
        if not items:  # the API counts more runs than it lists: storing the short list would lose the rest
            raise ProviderResponseError(
                NAME, f"GET /actor-runs stopped short: it listed {offset} of the {total} runs it counts"
            )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def fetch(
    http: httpx.Client, first: date, last: date, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> Fetched:
    """Every run started on the UTC days ``first``..``last`` (inclusive), the daily lines they make, their item
    counts where the dataset listing has them (their Actors' and tasks' names: ``run_names``)."""
    after = datetime.combine(first, time.min, tzinfo=UTC)
    before = datetime.combine(last, time.max, tzinfo=UTC)
    runs: list[ScraperRun] = []
    for page, _total in iter_run_pages(http, after, source=IMPORT_SOURCE, started_before=before, policy=policy):
        runs.extend(page)
    counts = item_counts(http, after, policy) if runs else {}
    runs = [replace(r, item_count=counts.get(r.run_id, r.item_count)) for r in runs]
    return Fetched(run_lines(runs), runs)


def run_names(
    http: httpx.Client, runs: Iterable[ScraperRun], known: Collection[str], policy: RetryPolicy = DEFAULT_POLICY
) -> dict[str, Label]:
    """Names of the Actors and tasks ``runs`` came from, except the ids in ``known`` (names stored recently): one
    request per id, so a collection asks only for what it has not seen lately, once however many windows it read."""
    ids = {r.scraper_id: "actor" for r in runs}
    ids.update({t: "task" for r in runs if (t := r.usage_details.get("actorTaskId"))})
    return names(http, {i: kind for i, kind in ids.items() if i not in known}, policy)


def item_counts(http: httpx.Client, since: datetime, policy: RetryPolicy = DEFAULT_POLICY) -> dict[str, int]:
    """``{run id: itemCount}`` of the runs' default datasets created since ``since``, newest first, reading at most
    ``MAX_DATASET_PAGES`` pages (bounded work: runs past them keep an unknown count). A token that may not list
    datasets gives no counts; a listing of the wrong shape fails."""
    out: dict[str, int] = {}
    for page in range(MAX_DATASET_PAGES):
        params = {"desc": 1, "unnamed": 1, "limit": PAGE_SIZE, "offset": page * PAGE_SIZE}
        try:
            data = _get(http, "/datasets", params=params, policy=policy)
        except ProviderResponseError:
            raise
        except ProviderError:
            return out  # counts are a nicety: a token without storage access still collects spend
        items = data.get("items")
        if not isinstance(items, list):
            raise ProviderResponseError(NAME, "GET /datasets returned no items list")
        for item in items:
            if not isinstance(item, dict):
                raise ProviderResponseError(NAME, "GET /datasets listed a dataset that is not an object")
            run_id, count = item.get("actRunId"), item.get("itemCount")
            if isinstance(run_id, str) and isinstance(count, int) and not isinstance(count, bool) and count >= 0:
                out[run_id] = count
        oldest = _timestamp(items[-1].get("createdAt"), "dataset createdAt") if items else None
        if len(items) < PAGE_SIZE or oldest is None or oldest < since:
            break
    return out


def names(http: httpx.Client, ids: dict[str, str], policy: RetryPolicy = DEFAULT_POLICY) -> dict[str, Label]:
    """Display names of Actors and tasks (``{id: kind}``), at most ``MAX_NAME_LOOKUPS`` of them. One that Apify no
    longer has (404) or that the token may not read keeps its id; a payload of the wrong shape fails."""
    out: dict[str, Label] = {}
    for object_id, kind in sorted(ids.items())[:MAX_NAME_LOOKUPS]:
        try:
            data = _get(http, _NAME_PATHS[kind].format(quote(object_id, safe="~")), policy=policy)
        except ProviderResponseError:
            raise
        except ProviderError:
            continue
        name, title = data.get("name"), data.get("title")
        if not isinstance(name, str) or not name or (title is not None and not isinstance(title, str)):
            raise ProviderResponseError(NAME, f"GET {_NAME_PATHS[kind].format(object_id)} has no name")
        out[object_id] = Label(kind=kind, name=name, title=title or None)
    return out


def run_lines(runs: Iterable[ScraperRun], cost_source: str = RUN_REPORTED) -> list[DailyCost]:
    """One line per (UTC start day, scraper, run owner): the sum of the runs' reported cost (a run without one adds
    nothing) and the number of runs."""
    cost: dict[tuple[date, str, str], Decimal] = defaultdict(lambda: ZERO)
    count: dict[tuple[date, str, str], int] = defaultdict(int)
    for run in runs:
        key = (run.created_at.astimezone(UTC).date(), run.scraper_id, run.user_id or UNKNOWN_OWNER)
        cost[key] += run.cost_usd if run.cost_usd is not None else ZERO
        count[key] += 1
    return [
        DailyCost(NAME, day, scraper, scraper, cost[key], count[key], cost_source, owner=owner)
        for key in sorted(count)
        for day, scraper, owner in [key]
    ]


def independent_total(
    http: httpx.Client, first: date, last: date, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> IndependentTotal:
    """Apify's billing-grade usage for the days, from ``GET /v2/users/me/usage/monthly``.

    Usage cycles follow the subscription anniversary, not the calendar: walk every cycle that overlaps the days
    and add up the daily ``totalUsageCreditsUsd`` that fall inside them.

        {"data": {"usageCycle": {"startAt": "2026-08-02T00:00:00.000Z", "endAt": "2026-09-01T23:59:59.999Z"},
                  "dailyServiceUsages": [{"date": "2026-08-02T00:00:00.000Z", "totalUsageCreditsUsd": 0.0474}]}}
    """
    total, seen, probe = Decimal(0), set(), first
    for _ in range(24):  # a calendar month overlaps two cycles at most; the bound only guards against a loop
        data = _get(http, "/users/me/usage/monthly", params={"date": probe.isoformat()}, policy=policy)
        cycle, days = data.get("usageCycle"), data.get("dailyServiceUsages")
        if not isinstance(cycle, dict) or not isinstance(days, list):
            raise ProviderResponseError(NAME, "GET /users/me/usage/monthly returned no usageCycle/dailyServiceUsages")
        end = _timestamp(cycle.get("endAt"), "usageCycle.endAt")
        for entry in days:
            day = _timestamp(entry.get("date") if isinstance(entry, dict) else None, "dailyServiceUsages.date")
            if day is None or day.date() in seen or not first <= day.date() <= last:
                continue
            seen.add(day.date())
            try:
                total += parse_usd(entry.get("totalUsageCreditsUsd"), what=f"usage on {day.date()}")
            except ValueError as exc:
                raise ProviderResponseError(NAME, str(exc)) from None
        if end is None or end.date() >= last:
            return IndependentTotal(total, "GET /v2/users/me/usage/monthly (daily totalUsageCreditsUsd)")
        probe = end.date() + timedelta(days=1)
    raise ProviderResponseError(NAME, "usage cycles did not reach the end of the month")


def doctor(http: httpx.Client, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY) -> list[Check]:
    """The token lists runs (and their Actors' names and datasets), and may read the billing-grade usage."""

    def usage() -> str:
        today = datetime.now(UTC).date()
        total = independent_total(http, today, today, settings, policy)
        return f"the monthly usage answers ({total.source})"

    return [yesterday_fetched(fetch, http, settings, policy), probe("usage", usage)]


PROVIDER = KEYED.provider(RUNS, True, fetch, independent_total=independent_total, doctor=doctor, names=run_names)
