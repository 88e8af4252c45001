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

# How much of a month a provider's figure covers (``ProviderMonth.availability``), judged from the days collections
# saw (``collected_days``) and what the provider's API can still serve today (``Provider.available``).
COMPLETE = "complete"  # every day of the month up to the provider's last collection was collected
PARTIAL = "partial"  # some days only: ``ProviderMonth.covered`` says from when to when
NOT_COLLECTED = "not_collected"  # nothing collected for the month, though the API can still serve it
NOT_AVAILABLE = "not_available"  # nothing collected, and the API can no longer serve it (OpenRouter after 30 days)
NO_FIGURE = (NOT_COLLECTED, NOT_AVAILABLE)  # shown as such, never as $0
NO_SPEND = "no_spend"  # why there is no change: the previous month was collected and had no spend


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
    # What the figures cover. ``None``: nothing says (figures no collection saw: sample data, runs recorded one
    # by one). With ``NOT_COLLECTED``/``NOT_AVAILABLE`` ``cost_usd`` is 0 only as a sum: show the availability.
    availability: str | None = None
    covered: tuple[date, date] | None = None  # the first and last collected day of the month (partial months)
    previous_availability: str | None = None
    collected_since: date | None = None  # the first day any collection saw for this provider

    @property
    def top_models(self) -> list[ModelCost]:
        return self.breakdown[:TOP_MODELS]

    @property
    def has_figure(self) -> bool:
        """False when nothing was collected for the month: its cost is unknown, not $0."""
        return self.availability not in NO_FIGURE

    @property
    def change_note(self) -> str | None:
        """Why there is no change to show: ``NOT_COLLECTED`` or ``NOT_AVAILABLE`` (this month, or else the previous
        one, has no figure), ``NO_SPEND`` (nothing was spent the previous month), ``PARTIAL`` (nothing was spent on
        the days of it collected); None when there is a change."""
        if self.change_percent is not None:
            return None
        if not self.has_figure:
            return self.availability
        return _previous_note(self.previous_cost_usd, self.previous_availability)


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
    previous_availability: str | None = None  # the previous month as a whole (PARTIAL: some providers lack days)
    collected_since: date | None = None  # the first day any collection saw

    @property
    def change_note(self) -> str | None:
        """Why the total has no change to show (see ``ProviderMonth.change_note``)."""
        if self.change_percent is not None:
            return None
        return _previous_note(self.previous_month_cost_usd, self.previous_availability)

    @property
    def provider_count(self) -> int:
        return sum(1 for p in self.providers if p.cost_usd or p.requests)

    @property
    def key(self) -> str:
        return f"{self.month.year:04d}-{self.month.month:02d}"


def _previous_note(previous: Decimal | None, availability: str | None) -> str:
    if previous is None:
        return NOT_AVAILABLE if availability == NOT_AVAILABLE else NOT_COLLECTED
    return PARTIAL if availability == PARTIAL else NO_SPEND  # PARTIAL: nothing spent on the days collected
