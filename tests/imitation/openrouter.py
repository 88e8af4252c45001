"""OpenRouter: ``/api/v1/activity`` (only the last 30 completed UTC days before ``today``; every model split over two
provider endpoints, with BYOK usage that is not billed), ``/api/v1/workspaces`` and ``/api/v1/keys`` (the keys of one
workspace: the default one unless ``workspace_id`` is given; ``offset`` paging, ``keys_page_size`` a page)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import httpx

from tests.imitation.wire import ZERO, BadRequest, exact_number, split


def handle(im, request: httpx.Request) -> httpx.Response:
    if request.method == "GET" and request.url.path == "/api/v1/workspaces":
        return _workspaces(im, request)
    if request.method == "GET" and request.url.path == "/api/v1/key":
        return _key(im)
    if request.method == "GET" and request.url.path == "/api/v1/keys":
        return _keys(im, request)
    if request.method != "GET" or request.url.path != "/api/v1/activity":
        raise BadRequest(f"Not found: {request.url.path}", 404)
    first, last = im.openrouter_days()
    q = request.url.params
    if "date" in q:
        try:
            only = date.fromisoformat(q["date"])
        except ValueError:
            raise BadRequest("date must be YYYY-MM-DD") from None
        if not first <= only <= last:
            raise BadRequest("date must be within the last 30 completed UTC days")
        first = last = only
    rows = []
    for e in sorted(im.ledger.of("openrouter", first, last), key=lambda e: (e.day, e.name)):
        requests = e.requests or 0
        head_cost = (e.cost * 3 / 5).quantize(Decimal(1).scaleb(e.cost.as_tuple().exponent - 1))
        halves = (
            (head_cost, requests - requests // 2, "OpenAI", "550e8400-e29b-41d4-a716-44665544000"),
            (e.cost - head_cost, requests // 2, "Azure", "7c9e6679-7425-40de-944b-e07fc1f90ae"),
        )
        for j, (cost, n, provider, endpoint) in enumerate(halves):
            rows.append(
                {
                    "date": str(e.day),
                    "model": e.name,
                    "model_permaslug": f"{e.name}-2025-04-14",
                    "endpoint_id": f"{endpoint}{j}",
                    "provider_name": provider,
                    "usage": exact_number(cost),
                    "byok_usage_inference": 0.25 if j else 0,  # paid on the customer's own keys: not billed
                    "requests": n,
                    "prompt_tokens": 10 * n,
                    "completion_tokens": 25 * n,
                    "reasoning_tokens": 0,
                }
            )
    return httpx.Response(200, json={"data": rows})


# ---- workspaces and their keys: the month-to-date counters

DEFAULT_WORKSPACE = "0df9e665-d932-5740-b2c7-b52af166bc11"
RESEARCH_WORKSPACE = "550e8400-e29b-41d4-a716-446655440000"
WORKSPACES = ((DEFAULT_WORKSPACE, "Default"), (RESEARCH_WORKSPACE, "Research"))
KEYS = (  # (name, n: the key used 1/n of every counter, disabled, workspace); the last key has the rest
    ("Production", 2, False, DEFAULT_WORKSPACE),
    ("Batch jobs", 3, False, RESEARCH_WORKSPACE),
    ("Old laptop (revoked)", 0, True, DEFAULT_WORKSPACE),
)


def keys_of(workspace: str) -> list[str]:
    """The names of a workspace's keys, in listing order (disabled ones included)."""
    return [name for name, _, _, where in KEYS if where == workspace]


def _key(im) -> httpx.Response:
    """``GET /key``: the calling key; ``im.openrouter_inference_key`` makes it an ordinary (inference) key."""
    management = not im.openrouter_inference_key
    data = {
        "label": "sk-or-v1-4c6...a0b",
        "limit": None,
        "limit_remaining": None,
        "limit_reset": None,
        "include_byok_in_limit": False,
        "usage": exact_number(billed(im, date(2000, 1, 1), im.today)),
        "usage_daily": exact_number(billed(im, im.today, im.today)),
        "usage_weekly": 0,
        "usage_monthly": exact_number(billed(im, im.today.replace(day=1), im.today)),
        "byok_usage": 0,
        "byok_usage_daily": 0,
        "byok_usage_weekly": 0,
        "byok_usage_monthly": 0,
        "is_free_tier": False,
        "is_management_key": management,
        "is_provisioning_key": management,
        "rate_limit": {"requests": -1, "interval": "10s", "note": "This field is deprecated and safe to ignore."},
        "expires_at": None,
        "creator_user_id": "user_2dHFtVWx2n56w6HkM0000000000",
    }
    return httpx.Response(200, json={"data": data})


def _workspaces(im, request: httpx.Request) -> httpx.Response:
    q = request.url.params
    try:
        offset, limit = int(q.get("offset", 0)), int(q.get("limit", 50))
    except ValueError:
        raise BadRequest("offset and limit must be integers") from None
    if offset < 0 or not 1 <= limit <= 100:
        raise BadRequest("offset must be >= 0 and limit between 1 and 100")
    rows = [
        {
            "id": workspace,
            "name": name,
            "slug": name.lower(),
            "description": None,
            "created_at": "2025-08-24T10:30:00Z",
            "created_by": "user_abc123",
            "updated_at": None,
            "default_guardrail_id": "595d5849-7e86-51fd-a7c0-705c34e4afff",
            "default_image_model": None,
            "default_provider_sort": None,
            "default_text_model": None,
            "include_byok_in_budgets": False,
            "io_logging_api_key_ids": None,
            "io_logging_sampling_rate": 1,
            "is_data_discount_logging_enabled": True,
            "is_observability_broadcast_enabled": False,
            "is_observability_io_logging_enabled": False,
        }
        for workspace, name in WORKSPACES
    ]
    page = rows[offset : offset + min(limit, im.keys_page_size)]
    return httpx.Response(200, json={"data": page, "total_count": len(rows)})


def billed(im, first: date, last: date) -> Decimal:
    """What OpenRouter bills over ``first``..``last`` (never after ``today``), BYOK excluded."""
    last = min(last, im.today)
    items = sum((e.cost for e in im.ledger.of("openrouter", first, last)), ZERO)
    return items + im.ledger.extra("openrouter", first, last)


def keys_usage_monthly(im) -> Decimal:
    """The sum of every key's ``usage_monthly``: this UTC month up to and including today."""
    return billed(im, im.today.replace(day=1), im.today)


def _keys(im, request: httpx.Request) -> httpx.Response:
    q = request.url.params
    try:
        offset = int(q.get("offset", 0))
    except ValueError:
        raise BadRequest("offset must be an integer") from None
    if offset < 0:
        raise BadRequest("offset must be >= 0")
    today = im.today
    periods = {
        "usage": (date(2000, 1, 1), today),
        "usage_daily": (today, today),
        "usage_weekly": (today - timedelta(days=today.weekday()), today),
        "usage_monthly": (today.replace(day=1), today),
    }
    workspace = q.get("workspace_id", DEFAULT_WORKSPACE)  # without it: the default workspace only
    shares = tuple(share for _, share, _, _ in KEYS[:-1])
    usage = {field: split(billed(im, *span), shares) for field, span in periods.items()}
    byok = {
        field: split(Decimal("0.25") * len(im.ledger.of("openrouter", *span)), shares)
        for field, span in periods.items()
    }
    keys = []
    for i, (name, _, disabled, where) in enumerate(KEYS):
        if where != workspace or (disabled and q.get("include_disabled", "false").lower() != "true"):
            continue
        digest = hashlib.sha256(name.encode()).hexdigest()
        keys.append(
            {
                "hash": digest,
                "name": name,
                "label": f"sk-or-v1-{digest[:3]}...{digest[-3:]}",
                "disabled": disabled,
                "limit": None,
                "limit_remaining": None,
                "limit_reset": None,
                "include_byok_in_limit": False,
                **{field: exact_number(parts[i]) for field, parts in usage.items()},
                **{f"byok_{field}": exact_number(parts[i]) for field, parts in byok.items()},
                "created_at": "2026-01-05T10:00:00.000Z",
                "updated_at": None,
                "expires_at": None,
                "workspace_id": where,
                "creator_user_id": "user_2dHFtVWx2n56w6HkM0000000000",
            }
        )
    return httpx.Response(200, json={"data": keys[offset : offset + im.keys_page_size]})
