"""Anthropic: daily spend per cost description (Admin API cost report). No request counts exist.

    GET /v1/organizations/cost_report?starting_at=2026-08-01T00:00:00Z&ending_at=2026-08-02T00:00:00Z
        &bucket_width=1d&limit=31&group_by[]=description
    -> {"has_more": true, "next_page": "page_MjAyNi0wOC0wMlQwMDowMDowMFo=",
        "data": [{"starting_at": "2026-08-01T00:00:00Z", "ending_at": "2026-08-02T00:00:00Z",
                  "results": [{"amount": "123.78912", "currency": "USD",
                               "description": "Claude Sonnet 4 Usage - Input Tokens", "cost_type": "tokens",
                               "model": "claude-sonnet-4-20250514", "token_type": "uncached_input_tokens",
                               "service_tier": "standard", "context_window": "0-200k",
                               "inference_geo": "global", "workspace_id": null}]}]}

``amount`` is in CENTS, as a decimal string with fractional cents: "123.78912" is $1.2378912. Reading it as
dollars overstates spend 100x (anthropics/claude-code #51198). Only an Admin key (sk-ant-admin01-...) works.
The usage report has tokens but no request counts, so every line has ``requests=None`` (unknown, not zero).
"""

from __future__ import annotations

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
from core.providers._keyed import keyed
from core.providers._lines import LineBuilder
from core.providers.contract import REQUESTS, Fetched, IndependentTotal

NAME = "anthropic"
LABEL = "Anthropic"
KEY_ENV = "ANTHROPIC_ADMIN_KEY"
AUTH_HINT = (
    "set ANTHROPIC_ADMIN_KEY to an Admin key (sk-ant-admin01-...) that an organization admin creates in "
    "console.anthropic.com > Settings > Admin keys; ordinary API keys cannot read the cost report"
)
API_VERSION = "2023-06-01"
COST_PATH = "/v1/organizations/cost_report"
WINDOW_DAYS = 31  # the documented maximum limit for 1d buckets; one query per window keeps a page per window
CENTS_PER_USD = Decimal(100)
UNSPECIFIED = "(unspecified)"


KEYED = keyed(
    NAME,
    LABEL,
    KEY_ENV,
    AUTH_HINT,
    "anthropic_admin_key",
    "anthropic_base_url",
    lambda key: {"x-api-key": key, "anthropic-version": API_VERSION},
)
configured, client = KEYED.configured, KEYED.client


def fetch(
    http: httpx.Client, first: date, last: date, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> Fetched:
    """Cost lines for the UTC days ``first``..``last`` (inclusive); ``requests`` is always None.

    All or nothing: every page is read before anything is returned, and any failure raises.
    """
    if first > last:
        raise InputError(f"the first day {first} is after the last day {last}")
    lines = LineBuilder(NAME)
    for start, end in windows(first, last, WINDOW_DAYS):
        # the literal key with brackets; it also fills model and token_type
        for day, result in _results(http, [*_window(start, end), ("group_by[]", "description")], (start, end), policy):
            line_item, model, cost = _parse(result, day)
            lines.add(day, line_item, model, cost)
    return Fetched(lines.build(None))


def _window(start: date, end: date) -> Params:
    return daily_params(start, end, ("starting_at", "ending_at"), _rfc3339, WINDOW_DAYS)


def _rfc3339(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _results(http: httpx.Client, params: Params, window: tuple[date, date], policy: RetryPolicy):
    return bucket_results(
        http,
        NAME,
        COST_PATH,
        params,
        window,
        start_key="starting_at",
        day_of=_bucket_day,
        auth_hint=AUTH_HINT,
        policy=policy,
    )


def _bucket_day(value: Any) -> date:
    """The UTC day of a bucket's ``starting_at`` (RFC 3339)."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, TypeError, ValueError):
        raise ProviderResponseError(
            NAME, f"bucket starting_at is {str(value)[:40]!r}, expected an RFC 3339 time"
        ) from None
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)).date()


def _parse(result: dict[str, Any], day: date) -> tuple[str, str | None, Decimal]:
    """``(line_item, model, usd)`` from one cost result; ``amount`` is cents.

    {"amount": "12345.00", "currency": "USD", "description": "Claude Sonnet 4 Usage - Input Tokens",
     "cost_type": "tokens", "model": "claude-sonnet-4-20250514", "token_type": "uncached_input_tokens", ...}
    {"amount": "1000", "currency": "USD", "description": "Web Search Usage", "cost_type": "web_search",
     "model": null, "token_type": null, ...}
    """
    currency = result.get("currency")
    if not isinstance(currency, str) or currency.upper() != "USD":
        # Spendboard adds everything up in USD; converting or skipping would misstate spend.
        raise ProviderResponseError(NAME, f"a cost on {day} has currency {str(currency)[:20]!r}, not USD")
    try:
        cents = parse_usd(result.get("amount"), what=f"amount on {day}")
    except ValueError as exc:
        raise ProviderResponseError(NAME, str(exc)) from None
    description, model, token_type, cost_type = (
        _text(result, key, day) for key in ("description", "model", "token_type", "cost_type")
    )
    # description is what group_by[]=description promises; the rest keeps a line readable if it is ever missing.
    by_model = f"{model} / {token_type}" if model and token_type else model
    line_item = description or by_model or cost_type or UNSPECIFIED
    return line_item, model, cents / CENTS_PER_USD


def _text(result: dict[str, Any], key: str, day: date) -> str | None:
    value = result.get(key)
    if value is not None and not isinstance(value, str):
        raise ProviderResponseError(NAME, f"a cost result on {day} has a {key} that is not text")
    return value or None


def independent_total(
    http: httpx.Client, first: date, last: date, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> IndependentTotal:
    """Anthropic's own total over the days, without grouping by description, to check the stored lines against."""
    total = Decimal(0)
    for start, end in windows(first, last, WINDOW_DAYS):
        for day, result in _results(http, _window(start, end), (start, end), policy):
            total += _parse(result, day)[2]
    return IndependentTotal(total, "GET /v1/organizations/cost_report without group_by")


# An Admin key, and the cost report answering in its shape for yesterday.
doctor = key_and_probe("anthropic_admin_key", ("sk-ant-admin",), KEY_ENV, "an Anthropic Admin key", fetch)


# has_counts False: the Admin API reports tokens and cost, never a number of requests
PROVIDER = KEYED.provider(REQUESTS, False, fetch, independent_total=independent_total, doctor=doctor)
