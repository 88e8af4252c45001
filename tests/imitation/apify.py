"""Apify: ``/v2/actor-runs`` (offset/limit/desc/startedAfter/startedBefore, paged), Actor and task names
(``/v2/acts/{id}``, ``/v2/actor-tasks/{id}``), the dataset listing with item counts, and
``/v2/users/me/usage/monthly?date=`` (the usage cycle containing ``date``, anchored on ``apify_cycle_day``)."""

from __future__ import annotations

import calendar
import copy
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx

from core.periods import month_end
from tests.conftest import load_fixture
from tests.imitation.ledger import Ledger, Run
from tests.imitation.wire import ZERO, BadRequest, exact_number

ACTORS = {  # the Actors the ledger's runs use: id -> (name, title)
    "actA": ("website-content-crawler", "Website Content Crawler"),
    "actB": ("google-maps-scraper", "Google Maps Scraper"),
    "actC": ("instagram-scraper", None),
}


def run_item(run_id: str, started: datetime, cost: object, status: str = "SUCCEEDED", act: str = "actA") -> dict:
    item = copy.deepcopy(load_fixture("apify", "run_short.json"))
    item.update(id=run_id, actId=act, status=status, startedAt=started.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    if cost is None:
        item.pop("usageTotalUsd")
    else:
        item["usageTotalUsd"] = cost
    return item


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class FakeApify:
    def __init__(self, runs: list[dict], *, token: str = "apify_api_test_token_0000"):
        self.runs = runs
        self.token = token
        self.requests: list[httpx.Request] = []
        self.fail_next: list[httpx.Response | Exception] = []  # served before normal answers
        self.hook: Callable[[httpx.Request], httpx.Response | None] | None = None
        self.actors: dict[str, tuple[str, str | None]] = dict(ACTORS)  # id -> (name, title)
        self.tasks: dict[str, tuple[str, str | None]] = {}
        self.item_count = 42  # every dataset's items, like the dataset fixture

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail_next:
            failure = self.fail_next.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return httpx.Response(401, json=load_fixture("apify", "error_401.json"))
        if self.hook and (response := self.hook(request)):
            return response
        path = request.url.path
        if path == "/v2/actor-runs":
            return self._list(request)
        if path.startswith("/v2/actor-runs/"):
            run_id = path.rsplit("/", 1)[1]
            for run in self.runs:
                if run["id"] == run_id:
                    full = copy.deepcopy(load_fixture("apify", "run.json"))
                    full["data"].update(run)
                    return httpx.Response(200, json=full)
            return httpx.Response(404, json={"error": {"type": "record-not-found", "message": "Actor run not found"}})
        if path.startswith("/v2/datasets/"):
            return httpx.Response(200, json=load_fixture("apify", "dataset.json"))
        if path == "/v2/datasets":
            return self._datasets(request)
        if path.startswith(("/v2/acts/", "/v2/actors/", "/v2/actor-tasks/")):
            return self._name(path)
        return httpx.Response(404, json={"error": {"type": "page-not-found", "message": "Not found"}})

    def _name(self, path: str) -> httpx.Response:
        """An Actor (``/v2/acts/{id}``, alias ``/v2/actors/{id}``) or a task (``/v2/actor-tasks/{id}``) by id."""
        kind = "task" if path.startswith("/v2/actor-tasks/") else "actor"
        object_id = path.rsplit("/", 1)[1]
        known = (self.tasks if kind == "task" else self.actors).get(object_id)
        if known is None:
            message = f"{'Actor task' if kind == 'task' else 'Actor'} was not found"
            return httpx.Response(404, json={"error": {"type": "record-not-found", "message": message}})
        name, title = known
        data = load_fixture("apify", "task.json" if kind == "task" else "actor.json")["data"]
        data.update(id=object_id, name=name, title=title)
        return httpx.Response(200, json={"data": data})

    def _datasets(self, request: httpx.Request) -> httpx.Response:
        """The account's datasets, the runs' default ones included with ``unnamed=1``, each with its item count."""
        q = request.url.params
        offset, limit = int(q.get("offset", 0)), min(int(q.get("limit", 1000)), 1000)
        desc = q.get("desc") in ("1", "true")
        runs = (
            sorted(self.runs, key=lambda r: r["startedAt"], reverse=desc) if q.get("unnamed") in ("1", "true") else []
        )
        items = [
            {
                "id": f"ds{run['id']}"[:17],
                "userId": run.get("userId"),
                "createdAt": run["startedAt"],
                "modifiedAt": run.get("finishedAt") or run["startedAt"],
                "accessedAt": run.get("finishedAt") or run["startedAt"],
                "itemCount": self.item_count,
                "cleanItemCount": self.item_count,
                "actId": run.get("actId"),
                "actRunId": run["id"],
            }
            for run in runs[offset : offset + limit]
        ]
        data = {"total": len(runs), "offset": offset, "limit": limit, "count": len(items), "desc": desc, "items": items}
        return httpx.Response(200, json={"data": data})

    def _list(self, request: httpx.Request) -> httpx.Response:
        q = request.url.params
        offset = int(q.get("offset", 0))
        limit = min(int(q.get("limit", 1000)), 1000)
        desc = q.get("desc") in ("1", "true")
        runs = sorted(self.runs, key=lambda r: r["startedAt"], reverse=desc)
        if "startedAfter" in q:
            runs = [r for r in runs if _parse(r["startedAt"]) >= _parse(q["startedAfter"])]
        if "startedBefore" in q:
            runs = [r for r in runs if _parse(r["startedAt"]) <= _parse(q["startedBefore"])]
        items = runs[offset : offset + limit]
        data = {"total": len(runs), "offset": offset, "limit": limit, "count": len(items), "desc": desc, "items": items}
        return httpx.Response(200, json={"data": data})


class ImitationApify(FakeApify):
    """``FakeApify`` reading its runs from the ledger, with pages of at most ``page_size`` runs."""

    def __init__(self, ledger: Ledger, keys: dict[str, str], page_size: int):
        super().__init__([], token=keys["apify"])
        self.ledger = ledger
        self.keys = keys
        self.page_size = page_size

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.token = self.keys["apify"]
        self.runs = [self._item(r) for r in self.ledger.runs]
        return super().handle(request)

    def _list(self, request: httpx.Request) -> httpx.Response:
        limit = min(int(request.url.params.get("limit", 1000)), 1000, self.page_size)
        capped = httpx.Request(request.method, request.url.copy_set_param("limit", str(limit)), headers=request.headers)
        return super()._list(capped)

    @staticmethod
    def _item(run: Run) -> dict:
        item = run_item(run.id, run.started_at, None if run.usd is None else float(run.usd), run.status, act=run.act_id)
        stamp = run.started_at.astimezone(UTC)
        item["startedAt"] = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
        item["finishedAt"] = None if run.status == "RUNNING" else item["startedAt"]
        return item


def handle(im, request: httpx.Request) -> httpx.Response:
    if request.url.path == "/v2/users/me/usage/monthly":
        return _usage(im, request)
    return im._apify.handle(request)


def cycle(im, day: date) -> tuple[date, date]:
    """The usage cycle (first and last day, inclusive) containing ``day``: it starts on the anniversary day
    of a month (the month's last day when it is shorter) and ends the day before the next one starts."""

    def anchor(year: int, month: int) -> date:
        return date(year, month, min(im.apify_cycle_day, calendar.monthrange(year, month)[1]))

    start = anchor(day.year, day.month)
    if start > day:
        before = day.replace(day=1) - timedelta(days=1)
        start = anchor(before.year, before.month)
    after = month_end(start) + timedelta(days=1)
    return start, anchor(after.year, after.month) - timedelta(days=1)


def _usage(im, request: httpx.Request) -> httpx.Response:
    if request.method != "GET":
        raise BadRequest(f"Not found: {request.url.path}", 404)
    try:
        asked = date.fromisoformat(request.url.params["date"][:10])
    except (KeyError, ValueError):
        raise BadRequest("date must be given as YYYY-MM-DD") from None
    start, end = cycle(im, asked)
    daily = []
    compute_total = extra_total = ZERO
    day = start
    while day <= min(end, im.today):
        compute = sum((r.usd or ZERO for r in im.ledger.runs_between(day, day)), ZERO)
        extra = im.ledger.extra("apify", day, day)
        compute_total += compute
        extra_total += extra
        services = {
            "ACTOR_COMPUTE_UNITS": {
                "quantity": exact_number(compute / Decimal("0.4")),
                "baseAmountUsd": exact_number(compute),
            }
        }
        if extra:  # platform usage outside runs: proxies, storage
            services["PROXY_RESIDENTIAL_TRANSFER_GBYTES"] = {
                "quantity": exact_number(extra / 8),
                "baseAmountUsd": exact_number(extra),
            }
        daily.append(
            {
                "date": f"{day}T00:00:00.000Z",
                "totalUsageCreditsUsd": exact_number(compute + extra),
                "serviceUsage": services,
            }
        )
        day += timedelta(days=1)

    def service(amount: Decimal, unit_price: str, quantity: Decimal) -> dict:
        return {
            "quantity": exact_number(quantity),
            "baseAmountUsd": exact_number(amount),
            "baseUnitPriceUsd": float(unit_price),
            "amountAfterVolumeDiscountUsd": exact_number(amount),
            "priceTiers": [],
        }

    monthly = {"ACTOR_COMPUTE_UNITS": service(compute_total, "0.4", compute_total / Decimal("0.4"))}
    if extra_total:
        monthly["PROXY_RESIDENTIAL_TRANSFER_GBYTES"] = service(extra_total, "8", extra_total / 8)
    total = exact_number(compute_total + extra_total)
    return httpx.Response(
        200,
        json={
            "data": {
                "usageCycle": {"startAt": f"{start}T00:00:00.000Z", "endAt": f"{end}T23:59:59.999Z"},
                "monthlyServiceUsage": monthly,
                "dailyServiceUsages": daily,
                "totalUsageCreditsUsdBeforeVolumeDiscount": total,
                "totalUsageCreditsUsdAfterVolumeDiscount": total,
            }
        },
    )
