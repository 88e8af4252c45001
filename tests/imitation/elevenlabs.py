"""ElevenLabs: the analytics table (``column_units``, credits as strings), ``character-stats`` request counts
(millisecond buckets; the key's own user only unless ``include_workspace_metrics=true``), and
``/v1/user/subscription`` (an invoice with a discount and tax: ``subtotal_cents`` is before both)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import httpx

from tests.imitation.wire import ZERO, BadRequest, day_of_unix, ms


def handle(im, request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if request.method == "GET" and path == "/v1/user/subscription":
        return httpx.Response(200, json=subscription(im))
    if request.method == "POST" and path == "/v1/workspace/analytics/query/usage-by-product-over-time":
        return _usage(im, request)
    if request.method == "GET" and path == "/v1/usage/character-stats":
        return _stats(im, request)
    raise BadRequest(f"Not found: {path}", 404)


def subscription_usd_per_1k_credits(im) -> Decimal:
    """What the plan costs per 1,000 credits: the monthly invoice over the monthly credits."""
    sub = subscription(im)
    invoice = sub["next_invoice"]
    charged = invoice["amount_due_cents"] - invoice["tax_cents"]  # after the discount, before tax
    return Decimal(charged) / 100 / sub["character_limit"] * 1000


def subscription(im) -> dict:
    if im.elevenlabs_plan == "free":  # no invoice: credits cannot be priced from the plan
        return {
            "tier": "free",
            "status": "free",
            "character_count": 4321,
            "character_limit": 10000,
            "next_character_count_reset_unix": 1788220800,
            "currency": None,
            "billing_period": "monthly_period",
            "character_refresh_period": "monthly_period",
            "can_extend_character_limit": False,
            "max_credit_limit_extension": "0",
            "current_overage": None,
            "next_invoice": None,
            "open_invoices": [],
            "has_open_invoices": False,
        }
    return {
        "tier": "creator",
        "status": "active",
        "character_count": 43210,
        "character_limit": 100000,
        "next_character_count_reset_unix": 1788220800,
        "currency": "usd",
        "billing_period": "monthly_period",
        "character_refresh_period": "monthly_period",
        "can_extend_character_limit": True,
        "max_credit_limit_extension": "unlimited",
        "current_overage": {"amount": "0", "currency": "usd"},
        "next_invoice": {
            "amount_due_cents": 2376,  # 2200 - 10% + 20% VAT
            "subtotal_cents": 2200,  # before the discount and tax
            "tax_cents": 396,
            "discounts": [{"discount_percent_off": 10.0, "discount_amount_off": None}],
            "discount_percent_off": 10.0,
            "discount_amount_off": None,
            "next_payment_attempt_unix": 1788220800,
            "payment_intent_statusses": [],
        },
        "open_invoices": [],
        "has_open_invoices": False,
    }


def _usage(im, request: httpx.Request) -> httpx.Response:
    try:
        body = json.loads(request.content)
        start, end = int(body["start_time"]), int(body["end_time"])
    except (ValueError, KeyError, TypeError):
        raise BadRequest("start_time and end_time (unix milliseconds) are required", 422) from None
    if start < 1577836800000 or end <= start:
        raise BadRequest("start_time must be >= 1577836800000 and before end_time", 422)
    if body.get("interval_seconds") != 86400 or body.get("time_zone", "UTC") != "UTC":
        raise BadRequest("this imitation answers daily UTC intervals only", 422)
    group_by = body.get("group_by") or []
    if set(group_by) - {"product_type", "model"}:
        raise BadRequest(f"unsupported group_by {group_by}", 422)
    first = day_of_unix(start // 1000)
    last = day_of_unix((end - 1) // 1000)
    sums: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for e in im.ledger.of("elevenlabs", first, last):
        if ms(e.day) < start or ms(e.day) >= end:
            continue
        key = (e.day, *(e.product if g == "product_type" else e.model for g in group_by))
        sums[key] += e.credits or ZERO
    rows = [
        [f"{key[0]}T00:00:00Z", *key[1:], format(credits, "f")]
        for key, credits in sorted(sums.items(), key=lambda kv: tuple("" if v is None else str(v) for v in kv[0]))
    ]
    return httpx.Response(
        200,
        json={
            "columns": ["timestamp", *group_by, "credits_used"],
            "column_types": ["DateTime", *(["String"] * len(group_by)), "Float"],
            "column_units": ["s", *([None] * len(group_by)), "credits"],
            "rows": rows,
        },
    )


def _stats(im, request: httpx.Request) -> httpx.Response:
    q = request.url.params
    try:
        start, end = int(q["start_unix"]), int(q["end_unix"])
    except (KeyError, ValueError):
        raise BadRequest("start_unix and end_unix (unix milliseconds) are required", 422) from None
    if q.get("aggregation_interval", "day") != "day" or q.get("breakdown_type") != "model":
        raise BadRequest("this imitation answers daily per-model breakdowns only", 422)
    metric = q.get("metric", "credits")
    workspace = q.get("include_workspace_metrics", "false").lower() == "true"
    if metric not in ("request_count", "credits"):
        raise BadRequest(f"unsupported metric {metric}", 422)
    first, last = day_of_unix(start // 1000), day_of_unix(end // 1000)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    usage: dict[str, list] = {}
    for e in im.ledger.of("elevenlabs", first, last):
        if e.model is None:
            continue
        series = usage.setdefault(e.model, [0] * len(days))
        value = (e.requests or 0) if metric == "request_count" else float(e.credits or 0)
        if not workspace:  # the key's own user only: a colleague made the other half
            value = value - value // 2 if metric == "request_count" else value / 2
        series[(e.day - first).days] += value
    return httpx.Response(200, json={"time": [ms(d) for d in days], "usage": usage or {"All": [0] * len(days)}})
