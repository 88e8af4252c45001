"""Monthly report: total and change, cost per provider with its change, top models, provenance, charts."""

import pandas as pd
import streamlit as st

from core import charts
from core.coverage import describe
from core.errors import InputError
from core.models import RUNS
from core.money import format_usd
from core.periods import month_key, parse_month, utc_today
from core.providers import registry
from core.report import default_month, monthly_view, provider_notes, report_months, report_notes
from core.ui.actions import render_actions, render_reconcile
from core.ui.auth import access, require
from core.ui.guardrails import render_report_guardrails
from core.ui.locale import fmt
from core.ui.services import services, t

svc = services()
require(svc.settings, t, report_page=True)
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
month_label = fmt().month
month = st.selectbox(t("month"), months, index=months.index(wanted), key="report_month", format_func=month_label)
st.query_params["month"] = month_key(month)

if access(svc.settings).full:
    render_actions(svc, collect_month=month, send_month=month)

view = monthly_view(svc.store, month, today, svc.settings.app_base_url)
report = view.report
c1, c2, c3, c4 = st.columns(4)
change = None if report.change_percent is None else f"{report.change_percent:+.2f}%"
c1.metric(
    t("total"),
    format_usd(report.total_cost_usd),
    delta=change,
    delta_color="inverse",
    border=True,
    delta_description=t("vs_previous_month") if change else None,
)
c2.metric(t("previous_month"), format_usd(report.previous_month_cost_usd), border=True)
c3.metric(t("change"), change or "—", border=True)
c4.metric(t("provider_count"), report.provider_count, border=True)
for note in report_notes(report, t, month_label):  # an empty comparison says why
    st.caption(note)

labels = {name: p.label for name, p in registry().items()}
if report.revised_at:
    st.warning(
        t("revised", when=f"{report.revised_at:%Y-%m-%d}", was=format_usd(report.revised_from_usd)),
        icon=":material/history:",
    )
if report.coverage is not None and (report.coverage.total_usd or report.coverage.unpriced):
    st.caption(describe(report.coverage, t, labels))

if not report.providers:
    st.info(t("no_data_month"))
    st.stop()

left, right = st.columns([2, 3])
with left:
    st.subheader(t("share_title"))
    paid = [p for p in report.providers if p.cost_usd > 0]
    st.plotly_chart(
        charts.provider_share({p.provider: p.cost_usd for p in paid}, labels, fmt()),
        width="stretch",
        key="share_chart",
        config=charts.CONFIG,
    )
with right:
    st.subheader(t("daily_by_provider"))
    st.plotly_chart(
        charts.provider_daily(view.days, view.daily, labels, fmt()),
        width="stretch",
        key="daily_chart",
        config=charts.CONFIG,
    )

render_report_guardrails(svc, month, today)
st.subheader(t("providers_title"))
checks = view.reconciliations
if not checks and view.closed:
    render_reconcile(svc, month)
for p in report.providers:
    with st.container(border=True):
        head, body = st.columns([1, 2])
        with head:
            p_change = None if p.change_percent is None else f"{p.change_percent:+.2f}%"
            head.metric(
                labels[p.provider],
                format_usd(p.cost_usd) if p.has_figure else t(f"availability_{p.availability}"),
                delta=p_change,
                delta_color="inverse",
                delta_description=t("vs_previous_month") if p_change else None,
            )
            for note in provider_notes(p, month, t, labels[p.provider], month_label):
                head.caption(note)
            count_label = t("runs_label") if p.count_unit == RUNS else t("requests_label")
            head.caption(f"{count_label}: {t('no_count') if p.requests is None else f'{p.requests:,}'}")
            if p.cost_source:
                when = (
                    ""
                    if p.collected_at is None
                    else " · " + t("collected_at", when=f"{p.collected_at:%Y-%m-%d %H:%M} UTC")
                )
                head.caption(t(f"source_{p.cost_source}") + when)
            if p.status == "failed":
                head.error(t("last_failed", error=p.error), icon=":material/error:")
            if p.revised_from_usd is not None:
                head.caption(t("revised_short", was=format_usd(p.revised_from_usd)))
            recon = checks.get(p.provider)
            if recon is not None:
                badge = {"matches": ":green-badge", "small_drift": ":orange-badge", "mismatch": ":red-badge"}.get(
                    recon.status, ":gray-badge"
                )
                label = t(f"recon_{recon.status}")
                if recon.provider_usd is not None:
                    head.markdown(
                        f"{badge}[{label}] "
                        + t(
                            "recon_line",
                            badge="",
                            theirs=format_usd(recon.provider_usd),
                            ours=format_usd(recon.spendboard_usd),
                            drift=format_usd(recon.drift_usd, signed=True),
                        ).lstrip(" —"),
                        help=recon.note or None,
                    )
                else:
                    head.markdown(f"{badge}[{label}]", help=recon.note or None)
        with body:
            if p.top_models:
                total = p.cost_usd or 1
                body.dataframe(
                    pd.DataFrame(
                        {
                            t("col_model"): [m.model for m in p.top_models],
                            t("chart_cost"): [format_usd(m.cost_usd) for m in p.top_models],
                            t("col_share"): [f"{m.cost_usd * 100 / total:.1f}%" for m in p.top_models],
                        }
                    ),
                    hide_index=True,
                    width="stretch",
                )
