"""Notion calls through the SDK: paced (Notion allows an average of 3 requests a second), retried by the one retry
loop (``core.http.with_retries``: attempts and total time bounded, ``Retry-After`` honoured as asked, 529 treated
like 429), and turned into one-line ``NotionError`` messages that say what to do. The SDK's own retries are off
(``retry=False``): they sleep up to 60 s with a blocking ``time.sleep`` we could not inject, and they do not know 529.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
from notion_client.errors import HTTPResponseError, NotionClientErrorBase, RequestTimeoutError

from core.config import Settings
from core.errors import NOTION_PAGE_LEVEL_CODES as PAGE_LEVEL_CODES
from core.errors import NotionError
from core.http import RetryPolicy, Verdict, parse_retry_after, with_retries

log = logging.getLogger(__name__)

MIN_INTERVAL = 0.35  # seconds between two requests (a little under 3 per second)
MAX_ATTEMPTS = 4
MAX_TOTAL_SECONDS = 60.0  # per call, waits included; past it the month stays pending for the next sync
BASE_DELAY = 1.0
MAX_DELAY = 20.0
OVERLOADED = {429, 529}  # refused before Notion did anything: safe to repeat even a create
RETRY_STATUSES = OVERLOADED | {409, 500, 502, 503, 504}
__all__ = ["PAGE_LEVEL_CODES", "NotionApi", "NotionError"]


class _Failed(Exception):
    """One failed Notion call, carried through the retry loop with what decides whether to repeat it."""

    def __init__(self, exc: Exception, attempt: int, retriable: bool, retry_after: float | None):
        super().__init__(str(exc))
        self.exc, self.attempt, self.retriable, self.retry_after = exc, attempt, retriable, retry_after


def _code(exc: Exception) -> str | None:
    code = getattr(exc, "code", None)
    return getattr(code, "value", code)


def _notion_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


class NotionApi:
    """Wraps a ``notion_client.Client``; ``call(what, fn, ...)`` names the object for error messages."""

    def __init__(
        self,
        client: Any,
        settings: Settings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        heartbeat: Callable[[], None] | None = None,
    ):
        self.client = client
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._heartbeat = heartbeat  # called before each request (the sync renews its lease there)
        self._last: float | None = None
        self._policy = RetryPolicy(
            max_attempts=MAX_ATTEMPTS,
            max_total_seconds=MAX_TOTAL_SECONDS,
            base_delay=BASE_DELAY,
            max_delay=MAX_DELAY,
            sleep=sleep,
            clock=clock,
            cap_retry_after=False,
        )

    def call(self, what: str, fn: Callable[..., Any], *args: Any, repeatable: bool = True, **kwargs: Any) -> Any:
        """Run ``fn(*args, **kwargs)``. ``repeatable=False`` (creates) retries only what Notion refused outright,
        never an error after which the object might exist (a timeout, a 500): the next sync finds it by query."""

        def attempt(n: int) -> Any:
            self._pace()
            try:
                return fn(*args, **kwargs)
            except (NotionClientErrorBase, httpx.TransportError) as exc:
                status = getattr(exc, "status", None)
                retry_after = None
                if isinstance(exc, HTTPResponseError):
                    retry_after = parse_retry_after(exc.headers.get("retry-after"))
                raise _Failed(exc, n, self._retriable(exc, status, repeatable), retry_after) from exc

        def judge(exc: Exception) -> Verdict:
            if isinstance(exc, _Failed) and exc.retriable:
                log.info("Notion %s for %s; retrying", getattr(exc.exc, "status", None) or type(exc.exc).__name__, what)
                return Verdict(True, exc.retry_after)
            return Verdict(False)

        try:
            return with_retries(attempt, judge, self._policy)
        except _Failed as failed:
            # A retriable call given up before its last attempt ran out of time: say how long Notion asked to wait.
            too_long = failed.retry_after if failed.retriable and failed.attempt < MAX_ATTEMPTS else None
            raise self._error(failed.exc, what, failed.attempt, too_long) from None

    def _pace(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat()
        if self._last is not None:
            wait = self._last + MIN_INTERVAL - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last = self._clock()

    @staticmethod
    def _retriable(exc: Exception, status: int | None, repeatable: bool) -> bool:
        if isinstance(exc, httpx.ConnectError):  # the request never left
            return True
        if isinstance(exc, RequestTimeoutError | httpx.TransportError):
            return repeatable
        if status in OVERLOADED or _code(exc) == "rate_limited":
            return True
        return repeatable and status in RETRY_STATUSES

    def _error(self, exc: Exception, what: str, attempts: int, too_long: float | None) -> NotionError:
        status = getattr(exc, "status", None)
        code = _code(exc)
        detail = _notion_message(exc)
        later = "the months stay pending and the next sync retries"
        tries = f"{attempts} attempt{'s' * (attempts > 1)}"
        if isinstance(exc, httpx.TransportError):
            message = (
                f"cannot reach Notion at {self.settings.notion_base_url} ({type(exc).__name__}); "
                f"check NOTION_BASE_URL and the network; {later}"
            )
        elif isinstance(exc, RequestTimeoutError):
            message = f"Notion did not answer in time for {what} ({tries}); {later}"
        elif code == "unauthorized" or status == 401:
            message = "Notion rejected the token (401 unauthorized); check NOTION_API_KEY (the integration's secret)"
        elif code == "restricted_resource" or status == 403:
            message = (
                f"the integration may not use {what} (403 restricted_resource); give it the read, update and "
                "insert content capabilities"
            )
        elif code == "object_not_found" or status == 404:
            message = (
                f"Notion cannot find {what} (404 object_not_found); share it with the integration "
                "(••• menu > Connections) and check the id"
            )
        elif code == "validation_error":
            message = f"Notion rejected {what} (400 validation_error: {detail})"
        elif status == 429 or code == "rate_limited":
            wait = f"; Notion asks to wait {too_long:.0f} s" if too_long else ""
            message = f"Notion is rate limiting us (429) on {what} after {tries}{wait}; {later}"
        elif status == 529:
            message = f"Notion is overloaded (529 service_overload) on {what} after {tries}; {later}"
        elif status is not None and status >= 500:
            message = f"Notion is unavailable (HTTP {status}) on {what} after {tries}; {later}"
        else:
            message = f"Notion refused {what} (HTTP {status} {code}: {detail})"
        return NotionError(self.settings.redact(message), code=code, status=status)
