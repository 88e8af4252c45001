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
        self._key: dict[tuple[date, str], str | None] = {}

    def add(
        self,
        day: date,
        line_item: str,
        model: str | None,
        cost: Decimal,
        quantity: Decimal | None = None,
        *,
        key: str | None = None,
    ) -> None:
        """Add to a line. ``key`` is what request counts of this line are keyed by (default: ``model``)."""
        at = (day, line_item)
        self._cost[at] += cost
        if quantity is not None:
            self._quantity[at] += quantity
        if self._model.get(at) is None:
            self._model[at] = model
        if self._key.get(at) is None:
            self._key[at] = key if key is not None else model

    def build(self, requests: Mapping[tuple[date, str], int] | None = None) -> list[DailyCost]:
        """The lines, sorted. ``requests`` maps ``(day, key)`` to a count, or is None when the provider has none.

        A count goes to one line of the same day and key (a plain model line before one named after a product,
        then by name), its other lines get 0, so a day's counts add up exactly; a count with no matching cost line
        becomes a zero-cost line ``"<key> (requests)"``. A line no endpoint counted gets None (unknown), never 0.
        """
        lines = {
            at: DailyCost(
                self.provider,
                at[0],
                at[1],
                self._model.get(at),
                cost,
                None,
                self.cost_source,
                self._quantity.get(at) if self.unit else None,
                self.unit,
            )
            for at, cost in self._cost.items()
        }
        if requests is not None:
            given: set[tuple[date, str]] = set()
            for at in sorted(lines, key=lambda at: (at[0], " | " in at[1], at[1])):
                counted = (at[0], self._key.get(at))
                if counted in requests:
                    lines[at] = _with_requests(lines[at], 0 if counted in given else requests[counted])
                    given.add(counted)
            for (day, key), count in requests.items():
                if (day, key) not in given and count:
                    item = f"{key} (requests)"
                    lines[(day, item)] = DailyCost(
                        self.provider,
                        day,
                        item,
                        key,
                        ZERO,
                        count,
                        self.cost_source,
                        ZERO if self.unit else None,
                        self.unit,
                    )
        return [lines[at] for at in sorted(lines)]


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
