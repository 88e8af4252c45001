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
from core.errors import ProviderAuthError, ProviderError, ProviderResponseError
from core.http import DEFAULT_POLICY, RetryPolicy, request_json
from core.money import parse_usd
from core.providers._checks import probe, yesterday_fetched
from core.providers._keyed import bearer, keyed
from core.providers._lines import LineBuilder, parse_count, sum_counts
from core.providers.contract import REQUESTS, Check, Fetched, IndependentTotal

NAME = "openrouter"
LABEL = "OpenRouter"
KEY_ENV = "OPENROUTER_MANAGEMENT_KEY"
AUTH_HINT = (
    f"/activity needs a management key: create one at https://openrouter.ai/settings/management-keys "
    f"and set {KEY_ENV} to it"
)
ACTIVITY = "/activity"
HISTORY_DAYS = 30  # /activity forgets: it only covers the last 30 completed UTC days
WORKSPACES_PAGE = 100  # the largest page GET /workspaces gives


KEYED = keyed(NAME, LABEL, KEY_ENV, AUTH_HINT, "openrouter_management_key", "openrouter_base_url", bearer)
configured, client = KEYED.configured, KEYED.client


def coverage(first: date, last: date, today: date) -> tuple[date, date] | None:
    """The part of ``first..last`` that ``/activity`` can answer for. Stored days outside it stay as stored."""
    first, last = max(first, today - timedelta(days=HISTORY_DAYS)), min(last, today - timedelta(days=1))
    return (first, last) if first <= last else None


def fetch(
    http: httpx.Client, first: date, last: date, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> Fetched:
    """Daily cost lines for the UTC days ``first``..``last`` (inclusive) that ``/activity`` still covers."""
    if first > last:
        return Fetched([])
    body = request_json(http, NAME, "GET", ACTIVITY, policy=policy, auth_hint=AUTH_HINT)
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
            raise ProviderResponseError(NAME, str(exc)) from None
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

    ``/keys`` lists one workspace at a time (the default one unless ``workspace_id`` is given) while ``/activity``
    spans all of them, so the keys of every workspace ``GET /workspaces`` lists are added up. When the key may not
    list workspaces, the total covers the default workspace only and says so in ``scope``. Keys deleted during the
    month are listed nowhere: their usage is missing from this total.

    Only the current month has such a counter; for a closed month OpenRouter keeps no independent total (None).
    The counter includes today, which ``/activity`` does not cover yet, so today's ``usage_daily`` is taken off.
    """
    today = datetime.now(UTC).date()
    if (first.year, first.month) != (today.year, today.month):
        return None
    try:
        workspaces: list[str | None] = [None, *_workspace_ids(http, policy)]
        scope = None
    except ProviderError as exc:
        if exc.status not in (403, 404):
            raise
        workspaces, scope = [None], DEFAULT_WORKSPACE_ONLY
    total, seen = Decimal(0), set()
    for workspace in workspaces:
        for key in _keys(http, workspace, policy):
            if key["hash"] in seen:
                continue  # the default workspace's keys come back when it is listed by id too
            seen.add(key["hash"])
            # Like for like: /activity does not cover today yet, so today's usage is left out.
            total += _usd(key, "usage_monthly") - _usd(key, "usage_daily")
    where = "every workspace" if scope is None else "the default workspace"
    source = f"GET /keys usage_monthly - usage_daily (sum over the keys of {where}, month to date without today)"
    return IndependentTotal(total, source, scope)


DEFAULT_WORKSPACE_ONLY = "default workspace only"
MAX_PAGES = 100


def _workspace_ids(http: httpx.Client, policy: RetryPolicy) -> list[str]:
    """Every workspace id, paged by ``offset`` until ``total_count`` are listed (a short listing fails)."""
    ids: list[str] = []
    for _ in range(MAX_PAGES):
        params = {"offset": len(ids), "limit": WORKSPACES_PAGE}
        body = request_json(http, NAME, "GET", "/workspaces", params=params, policy=policy, auth_hint=AUTH_HINT)
        rows = body.get("data") if isinstance(body, dict) else None
        total = body.get("total_count") if isinstance(body, dict) else None
        if not isinstance(rows, list) or isinstance(total, bool) or not isinstance(total, int):
            raise ProviderResponseError(NAME, "GET /workspaces did not return data and total_count")
        for row in rows:
            if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not row["id"]:
                raise ProviderResponseError(NAME, "GET /workspaces listed a workspace without an id")
            ids.append(row["id"])
        if len(ids) >= total:
            return list(dict.fromkeys(ids))
        if not rows:
            raise ProviderResponseError(
                NAME, f"GET /workspaces stopped short: {len(ids)} of the {total} workspaces it counts"
            )
    raise ProviderResponseError(NAME, f"GET /workspaces did not end after {MAX_PAGES} pages")


def _keys(http: httpx.Client, workspace: str | None, policy: RetryPolicy) -> list[dict[str, Any]]:
    """Every key of a workspace (disabled ones too), paged by ``offset`` until a page comes back empty."""
    keys: list[dict[str, Any]] = []
    hashes: set[str] = set()
    where = f"workspace {workspace}" if workspace else "the default workspace"
    for _ in range(MAX_PAGES):
        params: dict[str, Any] = {"offset": len(keys), "include_disabled": "true"}
        if workspace:
            params["workspace_id"] = workspace
        body = request_json(http, NAME, "GET", "/keys", params=params, policy=policy, auth_hint=AUTH_HINT)
        page = body.get("data") if isinstance(body, dict) else None
        if not isinstance(page, list):
            raise ProviderResponseError(NAME, f"GET /keys of {where} returned no data list")
        if not page:
            return keys  # the end of the listing
        for key in page:
            if not isinstance(key, dict) or not isinstance(key.get("hash"), str):
                raise ProviderResponseError(NAME, f"GET /keys of {where} listed a key without a hash")
        if all(key["hash"] in hashes for key in page):
            raise ProviderResponseError(NAME, f"GET /keys of {where} ignored offset {len(keys)} (the same keys again)")
        hashes.update(key["hash"] for key in page)
        keys += page
    raise ProviderResponseError(NAME, f"GET /keys of {where} did not end after {MAX_PAGES} pages")


def _usd(key: dict[str, Any], field: str) -> Decimal:
    try:
        return parse_usd(key.get(field), what=f"{field} of key {str(key.get('name') or key['hash'][:8])[:40]!r}")
    except ValueError as exc:
        raise ProviderResponseError(NAME, f"GET /keys: {exc}") from None


def doctor(http: httpx.Client, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY) -> list[Check]:
    """A management key (``GET /key`` says so), and ``/activity`` answering in its shape."""

    def kind() -> str:
        body = request_json(http, NAME, "GET", "/key", policy=policy, auth_hint=AUTH_HINT)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("is_management_key"), bool):
            raise ProviderResponseError(NAME, "GET /key did not say whether the key is a management key")
        if not data["is_management_key"]:
            raise ProviderAuthError(NAME, f"{KEY_ENV} is an inference key; {AUTH_HINT}")
        return f"{KEY_ENV} is a management key"

    return [probe("key", kind), yesterday_fetched(fetch, http, settings, policy)]


PROVIDER = KEYED.provider(REQUESTS, True, fetch, window=coverage, independent_total=independent_total, doctor=doctor)
