"""Provenance of the spend over a period: how much is provider-reported, derived, or from Apify runs, and which
usage has no price at all (shown as unpriced, never as $0)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import func, select

from core.models import DERIVED_FROM_CREDITS, RUN_REPORTED, UNPRICED
from core.money import ZERO
from core.periods import day_start
from core.store.db import Store
from core.store.schema import daily_costs, scraper_runs


@dataclass(frozen=True)
class Coverage:
    total_usd: Decimal
    by_source: dict[str, Decimal]  # cost_source -> USD
    derived_prices: dict[str, Decimal] = field(default_factory=dict)  # provider -> USD per 1,000 units
    units: dict[str, str] = field(default_factory=dict)  # provider -> unit of its quantities ("credits")
    unpriced: dict[str, Decimal] = field(default_factory=dict)  # provider -> quantity used without a price

    def share(self, source: str) -> Decimal:
        if not self.total_usd:
            return ZERO
        return (self.by_source.get(source, ZERO) * 100 / self.total_usd).quantize(Decimal("0.1"), ROUND_HALF_EVEN)


def coverage(store: Store, first: date | None, last: date, provider: str | None = None) -> Coverage:
    """Spend by source between two inclusive days (``first`` None: since the beginning)."""
    by_source: dict[str, Decimal] = defaultdict(lambda: ZERO)
    where = [daily_costs.c.day <= last]
    if first is not None:
        where.append(daily_costs.c.day >= first)
    if provider is not None:
        where.append(daily_costs.c.provider == provider)
    with store.engine.connect() as conn:
        if provider in (None, "apify"):
            run_where = [scraper_runs.c.created_at < day_start(last + timedelta(days=1))]
            if first is not None:
                run_where.append(scraper_runs.c.created_at >= day_start(first))
            runs = conn.execute(select(func.sum(scraper_runs.c.cost_usd)).where(*run_where)).scalar()
            if runs:
                by_source[RUN_REPORTED] += runs
        q = select(daily_costs.c.cost_source, func.sum(daily_costs.c.cost_usd)).where(*where)
        for source, cost in conn.execute(q.group_by(daily_costs.c.cost_source)):
            by_source[source] += cost or ZERO
        # Quantities are exact decimal text: the few derived/unpriced lines are added up here, not in SQL floats.
        q = select(
            daily_costs.c.provider,
            daily_costs.c.cost_source,
            daily_costs.c.cost_usd,
            daily_costs.c.quantity,
            daily_costs.c.unit,
        ).where(
            *where, daily_costs.c.cost_source.in_((DERIVED_FROM_CREDITS, UNPRICED)), daily_costs.c.quantity.is_not(None)
        )
        cost_of: dict[str, Decimal] = defaultdict(lambda: ZERO)
        qty_of: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        units: dict[str, str] = {}
        for name, source, cost, quantity, unit in conn.execute(q):
            qty_of[(name, source)] += Decimal(quantity)
            units[name] = unit or ""
            if source == DERIVED_FROM_CREDITS:
                cost_of[name] += cost
    prices = {
        name: (cost_of[name] * 1000 / qty).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)
        for (name, source), qty in qty_of.items()
        if source == DERIVED_FROM_CREDITS and qty
    }
    unpriced = {name: qty for (name, source), qty in qty_of.items() if source == UNPRICED and qty}
    total = sum(by_source.values(), ZERO)
    return Coverage(total, dict(by_source), prices, units, unpriced)


def describe(cov: Coverage, t, labels: dict[str, str]) -> str:
    """One line such as "96.2% provider-reported, 3.8% derived (ElevenLabs credits at $0.30 per 1k)"."""
    parts = []
    for source in sorted(cov.by_source, key=lambda s: -cov.by_source[s]):
        if source == UNPRICED or not cov.by_source[source]:
            continue
        text = t("coverage_part", share=cov.share(source), source=t(f"source_{source}"))
        if source == DERIVED_FROM_CREDITS and cov.derived_prices:
            text += (
                " ("
                + ", ".join(
                    t(
                        "coverage_price",
                        provider=labels.get(p, p),
                        unit=cov.units.get(p, ""),
                        price=_price(price),
                    )
                    for p, price in cov.derived_prices.items()
                )
                + ")"
            )
        parts.append(text)
    line = ", ".join(parts) if parts else t("coverage_none")
    if cov.unpriced:
        line += "; " + t(
            "coverage_unpriced",
            items=", ".join(
                f"{labels.get(p, p)} {q:,.0f} {cov.units.get(p, '')}".strip() for p, q in cov.unpriced.items()
            ),
        )
    return line


def _price(value: Decimal) -> str:
    """A unit price with the decimals it needs: $0.30, $0.198, $0.1833."""
    text = format(value.normalize(), "f")
    whole, _, decimals = text.partition(".")
    return f"${whole}.{decimals.ljust(2, '0')}"
