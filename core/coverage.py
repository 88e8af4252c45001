"""Provenance of the spend over a period: how much is provider-reported, derived, or the sum of runs' reported
cost, and which usage has no price at all (shown as unpriced, never as $0)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from core.i18n.formats import Formats
from core.models import DERIVED_FROM_CREDITS, UNPRICED, Coverage
from core.money import ZERO
from core.store import spend
from core.store.db import Store


def coverage(
    store: Store, first: date | None, last: date, provider: str | None = None, owners: Sequence[str] | None = None
) -> Coverage:
    """Spend by source between two inclusive days (``first`` None: since the beginning)."""
    split = spend.source_split(store, first, last, provider, owners)
    prices = {
        name: (cost * 1000 / quantity).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)
        for name, (cost, quantity) in split.derived.items()
        if quantity
    }
    return Coverage(sum(split.by_source.values(), ZERO), split.by_source, prices, split.units, split.unpriced)


def describe(cov: Coverage, f: Formats, labels: dict[str, str]) -> str:
    """One line such as "96.2% provider-reported, 3.8% derived (ElevenLabs credits at $0.30 per 1k)", in ``f``'s
    language (``96,2 % communiqué par le fournisseur…``)."""
    t = f.t
    parts = []
    for source in sorted(cov.by_source, key=lambda s: -cov.by_source[s]):
        if source == UNPRICED or not cov.by_source[source]:
            continue
        text = t("coverage_part", share=cov.share(source), source=t(f"source_{source}"))
        if source == DERIVED_FROM_CREDITS and cov.derived_prices:
            prices = ", ".join(
                t("coverage_price", provider=labels.get(p, p), unit=_unit(cov, p, f), price=f.money(price, exact=True))
                for p, price in cov.derived_prices.items()
            )
            text += f" ({prices})"
        parts.append(text)
    line = ", ".join(parts) if parts else t("coverage_none")
    if cov.unpriced:
        items = ", ".join(
            f"{labels.get(p, p)} {f.number(q, digits=0)} {_unit(cov, p, f)}".strip() for p, q in cov.unpriced.items()
        )
        line += "; " + t("coverage_unpriced", items=items)
    return line


def _unit(cov: Coverage, provider: str, f: Formats) -> str:
    """The unit of a provider's quantities in words (``credits`` / ``crédits``); an unknown one as stored."""
    unit = cov.units.get(provider)
    return f.word("unit_", unit) if unit else ""
