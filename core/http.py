"""One HTTP client factory and one retry policy for every provider.

Retries only what is retriable (429, 5xx, timeouts, connection errors), honours ``Retry-After``, and is bounded
both in attempts and in total time. 400/401/403/404 are never retried. Tests pass ``transport=`` (an
``httpx.MockTransport``) and a policy whose ``sleep`` does not sleep.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx

from core.errors import ProviderAuthError, ProviderError, ProviderResponseError, ProviderUnavailable, clean

USER_AGENT = "spendboard/1.0 (+https://github.com/spendboard)"
CREDENTIAL_HEADERS = ("authorization", "x-api-key", "xi-api-key")  # where the adapters put their keys
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 529})
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter; ``Retry-After`` wins when the server sends it."""

    max_attempts: int = 4
    max_total_seconds: float = 40.0
    base_delay: float = 0.5
    max_delay: float = 15.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    # False: a Retry-After is waited as asked (the total-time bound decides whether at all), as Notion needs.
    cap_retry_after: bool = True

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            wait = max(retry_after, 0.0)
            return min(wait, self.max_delay) if self.cap_retry_after else wait
        backoff = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
        return random.uniform(backoff / 2, backoff)


DEFAULT_POLICY = RetryPolicy()


def make_client(
    base_url: str,
    headers: Mapping[str, str],
    transport: httpx.BaseTransport | None = None,
    timeout: httpx.Timeout = TIMEOUT,
) -> httpx.Client:
    """An ``httpx.Client`` with our timeouts and user agent; ``transport`` is for tests and imitations."""
    return httpx.Client(
        base_url=base_url,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", **headers},
        timeout=timeout,
        transport=transport,
        follow_redirects=False,
    )


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def credentials(client: httpx.Client) -> list[str]:
    """The secrets a client sends (header values, and the token after ``Bearer``/``Token``), to scrub from text."""
    out = []
    for name in CREDENTIAL_HEADERS:
        value = client.headers.get(name)
        if value:
            out += [value, value.split(" ", 1)[-1]]
    return out


def _error_message(response: httpx.Response) -> str:
    """The provider's own error message, if its body has one (a provider may quote our key back: scrubbed later)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        message = error.get("message") or error.get("type") or ""
    elif isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, dict):  # ElevenLabs: {"detail": {"status": "...", "message": "..."}}
            detail = detail.get("message") or detail.get("status")
        elif isinstance(detail, list):  # FastAPI validation errors: [{"msg": ...}]
            detail = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail[:3])
        message = error or body.get("message") or body.get("err_msg") or detail or ""
    else:
        message = ""
    return str(message)[:200]


@dataclass(frozen=True)
class Verdict:
    """Whether a failed attempt may be repeated, and after how long the other side asked us to wait."""

    retry: bool
    retry_after: float | None = None


def with_retries(
    attempt: Callable[[int], T], judge: Callable[[Exception], Verdict], policy: RetryPolicy = DEFAULT_POLICY
) -> T:
    """The one retry loop (providers, Notion, Resend): call ``attempt(n)`` (n = 1, 2, ...) until it returns.

    An exception is repeated only when ``judge`` says it may be, within the policy's attempts and total time;
    otherwise (and once the bounds are reached) the attempt's own exception is raised, so it should say what
    happened ("still failing after n attempts").
    """
    started = policy.clock()
    n = 0
    while True:
        n += 1
        try:
            return attempt(n)
        except Exception as exc:
            verdict = judge(exc)
            if not verdict.retry:
                raise
            delay = policy.delay(n, verdict.retry_after)
            if n >= policy.max_attempts or policy.clock() + delay - started > policy.max_total_seconds:
                raise
            policy.sleep(delay)


def _judge(exc: Exception) -> Verdict:
    return Verdict(True, exc.retry_after) if isinstance(exc, ProviderUnavailable) else Verdict(False)


def request_json(
    client: httpx.Client,
    provider: str,
    method: str,
    url: str,
    *,
    params: Any = None,
    json_body: Any = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    auth_hint: str = "check the API key",
) -> Any:
    """Send one request with retries and return its decoded JSON body, or raise a ``ProviderError``."""
    started = policy.clock()
    secrets = credentials(client)

    def attempt(n: int) -> Any:
        # Never wait past the policy's total budget, whatever the client's own timeout says.
        remaining = max(policy.max_total_seconds - (policy.clock() - started), 1.0)
        timeout = httpx.Timeout(min(client.timeout.read or remaining, remaining), connect=client.timeout.connect)
        tries = f"still failing after {n} attempt{'s' * (n > 1)}"
        try:
            response = client.request(method, url, params=params, json=json_body, timeout=timeout)
        except httpx.TimeoutException:
            raise ProviderUnavailable(
                provider, f"timed out; the API did not answer in time ({tries}), try again later"
            ) from None
        except httpx.TransportError as exc:
            raise ProviderUnavailable(
                provider, f"could not connect ({type(exc).__name__}; {tries}); check the base URL"
            ) from None
        status = response.status_code
        if status < 300:
            try:
                return response.json()
            except (ValueError, json.JSONDecodeError):
                raise ProviderResponseError(provider, f"{method} {url} returned malformed JSON") from None
        detail = clean(_error_message(response), secrets)
        detail = f": {detail}" if detail else ""
        if status in (401, 403):
            raise ProviderAuthError(provider, f"HTTP {status}{detail}; {auth_hint}", status=status)
        if status not in RETRY_STATUSES:
            raise ProviderError(provider, f"HTTP {status} from {method} {url}{detail}", status=status)
        what = "rate limited (HTTP 429)" if status == 429 else f"HTTP {status}"
        raise ProviderUnavailable(
            provider,
            f"{what}{detail}; {tries}",
            status=status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    return with_retries(attempt, _judge, policy)


def cursor_pages(
    fetch: Callable[[str | None], tuple[Any, str | None]],
    provider: str,
    *,
    max_pages: int = 1000,
) -> Iterator[Any]:
    """Follow an opaque cursor until it runs out; a repeated cursor is an error, not an endless loop."""
    seen: set[str] = set()
    cursor: str | None = None
    for _ in range(max_pages):
        page, cursor = fetch(cursor)
        yield page
        if not cursor:
            return
        if cursor in seen:
            raise ProviderResponseError(provider, f"pagination returned the cursor {cursor[:40]!r} twice")
        seen.add(cursor)
    raise ProviderResponseError(provider, f"pagination did not end after {max_pages} pages")


def has_more_pages(
    client: httpx.Client,
    provider: str,
    path: str,
    params: list[tuple[str, Any]],
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    auth_hint: str = "check the API key",
    max_pages: int = 100,
) -> Iterator[list[Any]]:
    """The ``data`` list of each page of a ``{data, has_more, next_page}`` API (OpenAI and Anthropic admin APIs):
    the identical query again with ``page=<next_page>`` while ``has_more``."""

    def get(cursor: str | None) -> tuple[list[Any], str | None]:
        query = params if cursor is None else [*params, ("page", cursor)]
        body = request_json(client, provider, "GET", path, params=query, policy=policy, auth_hint=auth_hint)
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise ProviderResponseError(provider, f'GET {path} did not return a page with a "data" list')
        has_more = body.get("has_more", False)
        if not isinstance(has_more, bool):
            raise ProviderResponseError(provider, f"GET {path} has_more is {has_more!r}, expected true or false")
        if not has_more:
            return body["data"], None
        cursor = body.get("next_page")
        if not isinstance(cursor, str) or not cursor:
            # Stopping here would silently drop the remaining days.
            raise ProviderResponseError(provider, f"GET {path} says has_more but gives no next_page")
        return body["data"], cursor  # opaque token, sent back unchanged

    return cursor_pages(get, provider, max_pages=max_pages)
