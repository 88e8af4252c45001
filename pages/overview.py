"""Overview: the Total-spent card and the daily spending chart (with its CSV)."""

import streamlit as st

from core import charts
from core.coverage import describe
from core.demo import remove_sample_data
from core.export import chart_csv
from core.periods import PERIOD_DAYS, PERIODS, RANGES, last_complete_month, utc_now, utc_today
from core.providers import NAMES, label, registry
from core.status import openrouter_stale_days
from core.ui import cached
from core.ui.actions import render_actions
from core.ui.auth import require
from core.ui.downloads import csv_button
from core.ui.guardrails import decorate_chart, render_budget_card
from core.ui.locale import days_caption, fmt
from core.ui.overview import configured_labels, counts_line, counts_runs, render_empty_state
from core.ui.people import whose_runs
from core.ui.services import remembered, services, t
from core.ui.text import escape

svc = services()
allowed = require(svc.settings, t)
f = fmt()
today = utc_today()
st.title(t("nav_overview"))
empty = not cached.has_data(svc.store)
collect_first = empty and bool(configured_labels(svc))
render_actions(svc, collect_month=None, send_month=last_complete_month(today), collect_first=collect_first)

if empty:
    render_empty_state(svc, f, allowed)
    st.stop()

stale = openrouter_stale_days(svc.settings, svc.store, utc_now())
if stale is not None:
    st.warning(t("openrouter_stale", days=stale), icon=":material/warning:")
if cached.has_sample(svc.store):
    with st.container(horizontal=True, vertical_alignment="center"):
        st.warning(t("sample_banner"), icon=":material/science:")
        if allowed.admin and st.button(t("remove_sample"), key="remove_sample"):
            remove_sample_data(svc.store)
            st.toast(t("sample_removed"))
            st.rerun()

owners = whose_runs(svc, t, allowed, team_wide_note=True)  # one's own scraper runs by default
ALL = "all"
providers = [ALL, *NAMES]
card_col, period_col, provider_col = st.columns([2, 1, 1], vertical_alignment="top")
with period_col:
    period = st.selectbox(
        t("period"),
        PERIODS,
        key="period",
        format_func=lambda p: t(f"period_{p}"),
        on_change=remembered("period", "week"),
    )
with provider_col:
    provider = st.selectbox(
        t("provider"),
        providers,
        key="provider",
        format_func=lambda p: t("all_providers") if p == ALL else label(p),
        on_change=remembered("provider", ALL),
    )
provider = None if provider == ALL else provider

card = cached.kpi(svc.store, period, today, provider, owners)
with card_col:
    st.metric(
        t("total_spent"),
        f.money(card.summary.total_cost_usd),
        delta=None if card.delta_usd is None else f.money(card.delta_usd, signed=True),
        delta_color="inverse",
        delta_description=None if card.delta_usd is None else t("vs_previous", count=PERIOD_DAYS[period]),
        border=True,
    )
    counts = counts_line(card.summary.total_runs, card.summary.total_requests, provider, f)
    if counts:
        st.caption(counts)
    cov = cached.spend_coverage(svc.store, card.summary.start, card.summary.end, provider, owners)
    if cov.total_usd or cov.unpriced:
        st.caption(escape(describe(cov, f, {name: p.label for name, p in registry().items()})))
render_budget_card(svc, today, provider)

title_col, range_col = st.columns([3, 1], vertical_alignment="bottom")
title_col.subheader(t("daily_spending"))
with range_col:
    range_ = st.selectbox(
        t("range"),
        list(RANGES),
        key="range",
        format_func=lambda r: t("range_days", count=RANGES[r]),
        on_change=remembered("range", "30d"),
    )
points = cached.chart(svc.store, range_, today, provider, owners)
requests = [p.requests for p in points if p.requests is not None]
subtitle = counts_line(sum(p.runs for p in points), sum(requests) if requests else None, provider, f, over_period=True)
st.caption(" · ".join(filter(None, [subtitle, days_caption(f)])))
chart = charts.spending_area(points, f, runs=counts_runs(provider))
fig = decorate_chart(chart, svc, points, today, provider, f)  # forecast, anomaly flags
st.plotly_chart(fig, width="stretch", key="spending_chart", config=charts.CONFIG)
csv_button(lambda: chart_csv(points), f"spendboard-days-{points[0].date}-{points[-1].date}.csv", key="chart_csv", f=f)
