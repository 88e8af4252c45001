"""What the Overview shows, computed in one place for the page (and its tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.models import ChartPoint, Summary
from core.periods import previous_window
from core.store import spend
from core.store.db import Store


@dataclass(frozen=True)
class Kpi:
    summary: Summary
    previous_cost_usd: Decimal | None  # None for "all": there is no previous equal period
    delta_usd: Decimal | None


def kpi(store: Store, period: str, today: date, provider: str | None = None, owners=None) -> Kpi:
    """The Total-spent card: the period's total and its change against the previous equal period."""
    current = spend.summary(store, period, today, provider, owners)
    window = previous_window(period, today)
    if window is None:
        return Kpi(current, None, None)
    previous, _, _ = spend.totals(store, window[0], window[1], provider, owners)
    return Kpi(current, previous, current.total_cost_usd - previous)


def chart(store: Store, range_: str, today: date, provider: str | None = None, owners=None) -> list[ChartPoint]:
    return spend.chart(store, range_, today, provider, owners)
