"""ElevenLabs: credits per day x model x product, priced in USD, with request counts where still available.

    POST /v1/workspace/analytics/query/usage-by-product-over-time   (a table; find columns by unit, not name)
        -> {"columns":      ["timestamp", "product_type", "model", "credits_used"],
            "column_types": ["DateTime", "String", "String", "Float"],
            "column_units": ["s", null, null, "credits"],
            "rows": [["2026-08-01T00:00:00Z", "text-to-speech", "eleven_multilingual_v2", "125.5"]]}
    GET /v1/user/subscription
        -> {"tier": "creator", "currency": "usd", "character_limit": 100000, "billing_period": "monthly_period",
            "next_invoice": {"amount_due_cents": 1980, "subtotal_cents": 2200, "tax_cents": 0,
                             "discounts": [{"discount_percent_off": 10.0, "discount_amount_off": null}], ...}, ...}
    GET /v1/usage/character-stats?metric=request_count&breakdown_type=model&include_workspace_metrics=true
        (deprecated; may answer 404/410)
        -> {"time": [1785542400000, 1785628800000], "usage": {"eleven_multilingual_v2": [12, 3]}}

There is no billed-spend endpoint, so every line is ``credits x $/1k credits / 1000`` (``DERIVED_FROM_CREDITS``); the
price is the setting, else what the next invoice charges (``amount_due_cents - tax_cents``: after discounts, before
tax) over the credits it buys.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx

from core.config import Settings
from core.errors import ProviderError, ProviderResponseError
from core.http import DEFAULT_POLICY, RetryPolicy, request_json
from core.models import DERIVED_FROM_CREDITS, UNPRICED
from core.money import ZERO, parse_decimal
from core.providers._checks import probe, yesterday_fetched
from core.providers._keyed import header, keyed
from core.providers._lines import LineBuilder, sum_counts
from core.providers.contract import REQUESTS, Check, Fetched

NAME = "elevenlabs"
LABEL = "ElevenLabs"
KEY_ENV = "ELEVENLABS_API_KEY"
PRICE_ENV = "ELEVENLABS_USD_PER_1K_CREDITS"
AUTH_HINT = f"set {KEY_ENV} to an ElevenLabs API key allowed to read usage and workspace analytics"
USAGE_PATH = "/v1/workspace/analytics/query/usage-by-product-over-time"
SUBSCRIPTION_PATH = "/v1/user/subscription"
STATS_PATH = "/v1/usage/character-stats"
UNPRICEABLE = f"cannot price ElevenLabs credits: set {PRICE_ENV} (your plan's $ per 1,000 credits)"
_NUMBER = re.compile(r"\d+(\.\d*)?")
_PERIOD_MONTHS = {"monthly_period": 1, "3_month_period": 3, "6_month_period": 6, "annual_period": 12}


KEYED = keyed(NAME, LABEL, KEY_ENV, AUTH_HINT, "elevenlabs_api_key", "elevenlabs_base_url", header("xi-api-key"))
configured, client = KEYED.configured, KEYED.client


def fetch(
    http: httpx.Client, first: date, last: date, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> Fetched:
    """Daily cost lines for the UTC days ``first``..``last`` inclusive; raises rather than return partial data."""
    try:
        usd_per_1k, _ = price_per_1k_credits(http, settings, policy)
    except ProviderResponseError as exc:
        if exc.reason != UNPRICEABLE:
            raise
        usd_per_1k = None  # usage is still real: it is stored as unpriced credits, never as $0 of spend
    start = datetime.combine(first, time(), UTC)
    end = datetime.combine(last + timedelta(days=1), time(), UTC)
    body = {
        "start_time": _ms(start),
        "end_time": _ms(end),
        "interval_seconds": 86400,
        "group_by": ["product_type", "model"],
        "time_zone": "UTC",
    }
    table = request_json(http, NAME, "POST", USAGE_PATH, json_body=body, policy=policy, auth_hint=AUTH_HINT)
    lines = LineBuilder(NAME, DERIVED_FROM_CREDITS if usd_per_1k is not None else UNPRICED, unit="credits")
    for day, model, product, credits in _parse_usage(table):
        if first <= day <= last:
            cost = ZERO if usd_per_1k is None else credits * usd_per_1k / 1000
            lines.add(day, _line_item(model, product), model, cost, quantity=credits)
    params = {
        "start_unix": _ms(start),
        "end_unix": _ms(end) - 1,  # 23:59:59.999 of the last day
        "aggregation_interval": "day",
        "breakdown_type": "model",
        "metric": "request_count",
        # Without it the counts cover only the key's own user, while the credits above are workspace-wide.
        "include_workspace_metrics": "true",
    }
    try:
        stats = request_json(http, NAME, "GET", STATS_PATH, params=params, policy=policy, auth_hint=AUTH_HINT)
    except ProviderError as exc:
        # The endpoint is deprecated: once it is gone, counts are unknown (None), not zero.
        if type(exc) is ProviderError and exc.status in (404, 410):  # the deprecated endpoint is gone
            return Fetched(lines.build(None))
        raise
    counts = _parse_request_counts(stats)
    return Fetched(lines.build({key: n for key, n in counts.items() if first <= key[0] <= last}))


def price_per_1k_credits(
    http: httpx.Client, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> tuple[Decimal, str]:
    """USD per 1,000 credits and where it comes from: the setting, else the plan's price over its credits."""
    if settings.elevenlabs_usd_per_1k_credits is not None:
        return settings.elevenlabs_usd_per_1k_credits, PRICE_ENV
    sub = request_json(http, NAME, "GET", SUBSCRIPTION_PATH, policy=policy, auth_hint=AUTH_HINT)
    if not isinstance(sub, dict):
        raise ProviderResponseError(NAME, f"GET {SUBSCRIPTION_PATH} did not return an object")
    invoice = sub.get("next_invoice")
    limit = sub.get("character_limit")
    currency = sub.get("currency")
    if currency is not None and str(currency).lower() != "usd":  # invoice cents would not be dollars
        raise ProviderResponseError(
            NAME,
            f"cannot price ElevenLabs credits: the subscription's currency is {str(currency)[:10]!r}, not usd; "
            f"set {PRICE_ENV} (your plan's $ per 1,000 credits)",
        )
    if not isinstance(invoice, dict) or not _positive_int(limit) or sub.get("status") in ("free", "free_disabled"):
        raise ProviderResponseError(NAME, UNPRICEABLE)
    # What is actually charged: after discounts (subtotal_cents is before them), before tax.
    due, tax = invoice.get("amount_due_cents"), invoice.get("tax_cents")
    tax = 0 if tax is None else tax
    for field, value in (("amount_due_cents", due), ("tax_cents", tax)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ProviderResponseError(
                NAME, f"GET {SUBSCRIPTION_PATH} next_invoice.{field} is {str(value)[:20]!r}, expected whole cents"
            )
    cents = due - tax
    if cents <= 0:
        raise ProviderResponseError(NAME, UNPRICEABLE)
    # An annual invoice pays for twelve monthly credit refills, not one.
    billed = _PERIOD_MONTHS.get(str(sub.get("billing_period")), 1)
    refill = _PERIOD_MONTHS.get(str(sub.get("character_refresh_period")), billed)
    credits = limit * max(billed // refill, 1)
    dollars = Decimal(cents) / 100
    plan = f"{sub.get('tier') or 'current'} plan"
    return dollars / credits * 1000, f"subscription: {plan} ${dollars:,.2f} / {credits:,} credits"


def _parse_usage(table: Any) -> list[tuple[date, str | None, str | None, Decimal]]:
    """``(day, model, product_type, credits)`` per row of the analytics table."""
    if not isinstance(table, dict):
        raise _bad("the usage response is not an object")
    columns, types, units, rows = (table.get(k) for k in ("columns", "column_types", "column_units", "rows"))
    if not isinstance(columns, list) or not isinstance(units, list) or len(units) != len(columns):
        raise _bad("the usage table has no columns/column_units of equal length")
    if not isinstance(rows, list):
        raise _bad("the usage table's rows is not a list")
    types = types if isinstance(types, list) and len(types) == len(columns) else [None] * len(columns)
    credits_at = next((i for i, unit in enumerate(units) if unit == "credits"), None)
    if credits_at is None:
        raise _bad(f"the usage table has no column in credits (columns: {columns})")
    time_at = next((i for i, t in enumerate(types) if t == "DateTime"), None)
    time_at = columns.index("timestamp") if time_at is None and "timestamp" in columns else time_at
    if time_at is None:
        raise _bad(f"the usage table has no timestamp column (columns: {columns})")
    model_at, product_at = (columns.index(c) if c in columns else None for c in ("model", "product_type"))
    out = []
    for row in rows:
        if not isinstance(row, list) or len(row) != len(columns):
            raise _bad(f"a usage row is not a list of {len(columns)} values: {str(row)[:80]}")
        day = _day(row[time_at], units[time_at])
        raw = row[credits_at]
        try:
            credits = Decimal(0) if raw is None else parse_decimal(raw, what="credits")  # cells are nullable
        except ValueError as exc:
            raise _bad(f"usage on {day}: {exc}") from None
        if credits < 0:
            raise _bad(f"usage on {day} has negative credits ({raw!r})")
        out.append((day, _text(row, model_at), _text(row, product_at), credits))
    return out


def _parse_request_counts(stats: Any) -> dict[tuple[date, str], int]:
    """``{(day, model): requests}`` from character-stats (bucket starts in ms, one series per model)."""
    times = stats.get("time") if isinstance(stats, dict) else None
    usage = stats.get("usage") if isinstance(stats, dict) else None
    if not isinstance(times, list) or not isinstance(usage, dict):
        raise _bad(f"GET {STATS_PATH} did not return {{time: [...], usage: {{...}}}}")
    days = [_day(t, "ms") for t in times]
    pairs = []
    for model, series in usage.items():
        if not isinstance(series, list) or len(series) != len(days):
            raise _bad(f"request counts for {model!r} do not match the {len(days)} time buckets")
        for day, value in zip(days, series, strict=True):
            pairs.append(((day, model), _count(value, model)))
    return sum_counts(pairs)


def _day(value: Any, unit: Any) -> date:
    """A UTC date from an ISO string or epoch number (seconds or ms, per the column unit or the magnitude)."""
    if isinstance(value, str) and not _NUMBER.fullmatch(value.strip()):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)).date()
    try:
        number = parse_decimal(value, what="timestamp")
        seconds = number / 1000 if unit == "ms" or (unit != "s" and number > 10**11) else number
        return datetime.fromtimestamp(float(seconds), UTC).date()
    except (ValueError, OverflowError, OSError):
        raise _bad(f"timestamp {str(value)[:40]!r} is neither ISO 8601 nor epoch seconds/ms") from None


def _count(value: Any, model: str) -> int:
    try:
        number = parse_decimal(value, what=f"request count for {model!r}")
    except ValueError as exc:
        raise _bad(str(exc)) from None
    if number < 0 or number != number.to_integral_value():
        raise _bad(f"request count for {model!r} is {value!r}, expected a whole number >= 0")
    return int(number)


def _text(row: list, at: int | None) -> str | None:
    value = None if at is None else row[at]
    return None if value is None or str(value) == "" else str(value)


def _line_item(model: str | None, product: str | None) -> str:
    if model and product:
        return f"{model} / {product}"
    return model or product or "unattributed"


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _ms(moment: datetime) -> int:
    return int(moment.timestamp()) * 1000


def _bad(message: str) -> ProviderResponseError:
    return ProviderResponseError(NAME, message)


def doctor(http: httpx.Client, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY) -> list[Check]:
    """The analytics and request counts answering in shape, and where the price of a credit comes from."""

    def price() -> str:
        usd, source = price_per_1k_credits(http, settings, policy)
        return f"${usd:.4f} per 1,000 credits ({source})"

    return [yesterday_fetched(fetch, http, settings, policy), probe("price", price)]


PROVIDER = KEYED.provider(REQUESTS, True, fetch, doctor=doctor)
