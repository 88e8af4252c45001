"""OpenAI's Admin API: ``/v1/organization/costs`` and every ``/v1/organization/usage/{type}``.

Unix-second ``start_time`` (inclusive) and ``end_time`` (exclusive), one bucket per UTC day *including empty days*,
``limit`` buckets per page at most (and never more than ``page_size``), ``has_more``/``next_page``. As live:

* with ``group_by=line_item`` each line item comes back once per project (``proj_main`` and ``proj_batch`` share it
  exactly, and ``proj_idle`` with ``"0E-6176"``); ``amount.value`` is a JSON number, a numeric string, or a
  39-decimal string;
* a ledger entry's ``product`` names the usage endpoint that counts it (default ``completions``); the tools
  (``file_search_calls``, ``code_interpreter_sessions``) count without a model, in ``num_requests``/``num_sessions``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import httpx

from tests.imitation.ledger import Entry
from tests.imitation.wire import ZERO, BadRequest, day_of_unix, number_or_string, split, token, unix, untoken

COSTS = "/v1/organization/costs"
USAGE = "/v1/organization/usage/"
# usage type -> (its count field, the group_by values it accepts)
_IDS = {"project_id", "user_id", "api_key_id"}
USAGE_TYPES = {
    "completions": ("num_model_requests", _IDS | {"model", "batch", "service_tier"}),
    "embeddings": ("num_model_requests", _IDS | {"model"}),
    "moderations": ("num_model_requests", _IDS | {"model"}),
    "images": ("num_model_requests", _IDS | {"model", "size", "source"}),
    "audio_speeches": ("num_model_requests", _IDS | {"model"}),
    "audio_transcriptions": ("num_model_requests", _IDS | {"model"}),
    "web_search_calls": ("num_requests", _IDS | {"model", "context_level"}),
    "file_search_calls": ("num_requests", _IDS | {"vector_store_id"}),
    "code_interpreter_sessions": ("num_sessions", {"project_id"}),
    "vector_stores": ("usage_bytes", {"project_id"}),
}
# what each usage type measures besides its count (required by the spec)
_MEASURES = {
    "completions": ("input_tokens", "output_tokens"),
    "embeddings": ("input_tokens",),
    "moderations": ("input_tokens",),
    "images": ("images",),
    "audio_speeches": ("characters",),
    "audio_transcriptions": ("seconds",),
}
OBJECTS = {  # the results not named after their path
    "file_search_calls": "organization.usage.file_searches.result",
    "web_search_calls": "organization.usage.web_searches.result",
}
PROJECTS = ("proj_main", "proj_batch")  # every line item is split between them
IDLE_PROJECT = "proj_idle"  # listed with a zero amount written as live responses write it


def handle(im, request: httpx.Request) -> httpx.Response:
    path = request.url.path
    kind = path.removeprefix(USAGE) if path.startswith(USAGE) else None
    if request.method != "GET" or (path != COSTS and kind not in USAGE_TYPES):
        raise BadRequest(f"Invalid URL ({request.method} {path})", 404)
    costs = kind is None
    q = request.url.params
    try:
        start = int(q["start_time"])
        end = int(q["end_time"]) if "end_time" in q else None
        limit = int(q.get("limit", 7))
    except (KeyError, ValueError):
        raise BadRequest("start_time is required; start_time, end_time and limit must be integers") from None
    if q.get("bucket_width", "1d") != "1d":
        raise BadRequest("bucket_width must be 1d")  # this imitation only knows daily buckets
    if not 1 <= limit <= (180 if costs else 31):
        raise BadRequest(f"limit must be between 1 and {180 if costs else 31}")
    group_by = q.get_list("group_by")
    allowed = {"project_id", "line_item", "api_key_id"} if costs else USAGE_TYPES[kind][1]
    if set(group_by) - allowed:
        raise BadRequest(f"invalid group_by {group_by}")
    first = day_of_unix(start)
    if unix(first) < start:
        first += timedelta(days=1)  # buckets start at or after start_time
    limit_end = end if end is not None else unix(first) + limit * 86400
    days = []
    while unix(first + timedelta(days=len(days))) < limit_end:  # end_time is exclusive
        days.append(first + timedelta(days=len(days)))
    if "page" in q:
        cursor = untoken(q["page"])
        if cursor is None or not cursor.isdigit():
            raise BadRequest("invalid page cursor")
        days = [d for d in days if unix(d) >= int(cursor)]
    page, rest = days[: min(limit, im.page_size)], days[min(limit, im.page_size) :]
    buckets = []
    for day in page:
        entries = im.ledger.of("openai", day, day)
        if costs:
            extra = im.ledger.extra("openai", day, day) if "line_item" not in group_by else ZERO
            results = _costs(entries, group_by, extra)
        else:
            results = _usage(kind, entries, group_by)
        buckets.append({"object": "bucket", "start_time": unix(day), "end_time": unix(day) + 86400, "results": results})
    return httpx.Response(
        200,
        json={
            "object": "page",
            "data": buckets,
            "has_more": bool(rest),
            "next_page": token(str(unix(rest[0]))) if rest else None,
        },
    )


def _costs(entries: list[Entry], group_by: list[str], extra: Decimal = ZERO) -> list[dict]:
    """Per line item, one result per project (summing exactly to the item), or without ``group_by=line_item`` one
    result with the day's billed total."""
    sums: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    for e in entries:
        if e.cost:
            sums[e.name if "line_item" in group_by else None] += e.cost
    if extra:
        sums[None] += extra
    results = []
    for i, (item, cost) in enumerate(sums.items()):
        if item is None:
            results.append(_cost(number_or_string(cost, i), None, None, i))
            continue
        main, batch = split(cost, (2,))
        results.append(_cost(number_or_string(main, i), item, PROJECTS[0], i))
        results.append(_cost(format(batch, ".39f"), item, PROJECTS[1], i))  # a 39-decimal string, as seen live
        results.append(_cost("0E-6176", item, IDLE_PROJECT, i))
    return results


def _cost(value: float | str, item: str | None, project: str | None, i: int) -> dict:
    return {
        "object": "organization.costs.result",
        "amount": {"value": value, "currency": "usd"},
        "line_item": item,
        "project_id": project,
        "api_key_id": None,
        "quantity": 1000 * (i + 1) if item else None,
        "quantity_unit": "tokens" if item else None,
    }


def _usage(kind: str, entries: list[Entry], group_by: list[str]) -> list[dict]:
    field = USAGE_TYPES[kind][0]
    sums: dict[str | None, int] = defaultdict(int)
    for e in entries:
        if (e.product or "completions") == kind:
            sums[e.model if "model" in group_by else None] += e.requests or 0
    return [
        {
            "object": OBJECTS.get(kind, f"organization.usage.{kind}.result"),
            field: n,
            **({"num_model_requests": n} if kind == "web_search_calls" else {}),
            **{measure: 100 * n for measure in _MEASURES.get(kind, ())},
            "project_id": None,
            **({} if kind in ("code_interpreter_sessions", "vector_stores") else {"user_id": None, "api_key_id": None}),
            **({"model": model} if "model" in USAGE_TYPES[kind][1] else {}),
        }
        for model, n in sums.items()
    ]
