"""Anthropic's cost report: ``/v1/organizations/cost_report``, RFC 3339 window, ``group_by[]=description``, amounts in
CENTS as decimal strings, one description split over two results (two context windows), paged like OpenAI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx

from tests.imitation.ledger import Entry
from tests.imitation.wire import ZERO, BadRequest, token, untoken


def handle(im, request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if request.method != "GET" or path != "/v1/organizations/cost_report":
        raise BadRequest(f"Not found: {path}", 404)
    if request.headers.get("anthropic-version") != "2023-06-01":
        raise BadRequest("anthropic-version: header is required")
    q = request.url.params
    try:
        start = datetime.fromisoformat(q["starting_at"].replace("Z", "+00:00")).astimezone(UTC)
        end = (
            datetime.fromisoformat(q["ending_at"].replace("Z", "+00:00")).astimezone(UTC) if "ending_at" in q else None
        )
        limit = int(q.get("limit", 7))
    except (KeyError, ValueError):
        raise BadRequest("starting_at is required; times must be RFC 3339") from None
    if q.get("bucket_width", "1d") != "1d" or not 1 <= limit <= 31:
        raise BadRequest("bucket_width must be 1d and limit between 1 and 31")
    group_by = q.get_list("group_by[]")
    if set(group_by) - {"workspace_id", "description"}:
        raise BadRequest(f"invalid group_by[] {group_by}")
    first = start.date()  # snapped to the start of the UTC day
    stop = end.date() if end is not None else first + timedelta(days=limit)  # buckets ending by ending_at
    days = [first + timedelta(days=i) for i in range(max((stop - first).days, 0))]
    if "page" in q:
        cursor = untoken(q["page"])
        try:
            since = date.fromisoformat((cursor or "")[:10])
        except ValueError:
            raise BadRequest("invalid page token") from None
        days = [d for d in days if d >= since]
    page, rest = days[: min(limit, im.page_size)], days[min(limit, im.page_size) :]
    data = []
    for day in page:
        results = []
        entries = im.ledger.of("anthropic", day, day)
        if "description" in group_by:
            for e in entries:
                cents = e.cost * 100
                head = (cents * 3 / 4).quantize(Decimal("0.00001")) if cents >= 1 else cents
                for part, window in ((head, "0-200k"), (cents - head, "200k-1M")):
                    if part or window == "0-200k":
                        results.append(_result(e, part, window))
        elif entries or im.ledger.extra("anthropic", day, day):
            total = sum((e.cost for e in entries), ZERO) + im.ledger.extra("anthropic", day, day)
            results.append(
                {
                    "amount": format(total * 100, "f"),  # cents, as a decimal string
                    "currency": "USD",
                    "description": None,
                    "cost_type": None,
                    "model": None,
                    "token_type": None,
                    "service_tier": None,
                    "context_window": None,
                    "inference_geo": None,
                    "workspace_id": None,
                }
            )
        data.append(
            {
                "starting_at": f"{day}T00:00:00Z",
                "ending_at": f"{day + timedelta(days=1)}T00:00:00Z",
                "results": results,
            }
        )
    return httpx.Response(
        200,
        json={
            "data": data,
            "has_more": bool(rest),
            "next_page": token(f"{rest[0]}T00:00:00Z") if rest else None,
        },
        headers={"request-id": "req_011imitation"},
    )


def _result(e: Entry, cents: Decimal, window: str) -> dict:
    token = None
    if e.model:
        token = "output_tokens" if "Output" in e.name else "uncached_input_tokens"
    return {
        "amount": format(cents, "f"),
        "currency": "USD",
        "description": e.name,
        "cost_type": "tokens" if e.model else "web_search",
        "model": e.model,
        "token_type": token,
        "service_tier": "standard" if e.model else None,
        "context_window": window if e.model else None,
        "inference_geo": "global",
        "workspace_id": None,
    }
