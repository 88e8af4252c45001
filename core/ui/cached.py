"""The Overview's figures, cached per process (``st.cache_data``) and keyed by the store's data version.

The same figures are asked for on every rerun (each widget change). Each call's key includes the database's data
version (``Store.cache_key``, one primary-key lookup); every write anywhere (this app, another instance, the command
line, cron) moves it, so a cached figure is never older than the data, and nothing needs clearing by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import streamlit as st

from core import dashboard
from core.coverage import coverage
from core.demo import has_sample_data
from core.models import ChartPoint, Coverage
from core.store import spend
from core.store.db import Store

TTL = 3600  # entries of an older data version are never asked for again; this only bounds their lifetime
_BY_STORE = {Store: Store.cache_key}


def by_store(fn):
    """``st.cache_data`` keyed by the store's data version (any argument of type ``Store``)."""
    return st.cache_data(ttl=TTL, max_entries=512, show_spinner=False, hash_funcs=_BY_STORE)(fn)


@by_store
def kpi(
    store: Store, period: str, today: date, provider: str | None, owners: Sequence[str] | None = None
) -> dashboard.Kpi:
    return dashboard.kpi(store, period, today, provider, owners)


@by_store
def chart(
    store: Store, range_: str, today: date, provider: str | None, owners: Sequence[str] | None = None
) -> list[ChartPoint]:
    return spend.chart(store, range_, today, provider, owners)


@by_store
def spend_coverage(
    store: Store, first: date | None, last: date, provider: str | None, owners: Sequence[str] | None = None
) -> Coverage:
    return coverage(store, first, last, provider, owners)


@by_store
def has_data(store: Store) -> bool:
    return spend.first_activity(store) is not None


@by_store
def has_sample(store: Store) -> bool:
    return has_sample_data(store)
