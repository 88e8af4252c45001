"""Helpers shared by the provider adapters to build ``DailyCost`` lines exactly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal

from core.models import PROVIDER_REPORTED, DailyCost
from core.money import ZERO


class LineBuilder:
    """Sums cost per ``(day, line_item)`` (providers may split one line over several results)."""

    def __init__(self, provider: str, cost_source: str = PROVIDER_REPORTED, unit: str | None = None):
        self.provider = provider
        self.cost_source = cost_source
        self.unit = unit
        self._cost: dict[tuple[date, str], Decimal] = defaultdict(lambda: ZERO)
        self._quantity: dict[tuple[date, str], Decimal] = defaultdict(lambda: ZERO)
        self._model: dict[tuple[date, str], str | None] = {}

    def add(self, day: date, line_item: str, model: str | None, cost: Decimal, quantity: Decimal | None = None) -> None:
        key = (day, line_item)
        self._cost[key] += cost
        if quantity is not None:
            self._quantity[key] += quantity
        if self._model.get(key) is None:
            self._model[key] = model

    def build(self, requests: Mapping[tuple[date, str], int] | None = None) -> list[DailyCost]:
        """The lines, sorted. ``requests`` maps ``(day, model)`` to a count, or is None when the provider has none.

        A count is attached to the first line (by name) of the same day and model, so a day's counts add up
        exactly; a count with no matching cost line becomes a zero-cost line ``"<model> (requests)"``. Lines that
        receive no count get 0 (the provider counts, there were none), not None.
        """
        lines = {
            key: DailyCost(
                self.provider,
                key[0],
                key[1],
                self._model.get(key),
                cost,
                None,
                self.cost_source,
                self._quantity.get(key) if self.unit else None,
                self.unit,
            )
            for key, cost in self._cost.items()
        }
        if requests is not None:
            counts: dict[tuple[date, str], int] = defaultdict(int)
            for key in sorted(lines):
                day, _ = key
                model = lines[key].model
                lines[key] = _with_requests(lines[key], 0)
                if model is not None and (day, model) in requests and (day, model) not in counts:
                    counts[(day, model)] = requests[(day, model)]
                    lines[key] = _with_requests(lines[key], requests[(day, model)])
            for (day, model), count in requests.items():
                if (day, model) not in counts and count:
                    item = f"{model} (requests)"
                    lines[(day, item)] = DailyCost(
                        self.provider,
                        day,
                        item,
                        model,
                        ZERO,
                        count,
                        self.cost_source,
                        ZERO if self.unit else None,
                        self.unit,
                    )
        return [lines[key] for key in sorted(lines)]


def _with_requests(line: DailyCost, count: int) -> DailyCost:
    return replace(line, requests=count)


def sum_counts(pairs: Iterable[tuple[tuple[date, str], int]]) -> dict[tuple[date, str], int]:
    """Add up ``((day, model), count)`` pairs."""
    out: dict[tuple[date, str], int] = defaultdict(int)
    for key, count in pairs:
        out[key] += count
    return dict(out)


def parse_count(value: object) -> int | None:
    """A request count from a JSON number or numeric string (5, 5.0, "5"); None when it is not a count."""
    if (isinstance(value, float) and value.is_integer()) or (isinstance(value, str) and value.strip().isdigit()):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return None
    return value
