"""OpenRouter: daily USD and requests per model from ``/activity`` (management key).

``/activity`` covers only the last 30 completed UTC days (today excluded) and has no pagination, so one call
answers any window; days older than that are simply absent and yield nothing (the caller keeps what it stored).

    GET /activity -> {"data": [
        {"date": "2026-08-20", "model": "openai/gpt-4.1", "model_permaslug": "openai/gpt-4.1-2025-04-14",
         "endpoint_id": "550e8400-…", "provider_name": "OpenAI", "usage": 0.015, "byok_usage_inference": 0.012,
         "requests": 5, "prompt_tokens": 50, "completion_tokens": 125, "reasoning_tokens": 25}]}

One model appears once per provider endpoint, so rows are summed per ``(date, model)``. ``usage`` is what
OpenRouter bills; ``byok_usage_inference`` was paid on the customer's own provider keys and is not counted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from core.config import Settings
from core.errors import ConfigError, ProviderError, ProviderResponseError
from core.http import DEFAULT_POLICY, RetryPolicy, make_client, one_line, request_json
from core.money import parse_usd
from core.providers._lines import LineBuilder, parse_count, sum_counts
from core.providers.contract import REQUESTS, Fetched, IndependentTotal, Provider

NAME = "openrouter"
LABEL = "OpenRouter"
KEY_ENV = "OPENROUTER_MANAGEMENT_KEY"
AUTH_HINT = (
    f"/activity needs a management key: create one at https://openrouter.ai/settings/management-keys "
    f"and set {KEY_ENV} to it"
)
ACTIVITY = "/activity"
HISTORY_DAYS = 30  # /activity forgets: it only covers the last 30 completed UTC days


def configured(settings: Settings) -> bool:
    return bool(settings.openrouter_management_key)


def coverage(first: date, last: date, today: date) -> tuple[date, date] | None:
    """The part of ``first..last`` that ``/activity`` can answer for. Stored days outside it stay as stored."""
    first, last = max(first, today - timedelta(days=HISTORY_DAYS)), min(last, today - timedelta(days=1))
    return (first, last) if first <= last else None


def client(settings: Settings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    if not settings.openrouter_management_key:
        raise ConfigError(f"{KEY_ENV} is not set; {AUTH_HINT}")
    headers = {"Authorization": f"Bearer {settings.openrouter_management_key}"}
    return make_client(settings.openrouter_base_url, headers, transport)


def fetch(
    http: httpx.Client, first: date, last: date, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> Fetched:
    """Daily cost lines for the UTC days ``first``..``last`` (inclusive) that ``/activity`` still covers."""
    if first > last:
        return Fetched([])
    try:
        body = request_json(http, NAME, "GET", ACTIVITY, policy=policy, auth_hint=AUTH_HINT)
    except ProviderError as exc:  # keep the message one clean line, whatever the error body held
        raise type(exc)(NAME, one_line(exc.reason, settings.openrouter_management_key), status=exc.status) from None
    lines = LineBuilder(NAME)
    counts: list[tuple[tuple[date, str], int]] = []
    for day, model, cost, requests in _parse(body):
        if first <= day <= last:
            lines.add(day, model, model, cost)
            counts.append(((day, model), requests))
    return Fetched(lines.build(sum_counts(counts)))


def _parse(body: Any) -> list[tuple[date, str, Decimal, int]]:
    """``{"data": [{"date", "model", "usage", "requests", ...}]}`` -> (day, model, USD, requests) per row."""
    rows = body.get("data") if isinstance(body, dict) else None
    if not isinstance(rows, list):
        raise ProviderResponseError(NAME, f'GET {ACTIVITY} did not return a {{"data": [...]}} object')
    parsed = []
    for row in rows:
        if not isinstance(row, dict):
            raise ProviderResponseError(NAME, f"GET {ACTIVITY} returned a row that is not an object")
        model = row.get("model")
        if not isinstance(model, str) or not model:
            raise ProviderResponseError(NAME, f"GET {ACTIVITY} returned a row without a model")
        try:
            cost = parse_usd(row.get("usage"), what=f"usage of {model!r}"[:80])
        except ValueError as exc:
            raise ProviderResponseError(NAME, one_line(str(exc))) from None
        parsed.append((_day(row.get("date")), model, cost, _count(row.get("requests"), model)))
    return parsed


def _day(value: Any) -> date:
    """``"2026-08-20"`` or ``"2026-08-20 00:00:00"`` (also ISO 8601 with a zone) -> the UTC day."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return moment.date() if moment.tzinfo is None else moment.astimezone(UTC).date()
    raise ProviderResponseError(NAME, f"GET {ACTIVITY} returned date {value!r:.40}, expected YYYY-MM-DD")


def _count(value: Any, model: str) -> int:
    count = parse_count(value)
    if count is None:
        raise ProviderResponseError(NAME, f"requests of {model!r:.60} is {value!r:.40}, expected a count")
    return count


def independent_total(
    http: httpx.Client, first: date, last: date, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> IndependentTotal | None:
    """The month-to-date usage OpenRouter counts on every key (``GET /keys``: ``usage_monthly``, current UTC month).

    Only the current month has such a counter; for a closed month OpenRouter keeps no independent total (None).
    The counter includes today, which ``/activity`` does not cover yet, so today's ``usage_daily`` is taken off.
    """
    today = datetime.now(UTC).date()
    if (first.year, first.month) != (today.year, today.month):
        return None
    total, offset, seen = Decimal(0), 0, set()
    secret = settings.openrouter_management_key
    for _ in range(100):
        try:
            body = request_json(
                http,
                NAME,
                "GET",
                "/keys",
                params={"offset": offset, "include_disabled": "true"},
                policy=policy,
                auth_hint=AUTH_HINT,
            )
        except ProviderError as exc:
            raise type(exc)(NAME, one_line(exc.reason, secret), status=exc.status) from None
        keys = body.get("data") if isinstance(body, dict) else None
        if not isinstance(keys, list):
            raise ProviderResponseError(NAME, "GET /keys returned no data list")
        new = [k for k in keys if isinstance(k, dict) and k.get("hash") not in seen]
        for key in new:
            seen.add(key.get("hash"))
            try:
                # Like for like: /activity does not cover today yet, so today's usage is left out.
                total += parse_usd(key.get("usage_monthly", 0), what="usage_monthly") - parse_usd(
                    key.get("usage_daily", 0), what="usage_daily"
                )
            except ValueError:
                raise ProviderResponseError(NAME, "GET /keys returned a key without a numeric usage_monthly") from None
        if not new:  # the end, or a server that ignores offset
            break
        offset += len(keys)
    return IndependentTotal(total, "GET /keys usage_monthly - usage_daily (sum over keys, month to date without today)")


PROVIDER = Provider(
    name=NAME,
    label=LABEL,
    key_env=KEY_ENV,
    auth_hint=AUTH_HINT,
    counts=REQUESTS,
    has_counts=True,
    configured=configured,
    client=client,
    fetch=fetch,
    window=coverage,
    independent_total=independent_total,
)
