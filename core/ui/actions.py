"""The Collect-now and Send-report buttons, with live progress and the last collection's status."""

from __future__ import annotations

import queue
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import streamlit as st

from core import locks
from core.collect import FAILED, NOT_CONFIGURED, OK, collect
from core.email import send_report
from core.errors import Busy, SpendError
from core.periods import month_key
from core.providers import label as provider_label
from core.store import collections
from core.ui import cached
from core.ui.services import Services, t

_RESULT = "_spendboard_action_result"


def last_collection_caption(svc: Services) -> str:
    run = collections.last_run(svc.store)
    if run is None:
        return t("never_collected")
    failed = [name for name, p in (run.providers or {}).items() if p.get("status") == FAILED]
    state = run.status
    if state == "running" and locks.holder(svc.store, locks.COLLECTION) is None:
        state = collections.INTERRUPTED  # its process was killed: no collection holds the lock
    status = t(f"status_{state}") + (f" ({', '.join(failed)})" if failed else "")
    return t("last_collection", when=f"{run.started_at:%Y-%m-%d %H:%M} UTC", status=status)


def _run_collection(svc: Services, month: date | None) -> None:
    """Collect in a worker thread, showing each provider as it ends. One collection at a time across every app
    instance, session and cron job (``collect`` holds the database lock): a click while one runs says whose it is."""
    events: queue.Queue = queue.Queue()
    try:
        label = t("collecting", month=month_key(month) if month else t("this_and_last_month"))
        with st.status(label, expanded=True) as status, ThreadPoolExecutor(1) as pool:
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
            except Busy as exc:
                status.update(label=t("collect_busy"), state="error")
                st.warning(svc.settings.redact(str(exc)))
                return
            except SpendError as exc:
                status.update(label=t("collect_failed", error=svc.settings.redact(str(exc))), state="error")
                return
            bad = result.failed
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
        cached.clear()
    st.rerun()  # redraw every figure from the new data


def _send(svc: Services, month: date) -> None:
    try:
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
    """Buttons for a full session (never for someone who only holds a report token)."""
    email_ready = bool(svc.settings.resend_api_key and svc.settings.report_email_from and svc.settings.report_email_to)
    with st.container(horizontal=True, vertical_alignment="center"):
        collect_clicked = st.button(
            t("collect_now"),
            key="collect_now",
            icon=":material/sync:",
            disabled=locks.holder(svc.store, locks.COLLECTION) is not None,
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
