"""Reconciliation: Spendboard's total per provider and month against the provider's own independent total.

Each provider module may expose ``independent_total(http, first, last, settings, policy)`` returning
``(total_usd, source)`` or None when the provider keeps no such figure for that period. The drift is
``provider - spendboard``: positive means the provider counts more than Spendboard stored.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import httpx

from core.config import Settings
from core.errors import InputError, SpendError
from core.http import DEFAULT_POLICY, RetryPolicy
from core.money import CENT, ZERO
from core.periods import month_end, month_key, month_start, utc_today
from core.providers import get_provider, registry
from core.report import monthly_report
from core.store.db import Store

log = logging.getLogger(__name__)
MATCHES, SMALL_DRIFT, MISMATCH, UNAVAILABLE, FAILED = "matches", "small_drift", "mismatch", "unavailable", "failed"

# Why figures usually differ, shown next to a drift.
CAUSES = {
    "apify": "Apify bills platform usage per day (and fees outside runs, e.g. storage and proxies); runs that span "
    "midnight are counted on their start day; run costs are informational until Apify settles them.",
    "openrouter": "Usage since the last collection (or restated since) is not stored yet; BYOK usage is not billed.",
    "openai": "Recent days are restated by OpenAI; collect again to pick up the final figures.",
    "anthropic": "Recent days are restated; Priority Tier costs are not in the cost report.",
    "deepgram": "Recent days are restated; keys without access to every project see only part of the bill.",
    "elevenlabs": "ElevenLabs bills a subscription plus overage per cycle, not calendar months.",
}


@dataclass(frozen=True)
class Reconciliation:
    provider: str
    month: date
    spendboard_usd: Decimal
    provider_usd: Decimal | None
    drift_usd: Decimal | None
    drift_percent: Decimal | None
    status: str
    source: str | None
    note: str


def classify(ours: Decimal, theirs: Decimal, settings: Settings) -> tuple[Decimal, Decimal | None, str]:
    """(drift, drift %, badge) under the configured thresholds."""
    drift = theirs - ours
    percent = None if theirs == 0 else (drift * 100 / theirs).quantize(CENT, rounding=ROUND_HALF_EVEN)
    if abs(drift) <= settings.reconcile_tolerance_usd:
        return drift, percent, MATCHES
    if percent is not None and abs(percent) <= settings.reconcile_small_drift_percent:
        return drift, percent, SMALL_DRIFT
    return drift, percent, MISMATCH


def _without_total(name: str, month: date, ours: Decimal, status: str, note: str) -> Reconciliation:
    return Reconciliation(name, month, ours, None, None, None, status, None, note)


def _one(name, settings, month, ours, transport, policy) -> Reconciliation:
    provider = get_provider(name)
    first, last = month, min(month_end(month), utc_today())
    if provider.independent_total is None:
        note = f"{provider.label} offers no independent total. {CAUSES.get(name, '')}".strip()
        return _without_total(name, month, ours, UNAVAILABLE, note)
    try:
        with provider.client(settings, transport) as http:
            found = provider.independent_total(http, first, last, settings, policy)
    except SpendError as exc:
        return _without_total(name, month, ours, FAILED, settings.redact(str(exc)))
    except Exception as exc:  # a bug in one check must not hide the others
        log.exception("reconciling %s failed unexpectedly", name)
        return _without_total(name, month, ours, FAILED, f"unexpected error ({type(exc).__name__})")
    if found is None:
        note = f"{provider.label} keeps no independent total for this month."
        return _without_total(name, month, ours, UNAVAILABLE, note)
    theirs, source = found.usd, found.source
    drift, percent, status = classify(ours, theirs, settings)
    note = "" if status == MATCHES else CAUSES.get(name, "")
    if found.scope:  # the provider's figure covers less than Spendboard collects: a drift is not a mismatch
        source = f"{source} ({found.scope})"
        if status == MISMATCH:
            status = SMALL_DRIFT
        note = f"The provider's total covers the {found.scope}. {note}".strip()
    return Reconciliation(name, month, ours, theirs, drift, percent, status, source, note)


def reconcile(
    settings: Settings,
    store: Store,
    month: date,
    *,
    transports: Mapping[str, httpx.BaseTransport] | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> list[Reconciliation]:
    """Every configured provider's stored total for ``month`` against its own figure, concurrently."""
    if month > month_start(utc_today()):
        raise InputError(f"month {month_key(month)} has not started yet (today is {utc_today()} UTC)")
    report = monthly_report(store, month, settings.app_base_url)
    ours = {p.provider: p.cost_usd for p in report.providers}
    names = [name for name, provider in registry().items() if provider.configured(settings)]
    transports = transports or {}
    with ThreadPoolExecutor(max_workers=max(len(names), 1)) as pool:
        futures = [pool.submit(_one, n, settings, month, ours.get(n, ZERO), transports.get(n), policy) for n in names]
        return [f.result() for f in futures]
