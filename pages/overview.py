"""Overview: the Total-spent card and the daily spending chart."""

import streamlit as st

from core import charts
from core.coverage import describe
from core.demo import load_demo_data
from core.money import format_usd
from core.periods import PERIOD_DAYS, PERIODS, RANGES, last_complete_month, utc_now, utc_today
from core.providers import NAMES, label, registry
from core.status import openrouter_stale_days
from core.ui import cached
from core.ui.actions import render_actions
from core.ui.auth import require
from core.ui.locale import fmt
from core.ui.services import remembered, services, t

svc = services()
require(svc.settings, t)
today = utc_today()
st.title(t("nav_overview"))
render_actions(svc, collect_month=None, send_month=last_complete_month(today))

url = svc.settings.database_url  # part of each cache key: one cache per database
if not cached.has_data(svc.store, url):
    st.subheader(t("empty_title"))
    st.info(t("empty_body"))
    configured = [name for name, p in registry().items() if p.configured(svc.settings)]
    st.caption(t("configured_providers", names=", ".join(configured)) if configured else t("none_configured"))
    if st.button(t("load_demo"), key="load_demo", type="primary"):
        result = load_demo_data(svc.store, utc_now())
        cached.clear()
        st.success(t("demo_loaded", runs=result.runs, lines=result.lines))
        st.rerun()
    st.stop()

stale = openrouter_stale_days(svc.settings, svc.store, utc_now())
if stale is not None:
    st.warning(t("openrouter_stale", days=stale), icon=":material/warning:")
if cached.has_demo(svc.store, url):
    st.warning(t("demo_banner"), icon=":material/science:")

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

card = cached.kpi(svc.store, url, period, today, provider)
counts = [t("runs_count", count=card.summary.total_runs)]
if card.summary.total_requests is not None:
    counts.append(t("requests_count", count=card.summary.total_requests))
with card_col:
    st.metric(
        t("total_spent"),
        format_usd(card.summary.total_cost_usd),
        delta=None if card.delta_usd is None else format_usd(card.delta_usd, signed=True),
        delta_color="inverse",
        delta_description=None if card.delta_usd is None else t("vs_previous", count=PERIOD_DAYS[period]),
        border=True,
    )
    st.caption(" · ".join(counts))
    cov = cached.spend_coverage(svc.store, url, card.summary.start, card.summary.end, provider)
    if cov.total_usd or cov.unpriced:
        st.caption(describe(cov, t, {name: p.label for name, p in registry().items()}))

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
points = cached.chart(svc.store, url, range_, today, provider)
runs = sum(p.runs for p in points)
requests = [p.requests for p in points if p.requests is not None]
subtitle = t("runs_over_period", count=runs)
if requests:
    subtitle += " · " + t("requests_over_period", count=sum(requests))
st.caption(subtitle)
st.plotly_chart(charts.spending_area(points, fmt()), width="stretch", key="spending_chart", config=charts.CONFIG)
