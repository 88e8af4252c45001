"""What every provider adapter gives Spendboard: one frozen ``Provider`` per module, checked by the registry test.

Required members say who the provider is and how to fetch it; optional members are ``None`` when the provider
has no such thing (no getattr probing anywhere: callers test ``provider.independent_total is None``).

    name, label, key_env, auth_hint       identity and what to do when the key is wrong
    counts                                what the ``requests`` of its lines count: "requests" or "runs"
    has_counts                            False when the API reports no count at all (Anthropic): None, never 0
    configured(settings) -> bool          is its key set?
    client(settings, transport) -> httpx.Client
    fetch(http, first, last, settings, policy) -> Fetched      daily lines of the inclusive UTC days (all or nothing)
    window(first, last, today) -> (first, last) | None         optional: the part of a window the API can still
                                                               answer for (OpenRouter forgets after 30 days)
    independent_total(http, first, last, settings, policy)     optional: the provider's own total, to reconcile
        -> IndependentTotal | None                             (None: no such figure for these days)
    doctor(http, settings, policy) -> list[Check]              optional: set-up checks that write nothing

Vendor JSON never leaves a provider module: ``fetch`` returns our own dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from core.models import REQUESTS, RUNS, DailyCost, ScraperRun

if TYPE_CHECKING:  # the command line imports the registry without loading an HTTP client
    import httpx

    from core.config import Settings

__all__ = ["REQUESTS", "RUNS", "Check", "Fetched", "IndependentTotal", "Provider"]


class Label(str):
    """A display name (usable as a plain ``str`` anywhere) that also says what it names.

    ``kind`` is what the id is ("actor", "task"); ``name`` the provider's technical name; ``title`` its human title
    when it has one. ``core.store.actors.remember`` stores all three.
    """

    kind: str
    name: str
    title: str | None

    def __new__(cls, *, kind: str, name: str, title: str | None = None) -> Label:
        label = super().__new__(cls, title or name)
        label.kind, label.name, label.title = kind, name, title
        return label


@dataclass(frozen=True)
class Fetched:
    """What one ``fetch`` returns. ``runs`` is the per-run detail of a provider whose spend is the sum of its runs'
    reported costs (Apify); its ``lines`` are then one per (day, scraper, run owner) with the number of runs."""

    lines: list[DailyCost]
    runs: list[ScraperRun] | None = None


@dataclass(frozen=True)
class IndependentTotal:
    """A provider's own figure for some days, and the endpoint it came from. ``scope`` says what it covers when
    that is less than everything (e.g. "default workspace only"): a drift is then not called a mismatch."""

    usd: Decimal
    source: str
    scope: str | None = None


@dataclass(frozen=True)
class Check:
    """One line of ``doctor``: what was checked, whether it passed, and what to fix when it did not."""

    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    key_env: str
    auth_hint: str
    counts: str
    has_counts: bool
    configured: Callable[[Settings], bool]
    client: Callable[..., httpx.Client]
    fetch: Callable[..., Fetched]
    window: Callable[[date, date, date], tuple[date, date] | None] | None = None
    independent_total: Callable[..., IndependentTotal | None] | None = None
    doctor: Callable[..., list[Check]] | None = None
    # (http, runs, known ids, policy) -> {id: Label}: display names for the ids a collection's runs name (Apify)
    names: Callable[..., dict[str, Label]] | None = None

    def available(self, first: date, last: date, today: date) -> tuple[date, date] | None:
        """The part of ``first..last`` the API can answer for today (never after today)."""
        if self.window is not None:
            return self.window(first, last, today)
        last = min(last, today)
        return (first, last) if first <= last else None
