"""Tables as people read them, in the app's language: the Runs table, a provider's models, the providers' states.
Money with its currency (``0,031284 $US``), statuses in words, times in the viewer's zone (UTC in the column's
help), ``—`` for what nobody reported. Each builder returns the DataFrame and its ``column_config`` for
``st.dataframe``.

    table, config = runs_table(page.items, fmt())
    st.dataframe(table, column_config=config, hide_index=True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import pandas as pd
import streamlit as st

from core.i18n.formats import UNKNOWN, Formats
from core.models import ProviderMonth, ScraperRun
from core.status import ProviderState


def run_source(source: str | None, f: Formats) -> str:
    """Where a run was recorded from, in words (``app``, ``import``, ``demo``); an unknown source as it is."""
    return f.word("run_source_", source)


def runs_table(
    items: Sequence[ScraperRun], f: Formats, names: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, dict]:
    """``names``: scraper id -> its name (``core.store.actors.names``); a scraper without one shows its id."""
    t = f.t
    names = names or {}
    started = t("col_started_local", zone=f.tz_name)
    cost, count = t("col_cost"), t("col_items")
    table = pd.DataFrame(
        {
            started: [f.datetime(r.created_at) for r in items],
            t("col_run"): [r.run_id for r in items],
            t("col_scraper"): [names.get(r.scraper_id, r.scraper_id) for r in items],
            t("col_status"): [f.run_status(r.status) for r in items],
            cost: [f.money(r.cost_usd, exact=True) for r in items],
            count: [f.number(r.item_count) for r in items],
            t("col_source"): [run_source(r.source, f) for r in items],
        }
    )
    config = {
        started: st.column_config.TextColumn(help=t("col_started_help", zone=f.tz_name)),
        cost: st.column_config.TextColumn(alignment="right"),
        count: st.column_config.TextColumn(alignment="right"),
    }
    return table, config


def models_table(provider: ProviderMonth, f: Formats) -> tuple[pd.DataFrame, dict]:
    """A provider's top models with their cost and share of the provider's month."""
    t = f.t
    total = provider.cost_usd or Decimal(1)
    cost, share = t("chart_cost"), t("col_share")
    table = pd.DataFrame(
        {
            t("col_model"): [m.model for m in provider.top_models],
            cost: [f.money(m.cost_usd) for m in provider.top_models],
            share: [f.percent(m.cost_usd * 100 / total) for m in provider.top_models],
        }
    )
    config = {
        cost: st.column_config.TextColumn(alignment="right"),
        share: st.column_config.TextColumn(alignment="right"),
    }
    return table, config


def provider_states_table(rows: Sequence[ProviderState], f: Formats) -> tuple[pd.DataFrame, dict]:
    """The settings page's providers: key (masked), last collection's status in words, last success in the viewer's
    zone (UTC in the column's help), and the reason of a failure (provider text: a dataframe cell is plain text)."""
    t = f.t
    last_ok = t("col_last_ok")
    table = pd.DataFrame(
        {
            t("col_provider"): [r.label for r in rows],
            t("col_key"): [t("label_value", label=r.key_env, value=r.key_masked or t("not_set")) for r in rows],
            t("col_last_status"): [f.word("status_", r.status) for r in rows],
            last_ok: [UNKNOWN if r.succeeded_at is None else f.datetime(r.succeeded_at) for r in rows],
            t("col_error"): [r.error or "" for r in rows],
        }
    )
    return table, {last_ok: st.column_config.TextColumn(help=t("col_time_help", zone=f.tz_name))}
