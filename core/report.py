"""The monthly provider report, assembled from the ledger (so it always agrees with the Overview). The same figures
are persisted as snapshots and summaries, mailed, and archived. ``monthly_view`` is everything the report page
shows, in one call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from core.coverage import coverage
from core.models import (
    COMPLETE,
    NO_FIGURE,
    NO_SPEND,
    NOT_AVAILABLE,
    NOT_COLLECTED,
    PARTIAL,
    MonthReport,
    ProviderMonth,
)
from core.money import ZERO, change_percent
from core.periods import last_complete_month, month_end, month_key, month_start, previous_month, utc_today
from core.providers import NAMES, get_provider
from core.providers.contract import Provider
from core.store import actors, collections, days, snapshots, spend
from core.store.db import Store
from core.store.reconciliations import load_reconciliations

MAX_MONTHS = 120  # months offered by the report's selector


def report_url(base_url: str, month: date) -> str:
    """Link to the report page for a month. It holds no token: tokens go only into emails."""
    return f"{base_url.rstrip('/')}/report?month={month_key(month)}"


def availability(
    provider: Provider, month: date, today: date, seen: set[date], span: tuple[date, date] | None, has_lines: bool
) -> tuple[str | None, tuple[date, date] | None]:
    """How much of ``month`` a provider's figure covers, and its first and last collected day when partial.

    ``seen`` holds the days collections saw (any month), ``span`` the provider's first and last seen day ever. A
    closed month is complete when every day was seen; the current month when every day up to the provider's last
    collection was (OpenRouter never has today). Nothing seen: ``NOT_AVAILABLE`` when the API serves later days
    but none of the month any more, else ``NOT_COLLECTED``; but figures that no collection saw (sample data, runs
    recorded one by one) are left unjudged (None)."""
    end = month_end(month)
    last = end if end < today else min(today, span[1] if span else today)
    got = sorted(d for d in seen if month <= d <= end)
    if got:
        every = all(month + timedelta(days=i) in seen for i in range((last - month).days + 1))
        return (COMPLETE, None) if every else (PARTIAL, (got[0], got[-1]))
    if has_lines:
        return None, None
    if span is not None and end >= today and span[1] == month - timedelta(days=1):
        return COMPLETE, None  # the month has only just begun: collected up to its eve, nothing is due yet
    served_later = provider.available(month, today, today) is not None
    gone = served_later and provider.available(month, min(end, today), today) is None
    return (NOT_AVAILABLE if gone else NOT_COLLECTED), None


def _overall(values: list[str | None]) -> str | None:
    """The availability of a month over its providers: complete when each provider's is, partial when some lack
    days, else the reason none has a figure."""
    if not values or all(v is None for v in values):
        return None
    if all(v in NO_FIGURE for v in values):
        return NOT_AVAILABLE if all(v == NOT_AVAILABLE for v in values) else NOT_COLLECTED
    return PARTIAL if any(v in (PARTIAL, *NO_FIGURE) for v in values) else COMPLETE


def monthly_report(
    store: Store, month: date, base_url: str = "http://localhost:8501", today: date | None = None
) -> MonthReport:
    """Every provider's cost, change vs the previous month, requests, top models, provenance and how much of the
    month (and of the previous one) was collected."""
    today = today or utc_today()
    first, last = month, month_end(month)
    before = previous_month(month)
    current = spend.provider_totals(store, first, last)
    previous = spend.provider_totals(store, before, month - timedelta(days=1))
    seen, spans = days.seen_between(store, before, last), days.seen_span(store)
    status = collections.statuses(store)
    summary = snapshots.get_summary(store, month)
    revised = {r.provider: r.revised_from_usd for r in snapshots.get_snapshots(store, month)}
    cov = coverage(store, first, last)
    names = actors.names(store)
    providers = []
    for name in NAMES:
        cur, prev, st = current.get(name), previous.get(name), status.get(name)
        if cur is None and prev is None and (st is None or st.status == "not_configured"):
            continue
        provider = get_provider(name)
        span = spans.get(name)
        held, covered = availability(provider, month, today, seen.get(name, set()), span, cur is not None)
        held_before, _ = availability(provider, before, today, seen.get(name, set()), span, prev is not None)
        cost = cur.cost_usd if cur else ZERO
        prev_cost = prev.cost_usd if prev else (ZERO if held_before in (COMPLETE, PARTIAL) else None)
        figure = held not in NO_FIGURE
        providers.append(
            ProviderMonth(
                provider=name,
                cost_usd=cost,
                previous_cost_usd=prev_cost,
                change_percent=change_percent(cost, prev_cost) if figure else None,
                requests=cur.count if cur else (0 if provider.has_counts and figure else None),
                cost_source=cur.cost_source if cur else None,
                collected_at=cur.collected_at if cur else None,
                breakdown=[replace(m, label=names.get(m.model)) for m in spend.breakdown(store, name, first, last)]
                if cur
                else [],
                status=st.status if st else None,
                error=st.error if st else None,
                unpriced_quantity=cov.unpriced.get(name),
                unit=cov.units.get(name),
                revised_from_usd=revised.get(name),
                count_unit=provider.counts,
                availability=held,
                covered=covered,
                previous_availability=held_before,
                collected_since=span[0] if span else None,
            )
        )
    providers.sort(key=lambda p: (not p.has_figure, -p.cost_usd, p.provider))
    total = sum((p.cost_usd for p in providers), ZERO)
    before_figures = [p.previous_cost_usd for p in providers if p.previous_cost_usd is not None]
    prev_total = sum(before_figures, ZERO) if before_figures else None
    return MonthReport(
        month,
        total,
        prev_total,
        change_percent(total, prev_total),
        providers,
        report_url(base_url, month),
        cov,
        summary.revised_at if summary else None,
        summary.revised_from_usd if summary else None,
        previous_availability=_overall([p.previous_availability for p in providers]),
        collected_since=min((s[0] for s in spans.values()), default=None),
    )


_WHOLE = (COMPLETE, None)  # availabilities a comparison needs no word about


def report_notes(
    report: MonthReport,
    t: Callable[..., str],
    month_label: Callable[[date], str] = month_key,
    day_label: Callable[[date], str] = date.isoformat,
) -> list[str]:
    """What explains the total's comparison: why there is no change to show, or that the previous month is only
    partly collected (the change then compares with part of it). Pages and the email pass their ``Formats``'
    ``month`` and ``date``; the defaults are the machine forms (``2026-09``, ``2026-09-03``)."""
    before = month_label(previous_month(report.month))
    note = report.change_note
    if note is None:
        if report.previous_availability != PARTIAL:
            return []
        lacking = [get_provider(p.provider).label for p in report.providers if p.previous_availability not in _WHOLE]
        return [t("note_previous_partial", month=before, providers=", ".join(lacking))]
    if note == NOT_COLLECTED and report.collected_since is not None:
        return [t("note_total_not_collected_since", month=before, since=day_label(report.collected_since))]
    return [t(f"note_total_{note}", month=before)]


def provider_notes(
    p: ProviderMonth,
    month: date,
    t: Callable[..., str],
    label: str,
    month_label: Callable[[date], str] = month_key,
    day_label: Callable[[date], str] = date.isoformat,
) -> list[str]:
    """What a provider's figure covers when not the whole month, and why it has no change to show."""
    notes = []
    if p.availability == NOT_AVAILABLE:
        return [t("note_not_available", provider=label, month=month_label(month))]
    if p.availability == NOT_COLLECTED:
        return [_not_collected(p, t, month_label(month), day_label)]
    if p.availability == PARTIAL and p.covered:
        notes.append(t("note_partial", first=day_label(p.covered[0]), last=day_label(p.covered[1])))
    before = month_label(previous_month(month))
    note = p.change_note
    if note == NOT_AVAILABLE:
        notes.append(t("note_previous_not_available", provider=label, month=before))
    elif note == NOT_COLLECTED:
        notes.append(_not_collected(p, t, before, day_label, previous=True))
    elif note == NO_SPEND:
        notes.append(t("note_previous_no_spend", month=before))
    elif note == PARTIAL:
        notes.append(t("note_previous_partial_no_spend", month=before))
    elif p.previous_availability == PARTIAL:
        notes.append(t("note_previous_partly", month=before))
    return notes


def _not_collected(
    p: ProviderMonth, t: Callable[..., str], month: str, day_label: Callable[[date], str], *, previous: bool = False
) -> str:
    key = "note_previous_not_collected" if previous else "note_not_collected"
    if p.collected_since is None:
        return t(f"{key}_never", month=month)
    return t(key, month=month, since=day_label(p.collected_since))


@dataclass(frozen=True)
class MonthlyView:
    """What the report page shows for a month."""

    month: date
    months: list[date]  # the selector's options, newest first
    report: MonthReport
    days: list[date]  # every day of the month up to today
    daily: dict[str, list[Decimal]]  # provider -> cost on each of ``days``
    reconciliations: dict[str, object]  # provider -> the last stored check of the month
    closed: bool  # the month is over (a reconciliation can be run)


def report_months(store: Store, today: date, wanted: date | None = None) -> list[date]:
    """Months the report offers, newest first: from the first recorded spend (or a year back) to this month,
    plus ``wanted`` when it lies outside."""
    first = month_start(spend.first_activity(store) or today - timedelta(days=365))
    months: list[date] = []
    m = month_start(today)
    while m >= first and len(months) < MAX_MONTHS:
        months.append(m)
        m = previous_month(m)
    if wanted is not None and wanted not in months:
        months = sorted({*months, wanted}, reverse=True)
    return months


def default_month(today: date) -> date:
    return last_complete_month(today)


def monthly_view(store: Store, month: date, today: date, base_url: str) -> MonthlyView:
    report = monthly_report(store, month, base_url, today)
    last = min(month_end(month), today)
    days = [month + timedelta(days=i) for i in range((last - month).days + 1)]
    by_day = spend.daily_by_provider(store, month, last)
    daily = {p.provider: [by_day.get(p.provider, {}).get(d, ZERO) for d in days] for p in report.providers}
    return MonthlyView(
        month=month,
        months=report_months(store, today, month),
        report=report,
        days=days,
        daily=daily,
        reconciliations=load_reconciliations(store, month),
        closed=month < month_start(today),
    )
