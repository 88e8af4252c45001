"""Scraper runs: a filterable table with totals, and the back-fill from Apify."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from core.money import format_usd
from core.periods import utc_today
from core.store.actors import names as actor_names
from core.store.runs import list_runs
from core.ui.actions import render_backfill
from core.ui.auth import require
from core.ui.people import whose_runs
from core.ui.services import remembered, services, t

svc = services()
allowed = require(svc.settings, t)
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

owners = whose_runs(svc, t, allowed)  # the viewer's own runs by default
names = actor_names(svc.store)
page = list_runs(svc.store, first=first, last=last, scraper_id=scraper_id, source=source, user_ids=owners, limit=limit)
st.caption(t("runs_totals", count=page.total_runs, cost=format_usd(page.total_cost_usd)))
if page.items:
    table = pd.DataFrame(
        {
            t("col_started"): [f"{r.created_at:%Y-%m-%d %H:%M:%S}" for r in page.items],
            t("col_run"): [r.run_id for r in page.items],
            t("col_scraper"): [names.get(r.scraper_id, r.scraper_id) for r in page.items],
            t("col_status"): [r.status for r in page.items],
            t("col_cost"): [None if r.cost_usd is None else f"{r.cost_usd:.6f}" for r in page.items],
            t("col_items"): [r.item_count for r in page.items],
            t("col_source"): [r.source for r in page.items],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
else:
    st.info(t("no_runs"))

render_backfill(svc)  # admins only
