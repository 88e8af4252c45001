"""Spend for the guardrails tests, written through the store's own ledger writer (one place to adapt if it changes)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from core.models import REQUESTS, RUNS, DailyCost
from core.store import ledger
from core.store.db import Store


def seed(store: Store, provider: str, days: Mapping[date, Decimal | str | int]) -> None:
    """Make ``provider``'s stored spend exactly ``days`` (one line per day) over the days given."""
    lines = [DailyCost(provider, d, f"{provider} usage", None, Decimal(v), 1) for d, v in days.items()]
    ledger.save_lines(store, provider, min(days), max(days), lines, RUNS if provider == "apify" else REQUESTS)
