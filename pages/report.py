"""Monthly report: total and change, cost per provider with its change, top models, provenance, charts, CSVs."""

import streamlit as st

from core import charts
from core.coverage import describe
from core.errors import InputError
from core.export import report_models_csv, report_providers_csv
from core.periods import month_key, parse_month, utc_today
from core.providers import registry
from core.report import default_month, monthly_view, report_months
from core.ui.actions import render_actions, render_reconcile
from core.ui.auth import access, require
from core.ui.downloads import csv_button
from core.ui.guardrails import render_report_guardrails
from core.ui.locale import days_caption, fmt
from core.ui.report import render_provider, render_totals
from core.ui.services import services, t
from core.ui.text import escape

svc = services()
require(svc.settings, t, report_page=True)
f = fmt()
today = utc_today()
st.title(t("report_title"))

wanted = default_month(today)
requested = st.query_params.get("month")
if requested and "report_month" not in st.session_state:
    try:
        wanted = parse_month(requested)
    except InputError:
        st.warning(t("bad_month"))  # the link's text is never shown: it may be anything
months = report_months(svc.store, today, wanted)
month = st.selectbox(t("month"), months, index=months.index(wanted), key="report_month", format_func=f.month)
st.query_params["month"] = month_key(month)

if access(svc.settings).full:
    render_actions(svc, collect_month=month, send_month=month)

view = monthly_view(svc.store, month, today, svc.settings.app_base_url)
report = view.report
render_totals(report, f)
labels = {name: p.label for name, p in registry().items()}
if report.coverage is not None and (report.coverage.total_usd or report.coverage.unpriced):
    st.caption(escape(describe(report.coverage, f, labels)))

if not report.providers:
    st.info(t("no_data_month"))
    st.stop()

left, right = st.columns([2, 3])
with left:
    st.subheader(t("share_title"))
    paid = [p for p in report.providers if p.cost_usd > 0]
    st.plotly_chart(
        charts.provider_share({p.provider: p.cost_usd for p in paid}, labels, f),
        width="stretch",
        key="share_chart",
        config=charts.CONFIG,
    )
with right:
    st.subheader(t("daily_by_provider"))
    st.caption(days_caption(f))
    daily = charts.provider_daily(view.days, view.daily, labels, f)
    st.plotly_chart(daily, width="stretch", key="daily_chart", config=charts.CONFIG)

render_report_guardrails(svc, month, today)
title_col, csv_col = st.columns([3, 2], vertical_alignment="bottom")
title_col.subheader(t("providers_title"))
with csv_col, st.container(horizontal=True, horizontal_alignment="right"):
    key = month_key(month)
    providers_csv, models_csv = f"spendboard-providers-{key}.csv", f"spendboard-models-{key}.csv"
    csv_button(lambda: report_providers_csv(report), providers_csv, key="providers_csv", f=f, label=t("csv_providers"))
    csv_button(lambda: report_models_csv(report), models_csv, key="models_csv", f=f, label=t("csv_models"))
if not view.reconciliations and view.closed:
    render_reconcile(svc, month)
for p in report.providers:
    render_provider(p, month, labels[p.provider], view.reconciliations.get(p.provider), f)
