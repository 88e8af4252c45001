"""The bucketed admin APIs (OpenAI's costs and usage, Anthropic's cost report), read the same way.

Both answer ``{"data": [bucket...], "has_more", "next_page"}`` with one bucket per UTC day, *empty days included*,
at most ``limit`` buckets a page. A window is asked for in one query (and its pages); the listing is complete only
when the cursor ends (``has_more`` false) *and* every day of the window that has ended came back as a bucket:
anything short fails the provider instead of being stored as a complete month.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from core.errors import ProviderResponseError
from core.http import DEFAULT_POLICY, RetryPolicy, has_more_pages

MAX_PAGES = 100  # per window: one page is the norm, so many more means the cursor is broken
Params = list[tuple[str, str | int]]


def windows(first: date, last: date, days: int) -> Iterator[tuple[date, date]]:
    """Split ``first``..``last`` into inclusive runs of at most ``days`` days."""
    start = first
    while start <= last:
        end = min(start + timedelta(days=days - 1), last)
        yield start, end
        start = end + timedelta(days=1)


def daily_params(start: date, end: date, names: tuple[str, str], moment: Callable[[date], object], limit: int) -> list:
    """The window of daily buckets ``start``..``end`` (inclusive) as query parameters: the start, the exclusive end
    (the day after), one-day buckets, and room for every day in one page."""
    return [
        (names[0], moment(start)),
        (names[1], moment(end + timedelta(days=1))),  # exclusive
        ("bucket_width", "1d"),
        ("limit", limit),
    ]


def bucket_results(
    http: httpx.Client,
    provider: str,
    path: str,
    params: Params,
    window: tuple[date, date],
    *,
    start_key: str,
    day_of: Callable[[Any], date],
    auth_hint: str,
    policy: RetryPolicy = DEFAULT_POLICY,
    today: date | None = None,
) -> Iterator[tuple[date, dict[str, Any]]]:
    """``(day, result)`` for every result of every bucket whose day lies in ``window`` (inclusive).

    ``day_of`` turns a bucket's ``start_key`` value into its UTC day (raising ``ProviderResponseError`` when it
    cannot). Raises when a bucket or result is not an object, or when a finished day of the window is missing.
    """
    start, end = window
    seen: set[date] = set()
    pages = has_more_pages(http, provider, path, params, policy=policy, auth_hint=auth_hint, max_pages=MAX_PAGES)
    for page in pages:
        for bucket in page:
            if not isinstance(bucket, dict):
                raise ProviderResponseError(provider, f"GET {path} returned a bucket that is not an object")
            day = day_of(bucket.get(start_key))
            results = bucket.get("results")
            if not isinstance(results, list):
                raise ProviderResponseError(provider, f"GET {path} bucket {day} has no results list")
            seen.add(day)
            if not start <= day <= end:
                continue  # a bucket outside the window asked for would be counted again by the next window
            for result in results:
                if not isinstance(result, dict):
                    raise ProviderResponseError(provider, f"GET {path} bucket {day} has a result that is not an object")
                yield day, result
    # Every day that has ended comes back as a bucket, even an empty one; today's may not exist yet.
    finished = min(end, (today or datetime.now(UTC).date()) - timedelta(days=1))
    missing = [start + timedelta(days=i) for i in range((finished - start).days + 1)]
    missing = [d for d in missing if d not in seen]
    if missing:
        more = f" and {len(missing) - 1} more day{'s' * (len(missing) > 2)}" if len(missing) > 1 else ""
        raise ProviderResponseError(
            provider, f"GET {path} stopped short: no bucket for {missing[0]}{more} of {start}..{end}"
        )
