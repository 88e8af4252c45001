"""What every imitated API shares: time and number formats, page tokens, faults, and each API's error shape."""

from __future__ import annotations

import base64
import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

import httpx

ZERO = Decimal(0)


def unix(day: date) -> int:
    return calendar.timegm(day.timetuple())


def ms(day: date) -> int:
    return unix(day) * 1000


def day_of_unix(seconds: int) -> date:
    return datetime.fromtimestamp(seconds, UTC).date()


def number_or_string(value: Decimal, i: int) -> float | str:
    """JSON numbers survive exactly for the few significant digits used here; strings happen live too."""
    return format(value, "f") if i % 2 else float(value)


def exact_number(value: Decimal) -> float | str:
    """A JSON number when the float reads back as exactly ``value`` (as the adapters parse it), else a string."""
    number = float(value)
    return number if Decimal(repr(number)) == value else format(value, "f")


def split(total: Decimal, shares: tuple[int, ...]) -> list[Decimal]:
    """``total`` cut into parts (``1/share`` each, the last part the rest) that add up to it exactly."""
    quantum = Decimal(1).scaleb(min(total.as_tuple().exponent, 0))
    parts = [(total / share).quantize(quantum, rounding=ROUND_DOWN) for share in shares]
    return [*parts, total - sum(parts, ZERO)]


def token(value: str) -> str:
    return "page_" + base64.urlsafe_b64encode(value.encode()).decode()


def untoken(token: str) -> str | None:
    if not token.startswith("page_"):
        return None
    try:
        return base64.urlsafe_b64decode(token[5:].encode()).decode()
    except ValueError:
        return None


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Fault:
    kind: str  # once | down | malformed | hang
    status: int = 429
    retry_after: str | None = "1"
    times: int = 1
    body: str = "not_json"
    after: int = 0  # requests answered normally before the fault starts (a failure half-way through paging)


def error_response(name: str, status: int, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    headers = dict(headers or {})
    if name == "openai":
        kind = {401: "invalid_request_error", 429: "requests", 400: "invalid_request_error"}.get(status, "server_error")
        code = {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(status)
        body: Any = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    elif name == "anthropic":
        kind = {
            400: "invalid_request_error",
            401: "authentication_error",
            403: "permission_error",
            404: "not_found_error",
            429: "rate_limit_error",
            529: "overloaded_error",
        }.get(status, "api_error")
        body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_011imitation"}
        headers.setdefault("request-id", "req_011imitation")
    elif name == "elevenlabs":
        if status == 422:
            body = {"detail": [{"loc": ["body"], "msg": message, "type": "value_error"}]}
        else:
            kind = {401: "invalid_api_key", 429: "system_busy", 404: "not_found"}.get(status, "internal_error")
            body = {"detail": {"status": kind, "message": message}}
    elif name == "deepgram":
        kind = {
            400: "INVALID_QUERY_PARAMETER",
            401: "INVALID_AUTH",
            403: "INSUFFICIENT_PERMISSIONS",
            404: "PROJECT_NOT_FOUND",
            429: "TOO_MANY_REQUESTS",
        }.get(status, "INTERNAL_SERVER_ERROR")
        body = {
            "category": kind,
            "message": message,
            "details": message,
            "request_id": "6f3b2c1e-0000-4000-8000-00000000imit",
        }
    elif name == "openrouter":
        body = {"error": {"code": status, "message": message}}
    else:  # apify
        kind = {
            400: "invalid-value",
            401: "token-not-provided",
            404: "record-not-found",
            429: "rate-limit-exceeded",
        }.get(status, "internal-server-error")
        body = {"error": {"type": kind, "message": message}}
    return httpx.Response(status, json=body, headers=headers)
