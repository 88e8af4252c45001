"""Collection: every configured provider, concurrently, into SQL; then the month's snapshots and summary.

A provider's data is written only after all of its pages arrived, in one transaction, so a provider that fails
(auth, outage, malformed payload) leaves what was stored exactly as it was and never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from time import sleep as real_sleep

import httpx
from sqlalchemy.exc import SQLAlchemyError

from core import locks, notion
from core.config import Settings
from core.demo import remove_sample_data
from core.errors import InputError, SpendError
from core.http import DEFAULT_POLICY, RetryPolicy
from core.models import MonthReport
from core.periods import month_end, month_key, month_start, previous_month, utc_now
from core.providers import NAMES, get_provider
from core.providers.contract import Fetched, Provider
from core.report import monthly_report
from core.revisions import save_month
from core.store import actors, collections, days, ledger, runs
from core.store.db import Store, describe_error

log = logging.getLogger(__name__)
TRAILING_DAYS = 3  # providers restate recent days: every collection re-fetches at least these

OK, FAILED, NOT_CONFIGURED = "ok", "failed", "not_configured"
Progress = Callable[[str, str, str | None], None]  # (provider, status, detail)


@dataclass(frozen=True)
class ProviderOutcome:
    provider: str
    status: str
    error: str | None = None
    lines: int = 0
    refilled: tuple[date, ...] = ()  # days fetched again because they went missing or never arrived


@dataclass(frozen=True)
class CollectionResult:
    month: date
    outcomes: dict[str, ProviderOutcome]
    report: MonthReport
    run_id: int
    months: list[date] = field(default_factory=list)
    archive: notion.SyncResult | None = None  # the Notion archive's outcome (None when Notion is off)
    sample_removed: bool = False  # sample data was removed before the first real collection

    @property
    def failed(self) -> list[str]:
        return [name for name, o in self.outcomes.items() if o.status == FAILED]


def windows(month: date | None, today: date) -> list[tuple[date, date]]:
    """The inclusive day windows to fetch: the month (default: this month to date plus the previous month) and
    the trailing days, merged where they touch."""
    if month is None:
        spans = [(previous_month(today), today)]
    else:
        if month > month_start(today):
            raise InputError(f"month {month_key(month)} has not started yet (today is {today} UTC)")
        spans = [(month, min(month_end(month), today))]
    spans.append((today - timedelta(days=TRAILING_DAYS - 1), today))
    spans.sort()
    merged = [spans[0]]
    for first, last in spans[1:]:
        if first <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


def _months_in(spans: Sequence[tuple[date, date]]) -> list[date]:
    months: set[date] = set()
    for first, last in spans:
        m = month_start(first)
        while m <= last:
            months.add(m)
            m = month_end(m) + timedelta(days=1)
    return sorted(months)


def _fetch(provider: Provider, settings: Settings, spans, transport, policy: RetryPolicy) -> list[Fetched]:
    """Everything one provider has for the windows, or an exception. Nothing is written here."""
    with provider.client(settings, transport) as http:
        return [provider.fetch(http, first, last, settings, policy) for first, last in spans]


def _write(store: Store, provider: Provider, spans, fetched: list[Fetched], today: date) -> int:
    """Write every window of one provider in one transaction (its runs, ledger lines, rollup and day record)."""
    with store.write() as conn:
        written = 0
        for (first, last), got in zip(spans, fetched, strict=True):
            window = provider.available(first, last, today)
            if window is None:
                continue
            first, last = window
            if got.labels:
                actors.remember(conn, got.labels)
            if got.runs is not None:  # the lines are the runs' sums: store the runs, rebuild the lines from them
                inside = [r for r in got.runs if first <= r.created_at.date() <= last]
                runs.upsert_runs(store, conn, inside, keep_labels=True)
                ledger.rebuild_run_lines(conn, first, last)
                written += len(inside)
            else:
                lines = [line for line in got.lines if first <= line.day <= last]
                written += ledger.replace_lines(conn, provider.name, first, last, lines, provider.counts)
            days.record_stored(conn, provider.name, first, last)
        return written


def _provider_spans(provider: Provider, store: Store, spans, today: date):
    """The shared windows plus the days this provider is missing (stored rows lost, or never collected)."""
    covered = {first + timedelta(days=i) for first, last in spans for i in range((last - first).days + 1)}
    gaps = [
        d
        for d in days.find_gaps(store, provider.name, today)
        if d not in covered and provider.available(d, d, today) is not None
    ]
    return sorted([*spans, *days.as_windows(gaps)]), tuple(gaps)


def _collect_one(name, settings, store, spans, today, transport, policy, progress) -> ProviderOutcome:
    provider = get_provider(name)
    if not provider.configured(settings):
        return ProviderOutcome(name, NOT_CONFIGURED)
    if progress:
        progress(name, "running", None)
    try:
        spans, refilled = _provider_spans(provider, store, spans, today)
        fetched = _fetch(provider, settings, spans, transport, policy)
        written = _write(store, provider, spans, fetched, today)
    except SpendError as exc:
        return ProviderOutcome(name, FAILED, settings.redact(str(exc)))
    except SQLAlchemyError as exc:  # the database failed, not the adapter: one line, no traceback
        return ProviderOutcome(name, FAILED, settings.redact(f"{name}: {describe_error(exc)}"))
    except Exception as exc:  # a bug in one adapter must not stop the others; it is logged in full
        log.exception("collecting %s failed unexpectedly", name)
        return ProviderOutcome(name, FAILED, settings.redact(f"{name}: unexpected error ({type(exc).__name__})"))
    return ProviderOutcome(name, OK, lines=written, refilled=refilled)


@locks.exclusive(locks.COLLECTION, "collection")  # one at a time across processes; callers may pass lock_wait=
def collect(
    settings: Settings,
    store: Store,
    *,
    month: date | None = None,
    providers: Sequence[str] | None = None,
    transports: Mapping[str, httpx.BaseTransport] | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    progress: Progress | None = None,
    now: datetime | None = None,
    sleep: Callable[[float], None] = real_sleep,  # Notion's pacing, the only wait collect() makes itself
) -> CollectionResult:
    """Collect ``month`` (default: the current UTC month to date, plus a refresh of the previous month)."""
    names = list(dict.fromkeys(providers)) if providers else list(NAMES)
    for name in names:
        get_provider(name)  # unknown names fail before anything is written
    today = (now or utc_now()).date()
    spans = windows(month, today)
    target = month or month_start(today)
    sample_removed = remove_sample_data(store)  # real data is coming: sample data never mixes with it
    run_id = collections.start_run(store, target)
    transports = transports or {}
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        futures = {
            name: pool.submit(_collect_one, name, settings, store, spans, today, transports.get(name), policy, progress)
            for name in names
        }
        outcomes = {name: future.result() for name, future in futures.items()}
    when = utc_now()
    for outcome in outcomes.values():
        collections.set_status(store, outcome.provider, outcome.status, outcome.error, when)
        if progress and outcome.status != NOT_CONFIGURED:
            progress(outcome.provider, outcome.status, outcome.error)
    refilled = [d for o in outcomes.values() for d in o.refilled]
    months = _months_in([*spans, *((d, d) for d in refilled)])
    for m in months:  # a closed month that changed after it was emailed or archived is marked revised
        save_month(store, monthly_report(store, m, settings.app_base_url), closed=m < month_start(today))
    archive = None
    if notion.configured(settings):  # SQL is the source of truth: a Notion failure leaves months pending, no more
        notion.mark_pending(store, months)
        archive = notion.sync(settings, store, months, transport=transports.get("notion"), sleep=sleep)
    report = monthly_report(store, target, settings.app_base_url)
    attempted = [o for o in outcomes.values() if o.status != NOT_CONFIGURED]
    status = (
        OK
        if all(o.status == OK for o in attempted)
        else (FAILED if attempted and all(o.status == FAILED for o in attempted) else "partial")
    )
    by_name = {p.provider: p for p in report.providers}
    collections.finish_run(
        store,
        run_id,
        status,
        {
            name: {
                "status": o.status,
                "error": o.error,
                "cost_usd": str(by_name[name].cost_usd) if name in by_name else None,
            }
            for name, o in outcomes.items()
        },
    )
    return CollectionResult(target, outcomes, report, run_id, months, archive, sample_removed)
