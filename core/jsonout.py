"""JSON for the command line: money as full-precision decimal strings, dates as UTC ``YYYY-MM-DD``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from core.models import ChartPoint, MonthReport, ScraperRun, Summary
from core.money import format_json


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_json(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def dumps(value: Any) -> str:
    return json.dumps(value, default=_default, ensure_ascii=False, indent=2)


def summary_json(summary: Summary) -> dict:
    return {"period": summary.period, "total_cost_usd": summary.total_cost_usd, "total_runs": summary.total_runs}


def chart_json(points: list[ChartPoint]) -> list[dict]:
    return [{"date": p.date, "cost_usd": p.cost_usd, "runs": p.runs} for p in points]


def run_json(run: ScraperRun, names: dict[str, str] | None = None) -> dict:
    return {
        "run_id": run.run_id,
        "scraper_id": run.scraper_id,
        "scraper_name": (names or {}).get(run.scraper_id),
        "user_id": run.user_id,
        "source": run.source,
        "status": run.status,
        "cost_usd": run.cost_usd,
        "item_count": run.item_count,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "origin": run.origin,
        "usage_details": run.usage_details,
    }


def percent(value: Decimal | None) -> float | None:
    """Percentage points as a JSON number (12.34 means +12.34 %); already rounded to 2 decimals."""
    return None if value is None else float(value)


def report_json(report: MonthReport) -> dict:
    """A month's report. ``availability`` says what each figure covers (``complete``, ``partial`` with the
    ``covered`` days, ``not_collected``, ``not_available``; null for figures no collection saw): without a figure
    ``cost_usd`` and ``requests`` are null, never 0. ``change_note`` says why ``change_percent`` is null."""
    return {
        "month": report.key,
        "total_cost_usd": report.total_cost_usd,
        "previous_month_cost_usd": report.previous_month_cost_usd,
        "change_percent": percent(report.change_percent),
        "change_note": report.change_note,
        "previous_month_availability": report.previous_availability,
        "collected_since": report.collected_since,
        "provider_count": report.provider_count,
        "report_url": report.report_url,
        "providers": [
            {
                "provider": p.provider,
                "cost_usd": p.cost_usd if p.has_figure else None,
                "availability": p.availability,
                "covered": None if p.covered is None else {"first": p.covered[0], "last": p.covered[1]},
                "previous_cost_usd": p.previous_cost_usd,
                "previous_availability": p.previous_availability,
                "change_percent": percent(p.change_percent),
                "change_note": p.change_note,
                "requests": p.requests,
                "cost_source": p.cost_source,
                "top_models": [{"model": m.model, "name": m.label, "cost_usd": m.cost_usd} for m in p.top_models],
                "collected_at": p.collected_at,
                "last_status": p.status,
                "last_error": p.error,
            }
            for p in report.providers
        ],
    }


def reconciliation_json(r) -> dict:
    return {
        "provider": r.provider,
        "spendboard_cost_usd": r.spendboard_usd,
        "provider_cost_usd": r.provider_usd,
        "drift_usd": r.drift_usd,
        "drift_percent": percent(r.drift_percent),
        "status": r.status,
        "source": r.source,
        "note": r.note,
    }
