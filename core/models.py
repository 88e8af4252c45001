"""Frozen dataclasses shared by providers, stores, reports and pages. Vendor JSON never leaves a provider module."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

# Where a figure comes from. Pages and reports show it, so an estimate is never presented as billed spend.
PROVIDER_REPORTED = "provider_reported"
DERIVED_FROM_CREDITS = "derived_from_credits"
RUN_REPORTED = "run_reported"  # Apify: the sum of each run's usageTotalUsd
DEMO = "demo"  # sample data, never real spend
UNPRICED = "unpriced"  # usage the provider reported without a price: shown as unpriced, never as $0
COST_SOURCES = (PROVIDER_REPORTED, DERIVED_FROM_CREDITS, RUN_REPORTED, DEMO, UNPRICED)
REQUESTS, RUNS = "requests", "runs"  # what the count on a ledger line counts
UNKNOWN_OWNER = "(unknown)"  # the owner of a run listed without a user id


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


@dataclass(frozen=True)
class Coverage:
    """Provenance of spend over some days: USD by cost source, the prices derived figures used, unpriced usage."""

    total_usd: Decimal
    by_source: dict[str, Decimal]  # cost_source -> USD
    derived_prices: dict[str, Decimal] = field(default_factory=dict)  # provider -> USD per 1,000 units
    units: dict[str, str] = field(default_factory=dict)  # provider -> unit of its quantities ("credits")
    unpriced: dict[str, Decimal] = field(default_factory=dict)  # provider -> quantity used without a price

    def share(self, source: str) -> Decimal:
        if not self.total_usd:
            return Decimal(0)
        return (self.by_source.get(source, Decimal(0)) * 100 / self.total_usd).quantize(Decimal("0.1"), ROUND_HALF_EVEN)


TOP_MODELS = 5


@dataclass(frozen=True)
class ModelCost:
    """A provider's spend on one model (or line item) over a month; ``label`` is its display name when it has one
    (an Apify actor's name for its id)."""

    model: str
    cost_usd: Decimal
    requests: int | None
    label: str | None = None


@dataclass(frozen=True)
class ProviderMonth:
    provider: str
    cost_usd: Decimal
    previous_cost_usd: Decimal | None
    change_percent: Decimal | None
    requests: int | None  # requests, or runs for a provider that counts runs (``count_unit``)
    cost_source: str | None
    collected_at: datetime | None
    breakdown: list[ModelCost]  # every model/line item, most expensive first
    status: str | None = None  # last collection: ok | failed | not_configured
    error: str | None = None
    unpriced_quantity: Decimal | None = None  # usage the provider reported without a price (e.g. credits)
    unit: str | None = None
    revised_from_usd: Decimal | None = None  # the figure before this closed month changed
    count_unit: str = REQUESTS

    @property
    def top_models(self) -> list[ModelCost]:
        return self.breakdown[:TOP_MODELS]


@dataclass(frozen=True)
class MonthReport:
    month: date
    total_cost_usd: Decimal
    previous_month_cost_usd: Decimal | None
    change_percent: Decimal | None
    providers: list[ProviderMonth]  # most expensive first
    report_url: str
    coverage: Coverage | None = None
    revised_at: datetime | None = None
    revised_from_usd: Decimal | None = None

    @property
    def provider_count(self) -> int:
        return sum(1 for p in self.providers if p.cost_usd or p.requests)

    @property
    def key(self) -> str:
        return f"{self.month.year:04d}-{self.month.month:02d}"
