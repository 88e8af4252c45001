"""What the Overview says around its figures: the empty state (which knows what is configured) and the counts line
under the Total-spent card and the chart, in the unit of the providers shown (runs for Apify, requests for the others,
nothing for a provider that reports no count)."""

from __future__ import annotations

import streamlit as st

from core.demo import load_demo_data
from core.errors import InputError
from core.i18n.formats import Formats
from core.models import RUNS
from core.periods import utc_now
from core.providers import get_provider, registry
from core.ui.auth import Access
from core.ui.services import Services


def configured_labels(svc: Services) -> list[str]:
    """The configured providers by their names (``OpenAI``), never their ids."""
    return [p.label for p in registry().values() if p.configured(svc.settings)]


def render_empty_state(svc: Services, f: Formats, allowed: Access) -> None:
    """Nothing collected yet. With keys set, the way forward is Collect now (the primary button in the row above);
    without any, what to set; sample data is always the secondary way to look around (admins only)."""
    t = f.t
    st.subheader(t("empty_title"))
    configured = configured_labels(svc)
    if configured:
        st.info(t("empty_ready" if allowed.admin else "empty_ready_viewer", names=f.list(configured)))
    else:
        st.info(t("empty_body"))
    if not allowed.admin:
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(t("empty_sample_hint"))
        clicked = st.button(t("load_demo"), key="load_demo", type="secondary" if configured else "primary")
    if clicked:
        try:
            load_demo_data(svc.store, utc_now())
        except InputError:  # real data arrived meanwhile (another session, cron)
            st.error(t("sample_refused"))
        else:
            st.rerun()


def counts_runs(provider: str | None) -> bool:
    """Whether the figures shown count runs: every provider together (Apify's runs), or a provider that counts runs."""
    return provider is None or get_provider(provider).counts == RUNS


def counts_line(runs: int, requests: int | None, provider: str | None, f: Formats, *, over_period: bool = False) -> str:
    """``12 runs · 8,745 requests``; only the counts the selection has (Anthropic: none, so an empty line)."""
    t = f.t
    parts = []
    if counts_runs(provider):
        parts.append(t("runs_over_period" if over_period else "runs_count", count=runs))
    if requests is not None and (provider is None or get_provider(provider).counts != RUNS):
        parts.append(t("requests_over_period" if over_period else "requests_count", count=requests))
    return " · ".join(parts)
