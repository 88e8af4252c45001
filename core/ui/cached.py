"""The Overview's aggregates, cached briefly per process (``st.cache_data``).

At a million runs an all-time total is a full index scan; the same figures are asked for on every rerun (each
widget change), so they are kept for ``TTL`` seconds. Every write made from the app clears them (``clear()``);
writes from cron show up within ``TTL``.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from core import dashboard
from core.coverage import Coverage, coverage
from core.demo import has_demo_data
from core.models import ChartPoint
from core.store.db import Store
from core.store.spend import first_activity

TTL = 60


@st.cache_data(ttl=TTL, show_spinner=False)
def kpi(_store: Store, url: str, period: str, today: date, provider: str | None, owners=None) -> dashboard.Kpi:
    return dashboard.kpi(_store, period, today, provider, owners)


@st.cache_data(ttl=TTL, show_spinner=False)
def chart(_store: Store, url: str, range_: str, today: date, provider: str | None, owners=None) -> list[ChartPoint]:
    return dashboard.chart(_store, range_, today, provider, owners)


@st.cache_data(ttl=TTL, show_spinner=False)
def spend_coverage(_store: Store, url: str, first: date | None, last: date, provider: str | None) -> Coverage:
    return coverage(_store, first, last, provider)


@st.cache_data(ttl=TTL, show_spinner=False)
def has_data(_store: Store, url: str) -> bool:
    return first_activity(_store) is not None


@st.cache_data(ttl=TTL, show_spinner=False)
def has_demo(_store: Store, url: str) -> bool:
    return has_demo_data(_store)


def clear() -> None:
    """Forget every cached figure (after a collection, a back-fill or loading sample data)."""
    for fn in (kpi, chart, spend_coverage, has_data, has_demo):
        fn.clear()
