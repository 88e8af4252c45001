"""The actions: Collect now, Send report (and Send again), the reconciliation's Check now and the Apify back-fill,
with live progress. Only admins see them; each handler checks again when it runs (``core.ui.auth.authorize``) and
records who did it and how it ended (``core.audit``).

A collection tells its whole story in one status line that changes as it goes (providers, then the month's figures,
the Notion archive with its pages, alerts, email), with one line per step inside, updated in place. When it ends,
the button row says it in one line (a Details pop-over holds the rest), so nothing pushes the figures down.
Provider and configuration text (errors, addresses) is data: shown with ``st.code`` or escaped, never as Markdown.
"""

from __future__ import annotations

import queue
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

import streamlit as st

from core import audit, locks
from core.collect import collect
from core.email import send_report
from core.errors import Busy, SpendError
from core.i18n.formats import Formats
from core.limits import MAX_BACKFILL_DAYS
from core.periods import month_key
from core.progress import ARCHIVE, FAILED, OK, RUNNING, SKIPPED, Tracker
from core.providers import get_provider, registry
from core.scraper_runs import backfill
from core.store import collections
from core.store.snapshots import get_summary
from core.ui.auth import access, authorize
from core.ui.locale import fmt, when
from core.ui.services import Services, t
from core.ui.text import escape

_COLLECTED = "_spendboard_collected"
_SENT = "_spendboard_sent"
_CONFIRM = "_spendboard_send_again"
ICONS = {OK: ":green[:material/check_circle:]", FAILED: ":red[:material/error:]", RUNNING: ":material/sync:"}


@dataclass(frozen=True)
class Collected:
    run_id: int
    tracker: Tracker


@dataclass(frozen=True)
class Sent:
    month: date
    recipients: tuple[str, ...] = ()
    sent: bool = False
    sent_at: datetime | None = None  # when it had been sent already
    error: str | None = None


def render_last_collection(svc: Services, f: Formats | None = None) -> None:
    """ "Last collection: <when, in the viewer's zone> — <status>" as a caption, with the time in UTC on hover."""
    f = f or fmt()
    run = collections.last_run(svc.store)
    if run is None:
        st.caption(escape(f.t("never_collected")))
        return
    labels = {name: p.label for name, p in registry().items()}
    failed = [labels.get(name, name) for name, p in (run.providers or {}).items() if p.get("status") == FAILED]
    state = run.status
    if state == "running" and locks.holder(svc.store, locks.COLLECTION) is None:
        state = collections.INTERRUPTED  # its process was killed: no collection holds the lock
    status = f.t(f"status_{state}") + (f" ({f.list(failed)})" if failed else "")
    local, utc = when(run.started_at, f)
    st.caption(escape(f.t("last_collection", when=local, status=status)), help=escape(utc))


def _line(status: str, text: str, error: str | None) -> None:
    """One step: icon and our own words as Markdown (escaped all the same), the provider's words as code."""
    st.markdown(f"{ICONS.get(status, ':material/remove:')} {escape(text)}")
    if error:
        st.code(error, language=None, wrap_lines=True)


def _run_collection(svc: Services, month: date | None) -> None:
    """Collect in a worker thread, showing each step as it goes. One collection at a time across every app instance,
    session and cron job (``collect`` holds the database lock): a click while one runs says whose it is."""
    person = authorize(svc.settings, t, "collect")
    if person is None:
        return
    f = fmt()
    tracker = Tracker({name: p.label for name, p in registry().items()})
    events: queue.Queue = queue.Queue()
    entry = audit.recorded(svc.store, person, "collect", month=month_key(month) if month else None)
    with entry as record, st.status(tracker.headline(f), expanded=False) as status, ThreadPoolExecutor(1) as pool:
        # Steps report from worker threads; only this script thread may draw, so events go through a queue.
        future = pool.submit(collect, svc.settings, svc.store, month=month, progress=lambda *event: events.put(event))
        rows: dict[str, object] = {}
        while not (future.done() and events.empty()):
            try:
                name, state, detail = events.get(timeout=0.2)
            except queue.Empty:
                continue
            tracker(name, state, svc.settings.redact(detail) if detail else detail)
            status.update(label=tracker.headline(f))
            if name not in rows:
                rows[name] = st.empty()
            with rows[name].container():
                _line(*tracker.row(name, f))
        tracker.finish()
        try:
            result = future.result()
        except Busy as exc:  # another collection (another person, instance or cron) holds the lock
            record.outcome = audit.FAILED
            status.update(label=f.t("collect_busy"), state="error", expanded=True)
            st.code(svc.settings.redact(f.error(exc)), language=None, wrap_lines=True)
            return
        except SpendError as exc:
            record.outcome = audit.FAILED
            status.update(label=f.t("collect_error"), state="error", expanded=True)
            st.code(svc.settings.redact(f.error(exc)), language=None, wrap_lines=True)
            return
        tried = [o for o in result.outcomes.values() if o.status != "not_configured"]
        if result.failed:
            record.outcome = audit.FAILED if len(result.failed) == len(tried) else audit.PARTIAL
        archive = result.archive
        if archive is not None and not archive.skipped and ARCHIVE not in tracker.phases:
            tracker(ARCHIVE, FAILED if archive.error else OK, archive.error)  # collect said nothing: its result
        status.update(label=tracker.summary(f), state="error" if tracker.failed else "complete", expanded=False)
    st.session_state[_COLLECTED] = Collected(result.run_id, tracker)
    st.rerun()  # redraw every figure from the new data


def _show_collected(svc: Services, f: Formats) -> bool:
    """The last collection of this session in one line (details in a pop-over); False when there is none to show."""
    done: Collected | None = st.session_state.get(_COLLECTED)
    run = collections.last_run(svc.store) if done else None
    if done is None or run is None or run.id != done.run_id:
        return False  # another collection ran since (another person, cron): the caption tells its status
    failed = bool(done.tracker.failed)
    icon = ":material/error:" if failed else ":material/check_circle:"
    # The summary is the pop-over's own label: one element in the row, the details a click away.
    with st.popover(escape(done.tracker.summary(f)), icon=icon, type="tertiary", help=f.t("details"), wrap=True):
        for status, text, error in done.tracker.details(f):
            _line(status, text, error if status != SKIPPED else None)
    return True


def _send(svc: Services, month: date, *, force: bool = False) -> None:
    st.session_state.pop(_CONFIRM, None)
    person = authorize(svc.settings, t, "send")
    if person is None:
        return
    try:
        with audit.recorded(svc.store, person, "send", month=month_key(month), again=force):
            result = send_report(svc.settings, svc.store, month, force=force)
    except SpendError as exc:
        st.session_state[_SENT] = Sent(month, error=svc.settings.redact(fmt().error(exc)))
    else:
        sent_at = None
        if not result.sent:
            summary = get_summary(svc.store, month)
            sent_at = getattr(summary, "email_sent_at", None)
        st.session_state[_SENT] = Sent(month, tuple(result.recipients), result.sent, sent_at)
    st.rerun()


def _show_sent(svc: Services, f: Formats, month: date) -> bool:
    """What the last Send did for this month, in the button row; a Send-again needs a confirmation."""
    done: Sent | None = st.session_state.get(_SENT)
    if done is None or done.month != month:
        return False
    names = {"month": f.month(month), "of_month": f.of_month(month), "to": f.list(done.recipients)}
    if done.error:
        st.markdown(f"{ICONS[FAILED]} {escape(f.t('send_failed'))}", width="content")
        with st.popover(f.t("details"), icon=":material/list:"):
            st.code(done.error, language=None, wrap_lines=True)
    elif done.sent:
        st.markdown(f"{ICONS[OK]} {escape(f.t('send_sent', **names))}", width="content")
    elif st.session_state.get(_CONFIRM):
        st.markdown(escape(f.t("send_again_confirm", **names)), width="content")
        if st.button(f.t("send_again_yes"), key="send_again_yes", type="primary"):
            _send(svc, month, force=True)
        if st.button(f.t("cancel"), key="send_again_cancel"):
            st.session_state.pop(_CONFIRM, None)
            st.rerun()
    else:
        when = f.datetime(done.sent_at) if done.sent_at else "—"
        st.markdown(escape(f.t("send_already", when=when, **names)), width="content")
        if st.button(f.t("send_again"), key="send_again"):
            st.session_state[_CONFIRM] = True
            st.rerun()
    return True


def render_actions(svc: Services, *, collect_month: date | None, send_month: date, collect_first: bool = False) -> None:
    """Buttons for an admin (never for a viewer, nor for someone who only holds a report link). ``collect_first``:
    Collect now is the page's main action (keys are set and nothing was collected yet)."""
    f = fmt()
    if not access(svc.settings).admin:
        render_last_collection(svc, f)
        return
    email_ready = bool(svc.settings.resend_api_key and svc.settings.report_email_from and svc.settings.report_email_to)
    with st.container(horizontal=True, vertical_alignment="center"):
        collect_clicked = st.button(
            f.t("collect_now"),
            key="collect_now",
            icon=":material/sync:",
            type="primary" if collect_first else "secondary",
            disabled=locks.holder(svc.store, locks.COLLECTION) is not None,
            help=f.t("collect_help_month", month=f.month(collect_month)) if collect_month else f.t("collect_help"),
        )
        send_clicked = st.button(
            f.t("send_email", month=f.month(send_month), of_month=f.of_month(send_month)),
            key="send_email",
            icon=":material/mail:",
            disabled=not email_ready,
            help=None if email_ready else f.t("email_not_configured"),
        )
        shown = _show_sent(svc, f, send_month)
        if not shown and not _show_collected(svc, f):
            render_last_collection(svc, f)
    if collect_clicked:
        st.session_state.pop(_SENT, None)
        _run_collection(svc, collect_month)
    if send_clicked:
        _send(svc, send_month)


def render_reconcile(svc: Services, month: date) -> None:
    """ "Not yet checked" with a Check-now button that asks each provider for its own total of ``month``."""
    from core.reconcile import reconcile
    from core.store.reconciliations import save_reconciliations

    f = fmt()
    admin = access(svc.settings).admin
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(f.t("recon_none"))
        clicked = admin and st.button(
            f.t("recon_check"),
            key="recon_check",
            icon=":material/fact_check:",
            help=f.t("recon_check_help", month=f.month(month), of_month=f.of_month(month)),
        )
    if clicked:
        person = authorize(svc.settings, t, "reconcile")
        if person is None:
            return
        try:
            with st.spinner(f.t("recon_check")), audit.recorded(svc.store, person, "reconcile", month=month_key(month)):
                save_reconciliations(svc.store, reconcile(svc.settings, svc.store, month))
        except SpendError as exc:
            st.markdown(f"{ICONS[FAILED]} {escape(f.t('recon_failed_run'))}")
            st.code(svc.settings.redact(f.error(exc)), language=None, wrap_lines=True)
            return
        st.rerun()


def render_backfill(svc: Services) -> None:
    """The Apify back-fill form (admins only)."""
    if not access(svc.settings).admin:
        return
    f = fmt()
    apify = get_provider("apify")
    st.subheader(f.t("backfill_title"))
    if not apify.configured(svc.settings):
        st.caption(f.t("backfill_need_token"))
    with st.form("backfill"):
        days = st.number_input(f.t("backfill_days"), min_value=1, max_value=MAX_BACKFILL_DAYS, value=90, step=1)
        reset = st.checkbox(f.t("backfill_reset"))
        submitted = st.form_submit_button(f.t("backfill_button"), disabled=not apify.configured(svc.settings))
    if submitted:
        _backfill(svc, f, int(days), reset)


def _backfill(svc: Services, f: Formats, days: int, reset: bool) -> None:
    person = authorize(svc.settings, t, "backfill")
    if person is None:
        return
    bar = st.progress(0.0, text=f.t("backfill_progress", done=0, total="?"))

    def progress(done: int, total: int) -> None:
        text = f.t("backfill_progress", done=f.number(done), total=f.number(total))
        bar.progress(min(done / total, 1.0) if total else 1.0, text=text)

    try:
        with audit.recorded(svc.store, person, "backfill", days=days, reset=reset):
            result = backfill(svc.settings, svc.store, days=days, reset=reset, progress=progress)
    except SpendError as exc:
        st.markdown(f"{ICONS[FAILED]} {escape(f.t('backfill_failed_short'))}")
        st.code(svc.settings.redact(f.error(exc)), language=None, wrap_lines=True)
        return
    bar.progress(1.0)
    st.success(
        escape(
            f.t(
                "backfill_done",
                fetched=f.number(result.fetched),
                cost=f.money(result.total_cost_usd),
                days=result.days,
                deleted=f.number(result.deleted),
            )
        )
    )
