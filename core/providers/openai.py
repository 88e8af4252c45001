"""OpenAI: daily spend per line item (Admin Costs API), with request counts from every usage endpoint that has them.

    GET /organization/costs?start_time=1785542400&end_time=1785628800&bucket_width=1d&limit=31&group_by=line_item
    -> {"object": "page", "has_more": true, "next_page": "page_AAAAAGiL",
        "data": [{"object": "bucket", "start_time": 1785542400, "end_time": 1785628800,
                  "results": [{"object": "organization.costs.result",
                               "amount": {"value": 0.06, "currency": "usd"},
                               "line_item": "gpt-4o-2024-08-06, input", "project_id": "proj_abc", ...},
                              {"object": "organization.costs.result",
                               "amount": {"value": "0E-6176", "currency": "usd"},
                               "line_item": "gpt-4o-2024-08-06, input", "project_id": "proj_def", ...}]}]}
    GET /organization/usage/{completions,embeddings,moderations,images,audio_speeches,audio_transcriptions}
        ?<same window>&bucket_width=1d&limit=31&group_by=model
    -> {"object": "page", "has_more": false, "next_page": null,
        "data": [{"object": "bucket", "start_time": 1785542400, "end_time": 1785628800,
                  "results": [{"object": "organization.usage.completions.result", "model": "gpt-4o-2024-08-06",
                               "num_model_requests": 5, "input_tokens": 1000, "output_tokens": 500, ...}]}]}
    GET /organization/usage/code_interpreter_sessions   -> results with "num_sessions"
    GET /organization/usage/file_search_calls           -> results with "num_requests"

Costs are the source of truth for money; usage only supplies request counts (OpenAI computes the two separately,
so they need not reconcile). ``line_item`` is free text: ``"gpt-4o-2024-08-06, input"``,
``"ft-gpt-4o-2024-08-06, input"``, ``"evals | gpt-4o-mini-2024-07-18, input"``, ``"assistants api | file search"``,
``"Text tokens"`` (OpenAI Cookbook ``completions_usage_api.ipynb``); one line item comes back once per project and
is summed. A line whose model (or tool) no usage endpoint counts gets ``requests=None``. The vector-stores endpoint
reports bytes, not requests, and web search calls have no known line item, so neither is read.
Only an Admin key (sk-admin-...) can read any of these endpoints.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx

from core.config import Settings
from core.errors import InputError, ProviderResponseError
from core.http import DEFAULT_POLICY, RetryPolicy
from core.money import parse_usd
from core.providers._buckets import Params, bucket_results, daily_params, windows
from core.providers._checks import key_and_probe
from core.providers._keyed import bearer, keyed
from core.providers._lines import LineBuilder, parse_count, sum_counts
from core.providers.contract import REQUESTS, Fetched, IndependentTotal

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
UNSPECIFIED = "(unspecified)"
CODE_INTERPRETER, FILE_SEARCH = "code interpreter", "file search"  # count keys of the tools' line items
# (usage endpoint, its count field, the key counts are attributed to: None = the result's model)
USAGE_ENDPOINTS = (
    ("completions", "num_model_requests", None),
    ("embeddings", "num_model_requests", None),
    ("moderations", "num_model_requests", None),
    ("images", "num_model_requests", None),
    ("audio_speeches", "num_model_requests", None),
    ("audio_transcriptions", "num_model_requests", None),
    ("code_interpreter_sessions", "num_sessions", CODE_INTERPRETER),
    ("file_search_calls", "num_requests", FILE_SEARCH),
)


KEYED = keyed(NAME, LABEL, KEY_ENV, AUTH_HINT, "openai_admin_key", "openai_base_url", bearer)
configured, client = KEYED.configured, KEYED.client


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
    for start, end in windows(first, last, WINDOW_DAYS):
        window = _window(start, end)
        for day, result in _results(http, COSTS_PATH, [*window, ("group_by", "line_item")], (start, end), policy):
            line_item, model, key, cost = _parse_cost(result, day)
            lines.add(day, line_item, model, cost, key=key)
        for endpoint, field, key in USAGE_ENDPOINTS:
            path = f"/organization/usage/{endpoint}"
            params = window if key else [*window, ("group_by", "model")]
            for day, result in _results(http, path, params, (start, end), policy):
                counts.append(((day, key or _usage_model(result, day, path)), _count(result, field, day, path)))
    return Fetched(lines.build(sum_counts(counts)))


def _window(start: date, end: date) -> Params:
    return daily_params(start, end, ("start_time", "end_time"), _unix, WINDOW_DAYS)


def _unix(day: date) -> int:
    """Unix seconds of ``day`` at 00:00Z (buckets are aligned to UTC midnight)."""
    return calendar.timegm(day.timetuple())


def _results(http: httpx.Client, path: str, params: Params, window: tuple[date, date], policy: RetryPolicy):
    return bucket_results(
        http, NAME, path, params, window, start_key="start_time", day_of=_bucket_day, auth_hint=AUTH_HINT, policy=policy
    )


def _bucket_day(value: Any) -> date:
    """The UTC day of a bucket's ``start_time`` (unix seconds)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProviderResponseError(NAME, f"a bucket start_time is {str(value)[:40]!r}, expected unix seconds")
    try:
        return datetime.fromtimestamp(value, UTC).date()
    except (OverflowError, OSError, ValueError):
        raise ProviderResponseError(NAME, f"a bucket start_time {value} is out of range") from None


def _parse_cost(result: dict[str, Any], day: date) -> tuple[str, str | None, str | None, Decimal]:
    """``(line_item, model, count key, usd)`` from one costs result.

    {"object": "organization.costs.result", "amount": {"value": "12.50", "currency": "usd"},
     "line_item": "evals | gpt-4o-mini-2024-07-18, input", "project_id": "proj_abc", "quantity": 10000, ...}
    """
    amount = result.get("amount")
    if not isinstance(amount, dict):
        raise ProviderResponseError(NAME, f"a cost result on {day} has no amount object")
    currency = amount.get("currency")
    if not isinstance(currency, str) or currency.lower() != "usd":
        # Spendboard adds everything up in USD; converting or skipping would misstate spend.
        raise ProviderResponseError(NAME, f"a cost on {day} has amount.currency {str(currency)[:20]!r}, not usd")
    try:
        # The spec types value as a number, but live responses send strings ("12.50", "0E-6176", 39 decimals).
        cost = parse_usd(amount.get("value"), what=f"amount.value on {day}")
    except ValueError as exc:
        raise ProviderResponseError(NAME, str(exc)) from None
    line_item = result.get("line_item")
    if line_item is None or line_item == "":
        return UNSPECIFIED, None, None, cost
    if not isinstance(line_item, str):
        raise ProviderResponseError(NAME, f"a cost result on {day} has a line_item that is not text")
    model, key = line_model(line_item)
    return line_item, model, key, cost


def line_model(line_item: str) -> tuple[str, str]:
    """``(model shown, count key)`` of a free-text line item, best effort.

    "gpt-4o-2024-08-06, input" -> gpt-4o-2024-08-06; "evals | gpt-4o-mini-2024-07-18, input" -> the model after
    the product; "ft-gpt-4o-2024-08-06, input" -> ft-gpt-4o-2024-08-06 (fine-tuned, counted apart from the base
    model); "assistants api | file search" -> the file-search tool; "Text tokens" -> itself (nothing counts it).
    """
    lowered = line_item.lower()
    for tool in (CODE_INTERPRETER, FILE_SEARCH):
        if tool in lowered:
            return line_item.rpartition(" | ")[2].strip() or tool, tool
    model = line_item.rpartition(" | ")[2].split(",", 1)[0].strip() or line_item
    return model, usage_key(model)


def usage_key(model: str) -> str:
    """The count key of a usage ``model``: fine-tuned ``ft:gpt-4o-2024-08-06:org::abc`` is ``ft-gpt-4o-2024-08-06``
    (the form its line items take); anything else as it is."""
    if model.startswith("ft:"):
        return "ft-" + model.split(":")[1]
    return model


def _usage_model(result: dict[str, Any], day: date, path: str) -> str:
    model = result.get("model")
    if model is not None and not isinstance(model, str):
        raise ProviderResponseError(NAME, f"GET {path} on {day} has a model that is not text")
    return usage_key(model) if model else UNSPECIFIED


def _count(result: dict[str, Any], field: str, day: date, path: str) -> int:
    """A result's request count; a missing or malformed one fails rather than count as 0.

    {"object": "organization.usage.completions.result", "model": "gpt-4o-mini-2024-07-18",
     "num_model_requests": 5, "input_tokens": 1000, "output_tokens": 500, "project_id": null, ...}
    """
    value = result.get(field)
    count = None if isinstance(value, str | float) else parse_count(value)
    if count is None:
        raise ProviderResponseError(
            NAME, f"GET {path} on {day} has {field} {str(value)[:20]!r}, expected a whole number >= 0"
        )
    return count


def independent_total(
    http: httpx.Client, first: date, last: date, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> IndependentTotal:
    """OpenAI's own total over the days, without any grouping, to check the stored line items against."""
    total = Decimal(0)
    for start, end in windows(first, last, WINDOW_DAYS):
        for day, result in _results(http, COSTS_PATH, _window(start, end), (start, end), policy):
            total += _parse_cost(result, day)[3]
    return IndependentTotal(total, "GET /organization/costs without group_by")


# An Admin key, and the costs and usage endpoints answering in their shape for yesterday.
doctor = key_and_probe("openai_admin_key", ("sk-admin-",), KEY_ENV, "an OpenAI Admin key", fetch)


PROVIDER = KEYED.provider(REQUESTS, True, fetch, independent_total=independent_total, doctor=doctor)
