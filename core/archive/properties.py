"""Page property values sent to Notion, built from the SQL rows (``provider_snapshots``, ``monthly_summaries``).

Numbers go out as plain finite ``float``/``int`` or ``None`` (httpx refuses NaN and ``Decimal``; exactness stays in
SQL). Every string passes through ``settings.redact`` first, so no configured secret can reach Notion.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core.models import NOT_AVAILABLE
from core.money import change_percent, format_json
from core.periods import month_key

MAX_TEXT = 2000  # characters per rich-text item (counted in UTF-16 units, as Notion's JavaScript does)
MAX_ITEMS = 100  # rich-text items per property
MAX_BYTES = 300_000  # UTF-8 bytes of one rich-text array: stays well inside Notion's 500 KB per request
MAX_URL = 2000

Redact = Callable[[str], str]


def number(value: Decimal | int | float | None) -> int | float | None:
    """A JSON-safe number: ``Decimal`` becomes ``float``; NaN and infinities become ``None`` (empty cell)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    result = float(value)
    return result if math.isfinite(result) else None


def text_items(pieces: Sequence[str]) -> list[dict]:
    return [{"type": "text", "text": {"content": p}} for p in pieces]


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Consecutive pieces of at most ``limit`` UTF-16 units whose concatenation is ``text``; a character outside
    the BMP (2 units) is never cut in half."""
    if _units(text) == len(text):  # BMP only: one unit per character
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    pieces, start, used = [], 0, 0
    for i, char in enumerate(text):
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > limit:
            pieces.append(text[start:i])
            start, used = i, 0
        used += size
    pieces.append(text[start:])
    return pieces


def _fits(pieces: list[str]) -> bool:
    if len(pieces) > MAX_ITEMS:
        return False
    return len(json.dumps(text_items(pieces), ensure_ascii=False).encode("utf-8", "surrogatepass")) <= MAX_BYTES


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in a name: escape it so the text still round-trips exactly
        text = json.dumps(value, separators=(",", ":"))
    return text


def _truncated(breakdown: list[dict], keep: int) -> dict:
    omitted = breakdown[keep:]
    omitted_cost = sum((Decimal(str(e.get("cost_usd") or 0)) for e in omitted), Decimal(0))
    return {
        "truncated": True,
        "shown": keep,
        "omitted": len(omitted),
        "omitted_cost_usd": format_json(omitted_cost),
        "items": breakdown[:keep],
    }


def breakdown_pieces(breakdown: list[dict], redact: Redact) -> list[str]:
    """The breakdown as JSON split into rich-text pieces; joined, they parse back to the breakdown. When it cannot
    fit (more than 100 x 2000 characters), the most expensive entries are kept (the list is sorted) and the JSON
    says so: ``{"truncated": true, "shown": k, "omitted": n, "omitted_cost_usd": "...", "items": [...]}``."""
    pieces = split_text(redact(_dumps(breakdown)))
    if _fits(pieces):
        return pieces
    low, high = 0, len(breakdown)  # the largest prefix that fits; keep=0 always does
    while low < high:
        mid = (low + high + 1) // 2
        if _fits(split_text(redact(_dumps(_truncated(breakdown, mid))))):
            low = mid
        else:
            high = mid - 1
    return split_text(redact(_dumps(_truncated(breakdown, low))))


def _title(text: str) -> dict:
    return {"title": text_items([text])}


def _date(value: datetime | date | None) -> dict:
    if value is None:
        return {"date": None}
    start = value.isoformat(timespec="seconds") if isinstance(value, datetime) else value.isoformat()
    return {"date": {"start": start}}


def _select(name: str | None, redact: Redact) -> dict:
    return {"select": {"name": redact(name).replace(",", " ")[:100]} if name else None}


def snapshot_properties(row: Any, previous: Any | None, redact: Redact) -> dict:
    """Properties of a provider's monthly snapshot page; ``previous`` is the same provider's previous month row.
    A month the provider could no longer serve has empty figures (never $0) and says so in ``Availability``."""
    prev_cost = previous.total_cost_usd if _figure(previous) else None
    cost = row.total_cost_usd if _figure(row) else None
    return {
        "Month": _title(month_key(row.month)),
        "Provider": _select(row.provider, redact),
        "Total Cost USD": {"number": number(cost)},
        "Availability": _select(row.availability, redact),
        "Requests": {"number": number(row.requests if cost is not None else None)},
        "Breakdown JSON": {"rich_text": text_items(breakdown_pieces(list(row.breakdown or []), redact))},
        "Collected At": _date(row.collected_at),
        "Cost Source": _select(row.cost_source, redact),
        "Previous Month Cost": {"number": number(prev_cost)},
        "Change Percent": {"number": number(None if cost is None else change_percent(cost, prev_cost))},
        "Revised": {"checkbox": row.revised_from_usd is not None},
        "Revised From USD": {"number": number(row.revised_from_usd)},
    }


def _figure(row: Any | None) -> bool:
    return row is not None and row.availability != NOT_AVAILABLE


def summary_properties(row: Any, redact: Redact) -> dict:
    """Properties of a month's summary page."""
    url = redact(row.report_url) if row.report_url else None
    return {
        "Month": _title(month_key(row.month)),
        "Total Cost USD": {"number": number(row.total_cost_usd)},
        "Previous Month Cost": {"number": number(row.previous_month_cost_usd)},
        "Change Percent": {"number": number(row.change_percent)},
        "Provider Count": {"number": number(row.provider_count)},
        "Report URL": {"url": url if url and len(url) <= MAX_URL else None},
        "Revised": {"checkbox": row.revised_at is not None},
        "Revised From USD": {"number": number(row.revised_from_usd)},
    }
