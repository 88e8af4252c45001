"""The actions: Collect now, Send report, the Apify back-fill, with live progress and the last collection's status.

Only admins see them, and each handler checks again when it runs (``core.ui.auth.authorize``) and records who did
it (``core.audit``)."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import streamlit as st

from core import audit
from core.collect import FAILED, NOT_CONFIGURED, OK, collect
from core.email import send_report
from core.errors import SpendError
from core.limits import MAX_BACKFILL_DAYS
from core.money import format_usd
from core.periods import month_key
from core.providers import apify
from core.providers import label as provider_label
from core.scraper_runs import backfill
from core.store import collections
from core.ui.auth import access, authorize
from core.ui.services import Services, t

_RESULT = "_spendboard_action_result"


@st.cache_resource(show_spinner=False)
def _collection_lock() -> threading.Lock:
    """One collection at a time per app process, whichever session clicks."""
    return threading.Lock()


def last_collection_caption(svc: Services) -> str:
    run = collections.last_run(svc.store)
    if run is None:
        return t("never_collected")
    failed = [name for name, p in (run.providers or {}).items() if p.get("status") == FAILED]
    status = t(f"status_{run.status}") + (f" ({', '.join(failed)})" if failed else "")
    return t("last_collection", when=f"{run.started_at:%Y-%m-%d %H:%M} UTC", status=status)


def _run_collection(svc: Services, month: date | None) -> None:
    person = authorize(svc.settings, t, "collect")
    if person is None:
        return
    lock = _collection_lock()
    if not lock.acquire(blocking=False):
        st.warning(t("collect_busy"))
        return
    events: queue.Queue = queue.Queue()
    try:
        label = t("collecting", month=month_key(month) if month else t("this_and_last_month"))
        entry = audit.recorded(svc.store, person, "collect", month=month_key(month) if month else None)
        with entry as record, st.status(label, expanded=True) as status, ThreadPoolExecutor(1) as pool:
            # Providers report from worker threads; only this script thread may draw, so events go through a queue.
            future = pool.submit(
                collect,
                svc.settings,
                svc.store,
                month=month,
                progress=lambda name, state, detail: events.put((name, state, detail)),
            )
            while not (future.done() and events.empty()):
                try:
                    name, state, detail = events.get(timeout=0.2)
                except queue.Empty:
                    continue
                label_ = provider_label(name)
                if state == "running":
                    st.write(t("provider_running", provider=label_))
                elif state == OK:
                    st.write(f":green[✓] {label_}")
                else:
                    st.write(f":red[✗] {label_}: {detail}")
            try:
                result = future.result()
            except SpendError as exc:
                record.outcome = audit.FAILED
                status.update(label=t("collect_failed", error=svc.settings.redact(str(exc))), state="error")
                return
            bad = result.failed
            tried = [o for o in result.outcomes.values() if o.status != NOT_CONFIGURED]
            if bad:
                record.outcome = audit.FAILED if len(bad) == len(tried) else audit.PARTIAL
            status.update(
                label=t("collect_done_failed", names=", ".join(bad)) if bad else t("collect_done"),
                state="error" if bad else "complete",
                expanded=bool(bad),
            )
        st.session_state[_RESULT] = (
            "collect",
            {name: (o.status, o.error) for name, o in result.outcomes.items() if o.status != NOT_CONFIGURED},
        )
    finally:
        lock.release()
    st.rerun()  # redraw every figure from the new data


def _send(svc: Services, month: date) -> None:
    person = authorize(svc.settings, t, "send")
    if person is None:
        return
    try:
        with audit.recorded(svc.store, person, "send", month=month_key(month)):
            result = send_report(svc.settings, svc.store, month)
    except SpendError as exc:
        st.error(t("send_failed", error=svc.settings.redact(str(exc))))
        return
    st.session_state[_RESULT] = ("send", (result.sent, result.message, result.recipients))
    st.rerun()


def _show_last_result() -> None:
    kind, data = st.session_state.pop(_RESULT, (None, None))
    if kind == "collect":
        if not data:
            st.info(t("none_configured"))
        for name, (status, error) in data.items():
            if status == OK:
                st.success(t("provider_ok", provider=provider_label(name)), icon=":material/check:")
            else:
                st.error(f"{provider_label(name)}: {error}", icon=":material/error:")
    elif kind == "send":
        sent, message, recipients = data
        (st.success if sent else st.info)(t("send_result", message=message, to=", ".join(recipients)))


def render_actions(svc: Services, *, collect_month: date | None, send_month: date) -> None:
    """Buttons for an admin (never for a viewer, nor for someone who only holds a report link)."""
    if not access(svc.settings).admin:
        st.caption(last_collection_caption(svc))
        return
    email_ready = bool(svc.settings.resend_api_key and svc.settings.report_email_from and svc.settings.report_email_to)
    with st.container(horizontal=True, vertical_alignment="center"):
        collect_clicked = st.button(
            t("collect_now"), key="collect_now", icon=":material/sync:", disabled=_collection_lock().locked()
        )
        send_clicked = st.button(
            t("send_email", month=month_key(send_month)),
            key="send_email",
            icon=":material/mail:",
            disabled=not email_ready,
            help=None if email_ready else t("email_not_configured"),
        )
        st.caption(last_collection_caption(svc))
    _show_last_result()
    if collect_clicked:
        _run_collection(svc, collect_month)
    if send_clicked:
        _send(svc, send_month)


def render_backfill(svc: Services) -> None:
    """The Apify back-fill form (admins only)."""
    if not access(svc.settings).admin:
        return
    st.subheader(t("backfill_title"))
    if not apify.configured(svc.settings):
        st.caption(t("backfill_need_token"))
    with st.form("backfill"):
        days = st.number_input(t("backfill_days"), min_value=1, max_value=MAX_BACKFILL_DAYS, value=90, step=1)
        reset = st.checkbox(t("backfill_reset"))
        submitted = st.form_submit_button(t("backfill_button"), disabled=not apify.configured(svc.settings))
    if submitted:
        _backfill(svc, int(days), reset)


def _backfill(svc: Services, days: int, reset: bool) -> None:
    person = authorize(svc.settings, t, "backfill")
    if person is None:
        return
    bar = st.progress(0.0, text=t("backfill_progress", done=0, total="?"))

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=t("backfill_progress", done=done, total=total))

    try:
        with audit.recorded(svc.store, person, "backfill", days=days, reset=reset):
            result = backfill(svc.settings, svc.store, days=days, reset=reset, progress=progress)
    except SpendError as exc:
        st.error(t("backfill_failed", error=svc.settings.redact(str(exc))))
        return
    bar.progress(1.0)
    st.success(
        t(
            "backfill_done",
            fetched=result.fetched,
            cost=format_usd(result.total_cost_usd),
            days=result.days,
            deleted=result.deleted,
        )
    )
