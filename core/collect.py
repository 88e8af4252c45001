"""Collection: every configured provider, concurrently, into SQL; then the months' snapshots and summaries.

A provider's data is written only after all of its pages arrived, in one transaction, so a provider that fails
(auth, outage, malformed payload) leaves what was stored exactly as it was and never stops the others.

What is fetched: the month asked for, or by default this month to date and the previous month; a provider's first
collection (nothing ever collected for it, e.g. a key added later) reaches ``HISTORY_MONTHS`` complete months back,
and ``since`` fetches from that month to today for every provider. Every collection also re-fetches the trailing
days and any day that went missing. Each provider asks only for the days its API can still serve, month by month,
and reports each month through ``progress``.
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
from core.progress import ALERTS, ARCHIVE, MONTH, MONTH_NOT_AVAILABLE, RUNNING, SKIPPED, SNAPSHOTS, STEP, step_detail
from core.progress import FAILED as FAILED_STEP
from core.providers import NAMES, get_provider
from core.providers.contract import Fetched, Provider
from core.report import monthly_report
from core.revisions import save_month
from core.store import actors, collections, days, ledger, runs
from core.store.db import Store, describe_error

log = logging.getLogger(__name__)
NAMES_KEPT = timedelta(days=7)  # a stored Actor or task name is asked again after this (a rename shows)
TRAILING_DAYS = 3  # providers restate recent days: every collection re-fetches at least these
HISTORY_MONTHS = 3  # complete months a provider's first collection fetches before the current one

OK, FAILED, NOT_CONFIGURED = "ok", "failed", "not_configured"
# Per-month progress (core.progress.MONTH / MONTH_NOT_AVAILABLE) comes from the provider's worker thread, in date
# order, once per month its windows touch.
Progress = Callable[[str, str, str | None], None]  # (provider, status, detail)
Window = tuple[date, date]  # inclusive UTC days
Plan = list[tuple[date, list[Window]]]  # each month with the windows of it a provider can serve


@dataclass(frozen=True)
class ProviderOutcome:
    provider: str
    status: str
    error: str | None = None
    lines: int = 0
    refilled: tuple[date, ...] = ()  # days fetched again because they went missing or never arrived
    months: tuple[date, ...] = ()  # every month its windows touched (served or not)


@dataclass(frozen=True)
class AlertsOutcome:
    result: object | None  # core.alerts.CheckResult, None when the check itself failed
    error: str | None = None


@dataclass(frozen=True)
class CollectionResult:
    month: date
    outcomes: dict[str, ProviderOutcome]
    report: MonthReport
    run_id: int
    months: list[date] = field(default_factory=list)
    archive: notion.SyncResult | None = None  # the Notion archive's outcome (None when Notion is off)
    sample_removed: bool = False  # sample data was removed before the first real collection
    alerts: AlertsOutcome | None = None  # the alert check on the fresh figures

    @property
    def failed(self) -> list[str]:
        return [name for name, o in self.outcomes.items() if o.status == FAILED]


def windows(month: date | None, today: date, since: date | None = None) -> list[Window]:
    """The inclusive day windows to fetch: the month (default: this month to date plus the previous month), or
    everything from ``since``, and the trailing days, merged where they touch."""
    if month is not None and since is not None:
        raise InputError("ask for one month or for everything since a month, not both")
    if month is None and since is None:
        spans = [(previous_month(today), today)]
    else:
        start = month_start(month or since)
        if start > month_start(today):
            raise InputError(f"month {month_key(start)} has not started yet (today is {today} UTC)")
        spans = [(start, min(month_end(start), today) if month else today)]
    spans.append((today - timedelta(days=TRAILING_DAYS - 1), today))
    return _merged(spans)


def history_start(today: date, months: int = HISTORY_MONTHS) -> date:
    """The first day a provider's first collection fetches: ``months`` complete months before this one."""
    start = month_start(today)
    for _ in range(months):
        start = previous_month(start)
    return start


def _merged(spans: Sequence[Window]) -> list[Window]:
    spans = sorted(spans)
    merged = [spans[0]]
    for first, last in spans[1:]:
        if first <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


def _months_in(spans: Sequence[Window]) -> list[date]:
    months: set[date] = set()
    for first, last in spans:
        m = month_start(first)
        while m <= last:
            months.add(m)
            m = month_end(m) + timedelta(days=1)
    return sorted(months)


def _plan(
    provider: Provider, store: Store, spans: list[Window], first_time: bool, today: date
) -> tuple[Plan, tuple[date, ...]]:
    """The windows of one provider, month by month: ``[(month, [(first, last), ...])]`` holding only the days its
    API can serve today (no window: the month is not available), and the days refilled.

    A provider never collected before gets its history (when ``first_time``); every provider gets the shared
    windows and the days it is missing (stored rows lost, or never collected)."""
    if first_time and not days.ever_collected(store, provider.name):
        spans = _merged([*spans, (history_start(today), today)])
    covered = {first + timedelta(days=i) for first, last in spans for i in range((last - first).days + 1)}
    gaps = [
        d
        for d in days.find_gaps(store, provider.name, today)
        if d not in covered and provider.available(d, d, today) is not None
    ]
    spans = _merged([*spans, *days.as_windows(gaps)])
    plan = []
    for m in _months_in(spans):
        parts = [
            (max(first, m), min(last, month_end(m))) for first, last in spans if first <= month_end(m) and last >= m
        ]
        served = [w for w in (provider.available(a, b, today) for a, b in parts) if w is not None]
        plan.append((m, served))
    return plan, tuple(gaps)


def _fetch(
    provider: Provider,
    settings: Settings,
    store: Store,
    plan: Plan,
    transport,
    policy: RetryPolicy,
    progress: Progress | None,
) -> tuple[list[tuple[Window, Fetched]], dict[str, str]]:
    """Everything one provider has for its windows, ``[((first, last), Fetched)]``, and the names of what its runs
    came from that were not looked up lately, or an exception; each month reported as it arrives. Nothing is
    written here."""
    got = []
    with provider.client(settings, transport) as http:
        for i, (month, served) in enumerate(plan, 1):
            for first, last in served:
                got.append(((first, last), provider.fetch(http, first, last, settings, policy)))
            if progress:
                progress(provider.name, MONTH if served else MONTH_NOT_AVAILABLE, f"{month_key(month)} {i}/{len(plan)}")
        labels = {}
        if provider.names is not None:
            runs_seen = [run for _, fetched in got for run in fetched.runs or ()]
            labels = provider.names(http, runs_seen, actors.fresh(store, NAMES_KEPT), policy)
    return got, labels


def _write(store: Store, provider: Provider, fetched: list[tuple[Window, Fetched]], labels: dict[str, str]) -> int:
    """Write every window of one provider in one transaction (its runs, ledger lines, rollup, day record, names)."""
    with store.write() as conn:
        written = 0
        if labels:
            actors.remember(conn, labels)
        for (first, last), got in fetched:
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


def _collect_one(name, settings, store, spans, first_time, today, transport, policy, progress) -> ProviderOutcome:
    provider = get_provider(name)
    if not provider.configured(settings):
        return ProviderOutcome(name, NOT_CONFIGURED)
    if progress:
        progress(name, "running", None)
    try:
        plan, refilled = _plan(provider, store, spans, first_time, today)
        fetched, labels = _fetch(provider, settings, store, plan, transport, policy, progress)
        written = _write(store, provider, fetched, labels)
    except SpendError as exc:
        outcome = ProviderOutcome(name, FAILED, settings.redact(str(exc)))
    except SQLAlchemyError as exc:  # the database failed, not the adapter: one line, no traceback
        outcome = ProviderOutcome(name, FAILED, settings.redact(f"{name}: {describe_error(exc)}"))
    except Exception as exc:  # a bug in one adapter must not stop the others; it is logged in full
        log.exception("collecting %s failed unexpectedly", name)
        outcome = ProviderOutcome(name, FAILED, settings.redact(f"{name}: unexpected error ({type(exc).__name__})"))
    else:
        outcome = ProviderOutcome(name, OK, lines=written, refilled=refilled, months=tuple(m for m, _ in plan))
    if progress:  # as soon as this provider is done, not when the slowest one is
        progress(name, outcome.status, outcome.error)
    return outcome


@locks.exclusive(locks.COLLECTION, "collection")  # one at a time across processes; callers may pass lock_wait=
def collect(
    settings: Settings,
    store: Store,
    *,
    month: date | None = None,
    since: date | None = None,
    providers: Sequence[str] | None = None,
    transports: Mapping[str, httpx.BaseTransport] | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    progress: Progress | None = None,
    now: datetime | None = None,
    sleep: Callable[[float], None] = real_sleep,  # Notion's pacing, the only wait collect() makes itself
    email_client: object | None = None,  # a resend.HTTPClient for the alert emails (tests, demos)
) -> CollectionResult:
    """Collect ``month`` (default: the current UTC month to date, plus a refresh of the previous month, and the
    history of any provider never collected before), or every month from ``since`` to today."""
    names = list(dict.fromkeys(providers)) if providers else list(NAMES)
    for name in names:
        get_provider(name)  # unknown names fail before anything is written
    today = (now or utc_now()).date()
    spans = windows(month, today, since)
    first_time = month is None and since is None  # a default collection gives new providers their history
    target = month or month_start(today)
    if not any(get_provider(name).configured(settings) for name in names):
        return _nothing_configured(settings, store, names, target, today)
    sample_removed = remove_sample_data(store)  # real data is coming: sample data never mixes with it
    run_id = collections.start_run(store, target)
    transports = transports or {}
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        futures = {
            name: pool.submit(
                _collect_one, name, settings, store, spans, first_time, today, transports.get(name), policy, progress
            )
            for name in names
        }
        outcomes = {name: future.result() for name, future in futures.items()}
    when = utc_now()
    for outcome in outcomes.values():
        collections.set_status(store, outcome.provider, outcome.status, outcome.error, when)
    step = progress or (lambda *_: None)
    months = sorted({*_months_in(spans), *(m for o in outcomes.values() for m in o.months)})
    step(SNAPSHOTS, RUNNING, None)
    for m in months:  # a closed month that changed after it was emailed or archived is marked revised
        save_month(store, monthly_report(store, m, settings.app_base_url, today), closed=m < month_start(today))
    step(SNAPSHOTS, OK, None)
    archive = None
    if notion.configured(settings):  # SQL is the source of truth: a Notion failure leaves months pending, no more
        step(ARCHIVE, RUNNING, None)
        notion.mark_pending(store, months)
        pages = [0]  # written so far

        def page_written(n: int) -> None:
            pages[0] = n
            step(ARCHIVE, STEP, step_detail(n))

        archive = notion.sync(
            settings, store, months, transport=transports.get("notion"), sleep=sleep, on_page=page_written
        )
        if archive.skipped:
            step(ARCHIVE, SKIPPED, archive.skipped)
        elif archive.error:
            step(ARCHIVE, FAILED_STEP, archive.error)
        else:
            step(ARCHIVE, OK, step_detail(pages[0]))
    alerts = _alerts(settings, store, today, transports, policy, email_client, step)
    report = monthly_report(store, target, settings.app_base_url, today)
    attempted = [o for o in outcomes.values() if o.status != NOT_CONFIGURED]
    if not attempted:
        status = NOT_CONFIGURED  # nothing was collected: never "ok"
    elif all(o.status == OK for o in attempted):
        status = OK
    else:
        status = FAILED if all(o.status == FAILED for o in attempted) else "partial"
    by_name = {p.provider: p for p in report.providers}
    collections.finish_run(
        store,
        run_id,
        status,
        {
            name: {
                "status": o.status,
                "error": o.error,
                "cost_usd": str(by_name[name].cost_usd) if name in by_name and by_name[name].has_figure else None,
            }
            for name, o in outcomes.items()
        },
    )
    return CollectionResult(target, outcomes, report, run_id, months, archive, sample_removed, alerts)


def _nothing_configured(settings: Settings, store: Store, names: list[str], target: date, today: date):
    """No selected provider has a key: recorded as such (never "ok"), and nothing else is touched — no sample data
    removed, no month snapshot, archive or alert made from figures that no collection produced."""
    run_id = collections.start_run(store, target)
    outcomes = {name: ProviderOutcome(name, NOT_CONFIGURED) for name in names}
    when = utc_now()
    for name in names:
        collections.set_status(store, name, NOT_CONFIGURED, None, when)
    statuses = {name: {"status": NOT_CONFIGURED, "error": None, "cost_usd": None} for name in names}
    collections.finish_run(store, run_id, NOT_CONFIGURED, statuses)
    return CollectionResult(target, outcomes, monthly_report(store, target, settings.app_base_url, today), run_id)


def _alerts(settings, store, today, transports, policy, email_client, step):
    """Budget and anomaly alerts on the fresh figures (each sent once; a failed send is retried next time)."""
    from core.alerts import check

    step(ALERTS, RUNNING, None)
    try:
        result = check(
            settings,
            store,
            today,
            email_client=email_client,
            webhook_transport=transports.get("webhook"),
            policy=policy,
        )
    except SpendError as exc:
        step(ALERTS, FAILED_STEP, settings.redact(str(exc)))
        return AlertsOutcome(None, settings.redact(str(exc)))
    failed = [o for o in result.failed]
    if failed:
        step(ALERTS, FAILED_STEP, settings.redact(f"{failed[0].key}: {failed[0].error}"))
    else:
        step(ALERTS, OK, step_detail(len(result.delivered)))
    return AlertsOutcome(result, None)
