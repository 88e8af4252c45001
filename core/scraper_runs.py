"""Capture Apify scraper runs: record one run, or back-fill the account's recent runs.

Usable from other apps::

    from core import load_settings, open_store, record_scraper_run
    settings = load_settings()
    record_scraper_run(settings, open_store(settings.database_url), "HG7ML7M8z78YcAPEB", source="app")
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import httpx

from core import locks
from core.config import Settings
from core.demo import remove_sample_data
from core.errors import InputError
from core.http import DEFAULT_POLICY, RetryPolicy
from core.limits import MAX_BACKFILL_DAYS
from core.models import ScraperRun
from core.money import ZERO
from core.periods import day_start, utc_now
from core.providers import apify
from core.providers.apify import IMPORT_SOURCE
from core.store import days as days_store
from core.store import ledger
from core.store import runs as run_store
from core.store.db import Store

_RUN_ID_RE = re.compile(r"^[A-Za-z0-9]{1,64}$")
_LABEL_RE = re.compile(r"^[\w.:@/-]{1,128}$")

Progress = Callable[[int, int], None]  # (runs fetched so far, runs the API says there are)


@dataclass(frozen=True)
class BackfillResult:
    days: int
    fetched: int
    written: int
    deleted: int
    pages: int
    total_cost_usd: Decimal


def _check_label(value: str | None, what: str) -> None:
    if value is not None and not _LABEL_RE.match(value):
        raise InputError(f"{what} must be 1-128 letters, digits or . _ : @ / - (got {value[:40]!r})")


def record_scraper_run(
    settings: Settings,
    store: Store,
    run_id: str,
    *,
    scraper_id: str | None = None,
    user_id: str | None = None,
    source: str = "app",
    transport: httpx.BaseTransport | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> ScraperRun:
    """Fetch one run from Apify and store it; recording the same run again updates it."""
    if not _RUN_ID_RE.match(run_id or ""):
        raise InputError(f"run id must be an Apify run id (letters and digits), got {run_id[:40]!r}")
    _check_label(scraper_id, "scraper id")
    _check_label(user_id, "user id")
    _check_label(source, "source")
    with apify.client(settings, transport) as http:
        run = apify.get_run(http, run_id, source=source, policy=policy)
    stored = run_store.get_run(store, run_id)
    if user_id is None and stored is not None and stored.user_id:
        user_id = stored.user_id  # recording a run again keeps the owner it was recorded with
    overrides = {k: v for k, v in (("scraper_id", scraper_id), ("user_id", user_id)) if v}
    run = ScraperRun(**{**run.__dict__, **overrides})
    remove_sample_data(store)  # real data is coming: sample data never mixes with it
    run_store.save_runs(store, [run], keep_labels=False)
    return run


def backfill(
    settings: Settings,
    store: Store,
    *,
    days: int = 90,
    reset: bool = False,
    progress: Progress | None = None,
    transport: httpx.BaseTransport | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
    lock_wait: float = 0.0,
) -> BackfillResult:
    """Import every run started in the last ``days`` UTC days (today included) as ``source="import"``.

    Pages are written as they arrive (memory stays flat), all inside one transaction: if Apify fails half-way,
    nothing changes, and ``reset`` (delete the previously imported runs first) is undone too.
    """
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_BACKFILL_DAYS:
        raise InputError(f"days must be a whole number from 1 to {MAX_BACKFILL_DAYS} (got {days!r})")
    now = now or utc_now()
    today = now.date()
    first = today - timedelta(days=days - 1)
    fetched = written = pages = 0
    total_cost = ZERO
    with (
        apify.client(settings, transport) as http,
        locks.hold(store, locks.COLLECTION, "Apify back-fill", wait=lock_wait),  # shared with collect()
    ):
        remove_sample_data(store)  # real data is coming (inside the lock): sample data never mixes with it
        with store.write() as conn:
            deleted, oldest, _ = run_store.delete_by_source(conn, IMPORT_SOURCE) if reset else (0, None, None)
            for page, total in apify.iter_run_pages(http, day_start(first), source=IMPORT_SOURCE, policy=policy):
                pages += 1
                fetched += len(page)
                written += run_store.upsert_runs(store, conn, page, keep_labels=True)
                total_cost += sum((r.cost_usd for r in page if r.cost_usd is not None), ZERO)
                if progress:
                    progress(fetched, total)
            # The ledger's Apify lines follow the runs, in the same transaction: every day the listing covered, and
            # every older day whose imported runs --reset deleted.
            ledger.rebuild_run_lines(conn, min(first, oldest or first), today)
            days_store.record_stored(conn, apify.NAME, first, today)
    return BackfillResult(days, fetched, written, deleted, pages, total_cost)
