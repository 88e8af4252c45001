"""What the pages show of budgets, the forecast and anomaly flags (each page calls one function here)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import alerts, audit
from core.anomalies import Flag, in_month, recent
from core.budgets import SCOPES, TOTAL, budget_use, list_budgets, percent, remove_budget, set_budget
from core.config import Settings, mask
from core.errors import InputError
from core.forecast import MonthForecast, month_forecast
from core.i18n.formats import Formats
from core.models import ChartPoint
from core.periods import month_start
from core.providers import label
from core.store.db import Store
from core.store.guardrails import recent_alerts
from core.ui.auth import access, authorize
from core.ui.cached import by_store
from core.ui.locale import fmt
from core.ui.services import Services, t
from core.ui.text import escape

FORECAST_COLOR = "#4F6BED"
FLAG_COLOR = "#DC2626"


@by_store
def cached_forecast(store: Store, today: date) -> MonthForecast:
    return month_forecast(store, month_start(today), today)


@by_store
def cached_flags(store: Store, today: date, days: int, min_usd: Decimal) -> list[Flag]:
    return recent(store, today, days, min_usd=min_usd)


def _scope_label(scope: str) -> str:
    return t("budget_scope_total") if scope == TOTAL else label(scope)


# ---------------------------------------------------------------- Overview


def render_budget_card(svc: Services, today: date, provider: str | None) -> None:
    """This month against its budget: a progress bar, the forecast and its interval, the days left."""
    forecast = cached_forecast(svc.store, today)
    part = forecast.scope(provider)
    scope_budget = None if part is None else part.budget_usd
    spent = Decimal(0) if part is None else part.month_to_date_usd
    days_left = forecast.days_in_month - forecast.days_elapsed
    f = fmt()
    with st.container(border=True, key="budget_card"):
        st.caption(escape(t("budget_card_title") + (f" · {label(provider)}" if provider else "")))
        if scope_budget:
            used = percent(spent, scope_budget)
            st.progress(
                min(float(used) / 100, 1.0),
                text=escape(
                    t(
                        "budget_spent_of",
                        spent=f.money(spent),
                        budget=f.money(scope_budget),
                        percent=f.percent(used),
                    )
                ),
            )
        else:
            st.write(escape(t("budget_spent_no_budget", spent=f.money(spent))))
        if part is not None:
            line = t(
                "budget_forecast",
                forecast=f.money(part.forecast_usd),
                low=f.money(part.low_usd),
                high=f.money(part.high_usd),
            )
            st.caption(escape(f"{line} · {t('budget_days_left', count=days_left, n=days_left)}"))
        if scope_budget and spent > scope_budget:
            st.error(escape(t("budget_over", amount=f.money(spent - scope_budget))), icon=":material/error:")
        elif scope_budget and part is not None and part.forecast_usd > scope_budget:
            st.warning(
                escape(t("budget_forecast_over", forecast=f.money(part.forecast_usd), budget=f.money(scope_budget))),
                icon=":material/trending_up:",
            )
        elif not scope_budget:
            st.caption(escape(t("budget_none")))


def add_forecast_and_flags(
    fig: go.Figure,
    points: list[ChartPoint],
    forecast: MonthForecast,
    flags: list[Flag],
    today: date,
    provider: str | None,
    f: Formats,
) -> go.Figure:
    """The rest of the month as a dashed line from today's point, and a marker on each flagged day in view. Days are
    the chart's own categories (``core.charts.day_axes``: ``Tue, Oct 20, 2026``); every figure in ``f``'s language."""
    t = f.t

    def day(d: date) -> str:
        return f.date(d, "weekday")

    part = forecast.scope(provider)
    by_day = {p.date: p.cost_usd for p in points}
    ahead = [(d, v) for d, v in (part.daily if part is not None else ()) if d > today]
    if ahead and today in by_day:
        values = [by_day[today], *(v for _, v in ahead)]
        fig.add_trace(
            go.Scatter(
                x=[day(today), *(day(d) for d, _ in ahead)],
                y=[float(v) for v in values],
                mode="lines",
                line={"color": FORECAST_COLOR, "width": 2, "dash": "dash"},
                name=t("chart_forecast"),
                customdata=[t("label_value", label=t("chart_forecast"), value=f.money(v)) for v in values],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    shown = [flag for flag in flags if flag.date in by_day and (provider is None or flag.provider == provider)]
    if shown:
        fig.add_trace(
            go.Scatter(
                x=[day(flag.date) for flag in shown],
                y=[float(by_day[flag.date]) for flag in shown],
                mode="markers",
                marker={"color": FLAG_COLOR, "size": 11, "symbol": "diamond", "line": {"width": 1, "color": "white"}},
                name=t("chart_anomaly"),
                customdata=[
                    t(
                        "chart_anomaly_detail",
                        provider=label(flag.provider),
                        cost=f.money(flag.cost_usd),
                        baseline=f.money(flag.baseline_usd),
                    )
                    for flag in shown
                ],
                hovertemplate=f"{t('chart_anomaly')} · %{{customdata}}<extra></extra>",
            )
        )
    return fig


def decorate_chart(
    fig: go.Figure, svc: Services, points: list[ChartPoint], today: date, provider: str | None, f: Formats
) -> go.Figure:
    """The Overview chart with the month's forecast and the anomaly flags of the days shown."""
    days = max((today - points[0].date).days + 1, 1) if points else 1
    flags = cached_flags(svc.store, today, days, svc.settings.anomaly_min_usd)
    return add_forecast_and_flags(fig, points, cached_forecast(svc.store, today), flags, today, provider, f)


# ---------------------------------------------------------------- Monthly report


def render_budget_use(svc: Services, month: date, today: date) -> None:
    """Each budget's use in a month (and the forecast while the month runs)."""
    rows = budget_use(svc.store, month, today)
    if not rows:
        return
    st.subheader(t("budget_use_title"))
    f = fmt()
    running = any(r.forecast_usd is not None for r in rows)
    table = {
        t("col_scope"): [_scope_label(r.scope) for r in rows],
        t("col_spent"): [f.money(r.spent_usd) for r in rows],
        t("col_budget"): [f.money(r.budget_usd) for r in rows],
        t("col_used"): [f.percent(r.percent) for r in rows],
    }
    if running:
        table[t("col_forecast")] = [f.money(r.forecast_usd) for r in rows]
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch", key=f"budget_use_{month:%Y%m}")


def render_report_guardrails(svc: Services, month: date, today: date) -> None:
    """The monthly report's budget use and the month's unusual days."""
    render_budget_use(svc, month, today)
    flags = in_month(svc.store, month, today, min_usd=svc.settings.anomaly_min_usd)
    if flags:
        f = fmt()
        st.subheader(t("flags_title"))
        st.dataframe(
            pd.DataFrame(
                {
                    t("col_day"): [f.date(flag.date, "weekday") for flag in flags],
                    t("col_provider"): [label(flag.provider) for flag in flags],
                    t("col_spent"): [f.money(flag.cost_usd) for flag in flags],
                    t("col_usual"): [f.money(flag.baseline_usd) for flag in flags],
                    t("col_score"): [f.number(flag.score, digits=1) for flag in flags],
                }
            ),
            hide_index=True,
            width="stretch",
            key="month_flags",
        )


# ---------------------------------------------------------------- Settings


def may_edit_budgets(settings: Settings) -> bool:
    """Whether this session may change budgets: admins only (the change is authorized again where it runs)."""
    return access(settings).admin


def _channels(settings: Settings) -> str:
    parts = []
    open_channels = alerts.channels(settings)
    if alerts.EMAIL in open_channels:
        parts.append(t("alert_channel_email", to=", ".join(settings.alert_recipients)))
    if alerts.WEBHOOK in open_channels:
        url = settings.alert_webhook_url or ""
        host = re.match(r"^https?://([^/]+)", url)
        parts.append(t("alert_channel_webhook", where=f"{host.group(1) if host else ''}/…{mask(url) or ''}"))
    return t("alert_channels", channels="; ".join(parts)) if parts else t("alert_channels_none")


def render_budget_settings(svc: Services, today: date) -> None:
    """Budgets with this month's use, the alert channels, the editor (admins only) and the latest alerts."""
    st.subheader(t("budgets_title"))
    st.caption(escape(t("budgets_caption")))
    budgets = list_budgets(svc.store)
    if budgets:
        render_budget_use(svc, month_start(today), today)
    else:
        st.write(t("budget_use_none"))
    st.caption(escape(_channels(svc.settings)))
    if may_edit_budgets(svc.settings):
        _editor(svc, {b.scope: b.monthly_usd for b in budgets})
    else:
        st.caption(t("budgets_admin_only"))
    latest = recent_alerts(svc.store, limit=20)
    if latest:
        f = fmt()
        raised = t("col_raised", zone=f.tz_name)
        st.caption(t("alerts_recent"))
        st.dataframe(
            pd.DataFrame(
                {
                    raised: [f.datetime(a.raised_at) for a in latest],
                    t("col_alert"): [alerts.render(svc.settings, a)[0] for a in latest],
                    t("col_delivery"): [
                        f.word("alert_status_", a.status) + (f" ({a.last_error})" if a.last_error else "")
                        for a in latest
                    ],
                }
            ),
            column_config={raised: st.column_config.TextColumn(help=t("col_time_help", zone=f.tz_name))},
            hide_index=True,
            width="stretch",
            key="recent_alerts",
        )


def _editor(svc: Services, current: dict[str, Decimal]) -> None:
    flash = st.session_state.pop("_budget_flash", None)
    if flash:
        st.success(escape(flash))
    scope_col, amount_col = st.columns([1, 1], vertical_alignment="bottom")
    scope = scope_col.selectbox(t("budget_scope"), SCOPES, key="budget_scope", format_func=_scope_label)
    amount = amount_col.text_input(
        t("budget_amount"), value=str(current.get(scope, "")), key=f"budget_amount_{scope}", max_chars=20
    )
    with st.container(horizontal=True):
        save = st.button(t("budget_save"), key="budget_save", type="primary")
        remove = st.button(t("budget_remove"), key="budget_remove", disabled=scope not in current)
    if not (save or remove):
        return
    person = authorize(svc.settings, t, "budget")
    if person is None:
        return
    if save:
        try:
            with audit.recorded(svc.store, person, "budget", scope=scope, set=amount.strip()[:20]):
                budget = set_budget(svc.store, scope, amount)
        except InputError as exc:
            st.error(escape(fmt().error(exc)))
            return
        flash = t("budget_saved", scope=_scope_label(scope), amount=fmt().money(budget.monthly_usd))
    else:
        with audit.recorded(svc.store, person, "budget", scope=scope, removed=True):
            removed = remove_budget(svc.store, scope)
        flash = t("budget_removed" if removed else "budget_not_set", scope=_scope_label(scope))
    st.session_state["_budget_flash"] = flash
    st.rerun()  # redraw the figures above with the new budget
