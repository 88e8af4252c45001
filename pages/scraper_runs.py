"""Scraper runs: a filterable table with totals, and the back-fill from Apify."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from core.errors import SpendError
from core.limits import MAX_BACKFILL_DAYS
from core.money import format_usd
from core.periods import utc_today
from core.providers import apify
from core.scraper_runs import backfill
from core.store.runs import list_runs
from core.ui import cached
from core.ui.auth import require
from core.ui.services import remembered, services, t

svc = services()
require(svc.settings, t)
today = utc_today()
st.title(t("runs_title"))

c1, c2, c3, c4, c5 = st.columns([1, 1, 2, 1, 1])
remembered("runs_from", today - timedelta(days=29))
remembered("runs_to", today)
with c1:
    first = st.date_input(t("filter_from"), key="runs_from", max_value=today, on_change=remembered("runs_from", None))
with c2:
    last = st.date_input(t("filter_to"), key="runs_to", on_change=remembered("runs_to", None))
with c3:
    scraper_id = st.text_input(t("filter_scraper"), key="runs_scraper", max_chars=128).strip() or None
with c4:
    sources = {None: t("any"), "app": "app", "import": "import", "demo": "demo"}
    source = st.selectbox(t("filter_source"), list(sources), key="runs_source", format_func=sources.get)
with c5:
    limit = st.selectbox(t("page_size"), [100, 500, 1000], key="runs_limit")

page = list_runs(svc.store, first=first, last=last, scraper_id=scraper_id, source=source, limit=limit)
st.caption(t("runs_totals", count=page.total_runs, cost=format_usd(page.total_cost_usd)))
if page.items:
    table = pd.DataFrame(
        {
            t("col_started"): [f"{r.created_at:%Y-%m-%d %H:%M:%S}" for r in page.items],
            t("col_run"): [r.run_id for r in page.items],
            t("col_scraper"): [r.scraper_id for r in page.items],
            t("col_status"): [r.status for r in page.items],
            t("col_cost"): [None if r.cost_usd is None else f"{r.cost_usd:.6f}" for r in page.items],
            t("col_items"): [r.item_count for r in page.items],
            t("col_source"): [r.source for r in page.items],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
else:
    st.info(t("no_runs"))

st.subheader(t("backfill_title"))
if not apify.configured(svc.settings):
    st.caption(t("backfill_need_token"))
with st.form("backfill"):
    days = st.number_input(t("backfill_days"), min_value=1, max_value=MAX_BACKFILL_DAYS, value=90, step=1)
    reset = st.checkbox(t("backfill_reset"))
    submitted = st.form_submit_button(t("backfill_button"), disabled=not apify.configured(svc.settings))
if submitted:
    bar = st.progress(0.0, text=t("backfill_progress", done=0, total="?"))

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=t("backfill_progress", done=done, total=total))

    try:
        result = backfill(svc.settings, svc.store, days=int(days), reset=reset, progress=progress)
    except SpendError as exc:
        st.error(t("backfill_failed", error=svc.settings.redact(str(exc))))
    else:
        cached.clear()
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
