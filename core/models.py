"""Frozen dataclasses shared by providers, stores, reports and pages. Vendor JSON never leaves a provider module."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# Where a figure comes from. Pages and reports show it, so an estimate is never presented as billed spend.
PROVIDER_REPORTED = "provider_reported"
DERIVED_FROM_CREDITS = "derived_from_credits"
RUN_REPORTED = "run_reported"  # Apify: the sum of each run's usageTotalUsd
DEMO = "demo"  # sample data, never real spend
UNPRICED = "unpriced"  # usage the provider reported without a price: shown as unpriced, never as $0
COST_SOURCES = (PROVIDER_REPORTED, DERIVED_FROM_CREDITS, RUN_REPORTED, DEMO, UNPRICED)


@dataclass(frozen=True)
class ScraperRun:
    """One Apify Actor run, dated by its start (UTC)."""

    run_id: str
    scraper_id: str
    created_at: datetime
    status: str
    cost_usd: Decimal | None
    source: str = "app"
    user_id: str | None = None
    item_count: int | None = None
    finished_at: datetime | None = None
    origin: str | None = None
    usage_details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DailyCost:
    """One provider x UTC day x line item. ``requests`` is None where the provider has no count."""

    provider: str
    day: date
    line_item: str
    model: str | None
    cost_usd: Decimal
    requests: int | None
    cost_source: str = PROVIDER_REPORTED
    quantity: Decimal | None = None  # the usage behind the cost (ElevenLabs credits), when the provider gives one
    unit: str | None = None
    owner: str = ""  # the person a per-person line belongs to (an Apify run's user id); "" for team-wide lines


@dataclass(frozen=True)
class Summary:
    """Total spend over a period: ``runs`` counts Apify runs, ``requests`` the other providers' requests."""

    period: str
    start: date | None
    end: date
    total_cost_usd: Decimal
    total_runs: int
    total_requests: int | None


@dataclass(frozen=True)
class ChartPoint:
    date: date
    cost_usd: Decimal
    runs: int
    requests: int | None


@dataclass(frozen=True)
class RunPage:
    """A filtered page of scraper runs with the totals of the whole filter (not just the page)."""

    items: list[ScraperRun]
    total_cost_usd: Decimal
    total_runs: int
