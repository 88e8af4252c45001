"""JSON for the command line: money as full-precision decimal strings, dates as UTC ``YYYY-MM-DD``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from core.models import ChartPoint, ScraperRun, Summary
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


def run_json(run: ScraperRun) -> dict:
    return {
        "run_id": run.run_id,
        "scraper_id": run.scraper_id,
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
