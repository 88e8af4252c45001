"""OpenAI: daily spend per line item (Admin Costs API), with request counts per model (Completions usage API).

    GET /organization/costs?start_time=1785542400&end_time=1785628800&bucket_width=1d&limit=31&group_by=line_item
    -> {"object": "page", "has_more": true, "next_page": "page_AAAAAGiL",
        "data": [{"object": "bucket", "start_time": 1785542400, "end_time": 1785628800,
                  "results": [{"object": "organization.costs.result",
                               "amount": {"value": 0.06, "currency": "usd"},
                               "line_item": "gpt-4o-2024-08-06, input", "project_id": null,
                               "api_key_id": null, "quantity": 10000, "quantity_unit": "tokens"}]}]}
    GET /organization/usage/completions?<same window>&bucket_width=1d&limit=31&group_by=model
    -> {"object": "page", "has_more": false, "next_page": null,
        "data": [{"object": "bucket", "start_time": 1785542400, "end_time": 1785628800,
                  "results": [{"object": "organization.usage.completions.result", "model": "gpt-4o-2024-08-06",
                               "num_model_requests": 5, "input_tokens": 1000, "output_tokens": 500, ...}]}]}

Costs are the source of truth for money; usage only supplies request counts (OpenAI computes the two separately,
so they need not reconcile). Only an Admin key (sk-admin-...) can read either endpoint.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from core.config import Settings
from core.errors import ConfigError, InputError, ProviderResponseError
from core.http import DEFAULT_POLICY, RetryPolicy, has_more_pages, make_client
from core.money import parse_usd
from core.providers._lines import LineBuilder, sum_counts
from core.providers.contract import REQUESTS, Fetched, IndependentTotal, Provider

NAME = "openai"
LABEL = "OpenAI"
KEY_ENV = "OPENAI_ADMIN_KEY"
AUTH_HINT = (
    "set OPENAI_ADMIN_KEY to an Admin key (sk-admin-...) from platform.openai.com > Settings > Organization > "
    "Admin keys; project and service-account keys cannot read costs"
)
COSTS_PATH = "/organization/costs"
USAGE_PATH = "/organization/usage/completions"
WINDOW_DAYS = 31  # usage allows at most 31 daily buckets per call; costs (180) uses the same windows for simplicity
MAX_PAGES = 100  # per window: one page is the norm, so many more means the cursor is broken
UNSPECIFIED = "(unspecified)"

Params = list[tuple[str, str | int]]


def configured(settings: Settings) -> bool:
    return bool(settings.openai_admin_key)


def client(settings: Settings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    if not settings.openai_admin_key:
        raise ConfigError(f"{KEY_ENV} is not set; {AUTH_HINT}")
    headers = {"Authorization": f"Bearer {settings.openai_admin_key}"}
    return make_client(settings.openai_base_url, headers, transport)


def fetch(
    http: httpx.Client, first: date, last: date, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> Fetched:
    """Cost lines for the UTC days ``first``..``last`` (inclusive), each with its model's request count.

    All or nothing: every page of both endpoints is read before anything is returned, and any failure raises.
    """
    if first > last:
        raise InputError(f"the first day {first} is after the last day {last}")
    lines = LineBuilder(NAME)
    counts: list[tuple[tuple[date, str], int]] = []
    for start, end in _windows(first, last):
        window: Params = [
            ("start_time", _unix(start)),
            ("end_time", _unix(end + timedelta(days=1))),  # exclusive
            ("bucket_width", "1d"),
            ("limit", WINDOW_DAYS),
        ]
        for day, result in _results(http, COSTS_PATH, [*window, ("group_by", "line_item")], start, end, policy):
            line_item, model, cost = _parse_cost(result, day)
            lines.add(day, line_item, model, cost)
        for day, result in _results(http, USAGE_PATH, [*window, ("group_by", "model")], start, end, policy):
            model, count = _parse_requests(result, day)
            counts.append(((day, model), count))
    return Fetched(lines.build(sum_counts(counts)))


def _windows(first: date, last: date) -> Iterator[tuple[date, date]]:
    """Split ``first``..``last`` into inclusive runs of at most ``WINDOW_DAYS`` days."""
    start = first
    while start <= last:
        end = min(start + timedelta(days=WINDOW_DAYS - 1), last)
        yield start, end
        start = end + timedelta(days=1)


def _unix(day: date) -> int:
    """Unix seconds of ``day`` at 00:00Z (buckets are aligned to UTC midnight)."""
    return calendar.timegm(day.timetuple())


def _results(
    http: httpx.Client, path: str, params: Params, start: date, end: date, policy: RetryPolicy
) -> Iterator[tuple[date, dict[str, Any]]]:
    """``(day, result)`` for every result of every bucket whose day lies in ``start``..``end``."""
    for page in has_more_pages(http, NAME, path, params, policy=policy, auth_hint=AUTH_HINT, max_pages=MAX_PAGES):
        for bucket in page:
            if not isinstance(bucket, dict):
                raise ProviderResponseError(NAME, f"GET {path} returned a bucket that is not an object")
            day = _bucket_day(bucket.get("start_time"), path)
            results = bucket.get("results")
            if not isinstance(results, list):
                raise ProviderResponseError(NAME, f"GET {path} bucket {day} has no results list")
            if not start <= day <= end:
                continue  # a bucket outside the window asked for would be counted again by the next window
            for result in results:
                if not isinstance(result, dict):
                    raise ProviderResponseError(NAME, f"GET {path} bucket {day} has a result that is not an object")
                yield day, result


def _bucket_day(value: Any, path: str) -> date:
    """The UTC day of a bucket's ``start_time`` (unix seconds)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProviderResponseError(NAME, f"GET {path} bucket start_time is {str(value)[:40]!r}, expected unix seconds")
    try:
        return datetime.fromtimestamp(value, UTC).date()
    except (OverflowError, OSError, ValueError):
        raise ProviderResponseError(NAME, f"GET {path} bucket start_time {value} is out of range") from None


def _parse_cost(result: dict[str, Any], day: date) -> tuple[str, str | None, Decimal]:
    """``(line_item, model, usd)`` from one costs result.

    {"object": "organization.costs.result", "amount": {"value": "12.50", "currency": "usd"},
     "line_item": "gpt-4o-2024-08-06, input", "project_id": null, "quantity": 10000, ...}
    """
    amount = result.get("amount")
    if not isinstance(amount, dict):
        raise ProviderResponseError(NAME, f"a cost result on {day} has no amount object")
    currency = amount.get("currency")
    if not isinstance(currency, str) or currency.lower() != "usd":
        # Spendboard adds everything up in USD; converting or skipping would misstate spend.
        raise ProviderResponseError(NAME, f"a cost on {day} is in {str(currency)[:20]!r}, not usd")
    try:
        # The spec types value as a number, but live responses have sent strings such as "12.50".
        cost = parse_usd(amount.get("value"), what=f"amount.value on {day}")
    except ValueError as exc:
        raise ProviderResponseError(NAME, str(exc)) from None
    line_item = result.get("line_item")
    if line_item is None or line_item == "":
        return UNSPECIFIED, None, cost
    if not isinstance(line_item, str):
        raise ProviderResponseError(NAME, f"a cost result on {day} has a line_item that is not text")
    # line_item is free text ("gpt-4o-2024-08-06, input", "Text tokens"); the model is a best-effort guess,
    # used only to attach request counts.
    return line_item, line_item.split(", ", 1)[0], cost


def _parse_requests(result: dict[str, Any], day: date) -> tuple[str, int]:
    """``(model, num_model_requests)`` from one completions usage result.

    {"object": "organization.usage.completions.result", "model": "gpt-4o-mini-2024-07-18",
     "num_model_requests": 5, "input_tokens": 1000, "output_tokens": 500, "project_id": null, ...}
    """
    count = result.get("num_model_requests")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ProviderResponseError(
            NAME, f"a usage result on {day} has num_model_requests {str(count)[:20]!r}, expected a count"
        )
    model = result.get("model")
    if model is not None and not isinstance(model, str):
        raise ProviderResponseError(NAME, f"a usage result on {day} has a model that is not text")
    return model or UNSPECIFIED, count


def independent_total(
    http: httpx.Client, first: date, last: date, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> IndependentTotal:
    """OpenAI's own total over the days, without any grouping, to check the stored line items against."""
    total = Decimal(0)
    for start, end in _windows(first, last):
        window: Params = [
            ("start_time", _unix(start)),
            ("end_time", _unix(end + timedelta(days=1))),
            ("bucket_width", "1d"),
            ("limit", WINDOW_DAYS),
        ]
        for day, result in _results(http, COSTS_PATH, window, start, end, policy):
            total += _parse_cost(result, day)[2]
    return IndependentTotal(total, "GET /organization/costs without group_by")


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
    independent_total=independent_total,
)
