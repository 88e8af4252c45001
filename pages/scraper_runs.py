"""Scraper runs: a filterable table with totals, its CSV, and the back-fill from Apify."""

from datetime import timedelta

import streamlit as st

from core.export import runs_csv
from core.limits import MAX_RUNS_LIMIT
from core.periods import utc_today
from core.store.actors import names as actor_names
from core.store.runs import list_runs
from core.ui.actions import render_backfill
from core.ui.auth import require
from core.ui.downloads import csv_button
from core.ui.locale import fmt
from core.ui.people import whose_runs
from core.ui.services import remembered, services, t
from core.ui.tables import run_source, runs_table
from core.ui.text import escape

svc = services()
allowed = require(svc.settings, t)
f = fmt()
today = utc_today()
st.title(t("runs_title"))

c1, c2, c3, c4, c5 = st.columns([1, 1, 2, 1, 1])
remembered("runs_from", today - timedelta(days=29))
remembered("runs_to", today)
with c1:
    first = st.date_input(
        t("filter_from"),
        key="runs_from",
        max_value=today,
        format=f.date_input_format,
        on_change=remembered("runs_from", None),
    )
with c2:
    last = st.date_input(
        t("filter_to"), key="runs_to", format=f.date_input_format, on_change=remembered("runs_to", None)
    )
with c3:
    scraper_id = st.text_input(t("filter_scraper"), key="runs_scraper", max_chars=128).strip() or None
with c4:
    source = st.selectbox(
        t("filter_source"),
        [None, "app", "import", "demo"],
        key="runs_source",
        format_func=lambda s: t("any") if s is None else run_source(s, f),
    )
with c5:
    limit = st.selectbox(t("page_size"), [100, 500, 1000], key="runs_limit", format_func=f.number)

owners = whose_runs(svc, t, allowed)  # the viewer's own runs by default
filters = {"first": first, "last": last, "scraper_id": scraper_id, "source": source, "user_ids": owners}
page = list_runs(svc.store, **filters, limit=limit)
st.caption(escape(t("runs_totals", count=page.total_runs, cost=f.money(page.total_cost_usd))))
if page.items:
    table, config = runs_table(page.items, f, actor_names(svc.store))
    st.dataframe(table, column_config=config, hide_index=True, width="stretch")
    every_run = lambda: runs_csv(list_runs(svc.store, **filters, limit=MAX_RUNS_LIMIT).items)  # noqa: E731
    csv_button(every_run, f"spendboard-runs-{first}-{last}.csv", key="runs_csv", f=f)  # the filter's runs, all pages
else:
    st.info(t("no_runs"))

render_backfill(svc)  # admins only
