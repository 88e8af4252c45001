"""CSV of what the app and the command line show: scraper runs, the chart's days, a period's total, a month's
providers and models. Like the JSON, CSV is locale-free: UTF-8, a header row, money as plain decimal strings at full
precision (``75.580000``, never rounded to cents, never ``$``), days as ``YYYY-MM-DD`` UTC days, times in UTC ISO 8601.

Text a spreadsheet would run as a formula (a model or scraper name starting with ``=``, ``+``, ``-``, ``@``) is
prefixed with ``'``; numbers are left alone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from core.models import ChartPoint, ScraperRun, Summary
from core.money import format_json

if TYPE_CHECKING:
    from core.models import MonthReport

MIME = "text/csv"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


class Number(str):
    """A number already written as text (``-8.84``): never taken for a formula."""


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_json(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value.tzinfo else value.isoformat() + "Z"
    if isinstance(value, date | int | Number):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


RUNS_HEADER = (
    "started_at_utc",
    "run_id",
    "scraper_id",
    "user_id",
    "status",
    "cost_usd",
    "item_count",
    "source",
    "finished_at_utc",
)


def runs_csv(runs: Iterable[ScraperRun]) -> str:
    rows = (
        (r.created_at, r.run_id, r.scraper_id, r.user_id, r.status, r.cost_usd, r.item_count, r.source, r.finished_at)
        for r in runs
    )
    return to_csv(RUNS_HEADER, rows)


def chart_csv(points: Iterable[ChartPoint]) -> str:
    """One row per day of the chart, zero days included."""
    return to_csv(("date", "cost_usd", "runs", "requests"), ((p.date, p.cost_usd, p.runs, p.requests) for p in points))


def summary_csv(summary: Summary) -> str:
    row = (
        summary.period,
        summary.start,
        summary.end,
        summary.total_cost_usd,
        summary.total_runs,
        summary.total_requests,
    )
    return to_csv(("period", "first_day", "last_day", "total_cost_usd", "total_runs", "total_requests"), [row])


def report_providers_csv(report: MonthReport) -> str:
    """One row per provider of the month; ``change_percent`` in percentage points (12.5 means +12.5 %)."""
    header = (
        "month",
        "provider",
        "cost_usd",
        "previous_cost_usd",
        "change_percent",
        "requests",
        "cost_source",
        "last_status",
    )
    rows = (
        (
            report.key,
            p.provider,
            p.cost_usd,
            p.previous_cost_usd,
            None if p.change_percent is None else Number(format(p.change_percent, "f")),
            p.requests,
            p.cost_source,
            p.status,
        )
        for p in report.providers
    )
    return to_csv(header, rows)


def report_models_csv(report: MonthReport) -> str:
    """Every model or line item of every provider of the month (not only the top five the page shows)."""
    rows = ((report.key, p.provider, m.model, m.cost_usd, m.requests) for p in report.providers for m in p.breakdown)
    return to_csv(("month", "provider", "model", "cost_usd", "requests"), rows)
