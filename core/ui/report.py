"""The monthly report's parts that are more than a call: the total's cards and one card per provider, every figure in
the app's language (``Formats``). Provider text (a failed collection's error, a reconciliation's note) is data: shown
with ``st.code`` or escaped, never read as Markdown."""

from __future__ import annotations

from datetime import date

import streamlit as st

from core.i18n.formats import Formats
from core.models import RUNS, MonthReport, ProviderMonth
from core.report import provider_notes, report_notes
from core.ui.locale import when
from core.ui.tables import models_table
from core.ui.text import escape

BADGES = {"matches": ":green-badge", "small_drift": ":orange-badge", "mismatch": ":red-badge"}


def change_text(change_percent, f: Formats) -> str | None:
    """A month-over-month change (``+12.5%`` / ``+12,5 %``); None when there is none to show."""
    return None if change_percent is None else f.percent(change_percent, signed=True)


def render_totals(report: MonthReport, f: Formats) -> None:
    """Total, previous month, change and provider count, with the notes that explain an empty comparison."""
    t = f.t
    change = change_text(report.change_percent, f)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(
        t("total"),
        f.money(report.total_cost_usd),
        delta=change,
        delta_color="inverse",
        border=True,
        delta_description=t("vs_previous_month") if change else None,
    )
    c2.metric(t("previous_month"), f.money(report.previous_month_cost_usd), border=True)
    c3.metric(t("change"), change or "—", border=True)
    c4.metric(t("provider_count"), f.number(report.provider_count), border=True)
    for note in report_notes(report, t, f.month, f.date):  # an empty comparison says why
        st.caption(escape(note))
    if report.revised_at:
        st.warning(
            escape(t("revised", when=f.date(report.revised_at), was=f.money(report.revised_from_usd))),
            icon=":material/history:",
        )


def render_provider(p: ProviderMonth, month: date, label: str, recon, f: Formats) -> None:
    """One provider's month: its cost and change, what the figure covers, its count, where the figure comes from and
    when it was collected, a failed last collection (the provider's words as code), its reconciliation, top models."""
    t = f.t
    with st.container(border=True):
        head, body = st.columns([1, 2])
        with head:
            change = change_text(p.change_percent, f)
            st.metric(
                label,
                f.money(p.cost_usd) if p.has_figure else t(f"availability_{p.availability}"),
                delta=change,
                delta_color="inverse",
                delta_description=t("vs_previous_month") if change else None,
            )
            for note in provider_notes(p, month, t, label, f.month, f.date):
                st.caption(escape(note))
            count_label = t("runs_label") if p.count_unit == RUNS else t("requests_label")
            count = t("no_count") if p.requests is None else f.number(p.requests)
            st.caption(escape(t("label_value", label=count_label, value=count)))
            if p.cost_source:
                source = t(f"source_{p.cost_source}")
                if p.collected_at is None:
                    st.caption(escape(source))
                else:
                    local, utc = when(p.collected_at, f)
                    st.caption(escape(source + " · " + t("collected_at", when=local)), help=escape(utc))
            if p.status == "failed":
                st.error(t("last_failed"), icon=":material/error:")
                if p.error:
                    st.code(p.error, language=None, wrap_lines=True)
            if p.revised_from_usd is not None:
                st.caption(escape(t("revised_short", was=f.money(p.revised_from_usd))))
            if recon is not None:
                _reconciliation(recon, f)
        with body:
            if p.top_models:
                table, config = models_table(p, f)
                st.dataframe(table, column_config=config, hide_index=True, width="stretch")


def _reconciliation(recon, f: Formats) -> None:
    """The provider's own total against ours, as a badge and a line; the check's note (provider text) on hover."""
    t = f.t
    badge = f"{BADGES.get(recon.status, ':gray-badge')}[{escape(t(f'recon_{recon.status}'))}]"
    line = ""
    if recon.provider_usd is not None:
        figures = t(
            "recon_line",
            theirs=f.money(recon.provider_usd),
            ours=f.money(recon.spendboard_usd),
            drift=f.money(recon.drift_usd, signed=True),
        )
        line = " " + escape(figures)
    st.markdown(badge + line, help=escape(recon.note) if recon.note else None)
