"""Archive the monthly figures to Notion: a page per (month, provider) in "Provider Snapshots" and a page per
month in "Monthly Summaries" (Notion API 2025-09-03, notion-client 3.1; the parts live in ``core.archive``).

SQL is the source of truth. A collection marks its months pending and syncs; when Notion is down or refuses the
token, the months stay pending with the error and the next sync catches up. ``sync`` never raises for Notion: the
result says what happened. Without NOTION_API_KEY and both database ids the archive is off and syncs are skipped.

    configured(settings)                    is the archive on?
    setup(settings, parent_page_id)         create (or complete) the two databases -> (snapshots id, summaries id)
    sync(settings, store, months=None)      archive months plus every pending one -> SyncResult
    mark_pending(store, months)             remember months for the next sync (no network)
    status(store)                           last sync, pending months, last error -> ArchiveStatus
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import httpx
import notion_client
from notion_client.helpers import extract_notion_id
from sqlalchemy.exc import SQLAlchemyError

from core import locks
from core.archive import databases, pages
from core.archive.api import NotionApi, NotionError
from core.archive.databases import SNAPSHOTS, SUMMARIES
from core.config import Settings
from core.errors import ConfigError
from core.i18n.formats import Formats
from core.periods import month_key
from core.store import archive as state
from core.store.db import Store

log = logging.getLogger(__name__)
_SDK_LOG = logging.getLogger("core.notion.sdk")  # one logger: each Client() would otherwise add a handler
TIMEOUT_MS = 30_000
MAX_ROUNDS = 5  # rounds of pending months per sync (a month requested again mid-sync is sent again)
NOT_CONFIGURED = "not configured"


@dataclass(frozen=True)
class SyncResult:
    synced: list[str]  # months archived by this sync, "YYYY-MM"
    pending: list[str]  # months still waiting after it
    error: str | None = None  # one line, secrets redacted
    skipped: str | None = None  # "not configured", or another sync is running
    missing: list[str] = field(default_factory=list)  # asked for, but SQL holds nothing for them

    @property
    def message(self) -> str:
        """What the sync did, in English (``describe`` says it in any language)."""
        from core.i18n.formats import Formats

        return self.describe(Formats("en"))

    def describe(self, f: Formats) -> str:
        """What the sync did, on one line, in ``f``'s language (the error as Notion said it)."""
        t = f.t

        def months(keys: Iterable[str]) -> str:
            return f.list(f.month(date.fromisoformat(f"{key}-01")) for key in keys)

        if self.skipped:
            return t("cli_notion_skipped" if self.skipped == NOT_CONFIGURED else "cli_notion_busy")
        parts = [t("cli_notion_synced", months=months(self.synced)) if self.synced else t("cli_notion_nothing")]
        if self.missing:
            parts.append(t("cli_notion_missing", months=months(self.missing)))
        if self.pending:
            parts.append(t("cli_notion_pending", months=months(self.pending)))
        if self.error:
            parts.append(t("cli_notion_error", error=self.error))
        return " · ".join(parts)


@dataclass(frozen=True)
class ArchiveStatus:
    last_sync_at: datetime | None  # last sync that ended without an error
    last_attempt_at: datetime | None
    last_error: str | None  # of the last sync; None when it succeeded
    pending: list[state.Pending]  # each with since, attempts and its own last_error
    running: bool  # a sync holds the lock right now

    @property
    def pending_months(self) -> list[str]:
        return [month_key(p.month) for p in self.pending]


def configured(settings: Settings) -> bool:
    return bool(settings.notion_api_key and settings.notion_snapshots_db_id and settings.notion_summaries_db_id)


def make_client(settings: Settings, transport: httpx.BaseTransport | None = None) -> notion_client.Client:
    """A notion-client ``Client`` without SDK retries (``core.archive.api`` retries); ``transport`` for tests."""
    if not settings.notion_api_key:
        raise ConfigError.keyed("err_notion_no_key")
    return notion_client.Client(
        auth=settings.notion_api_key,
        base_url=settings.notion_base_url,
        timeout_ms=TIMEOUT_MS,
        retry=False,
        logger=_SDK_LOG,
        client=httpx.Client(transport=transport) if transport is not None else None,
    )


def _notion_id(value: str, what: str) -> str:
    found = extract_notion_id(value)
    if not found:
        raise ConfigError(f"{what} must be a Notion id (32 hex digits) or a notion.so URL (got {value[:80]!r})")
    return found


def setup(
    settings: Settings,
    parent_page_id: str | None,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[str, str]:
    """Create the two databases under ``parent_page_id`` (a page shared with the integration); a database whose id
    is already configured is kept and given the columns it lacks. Return ``(snapshots_db_id, summaries_db_id)``.
    Raises ``ConfigError`` or ``NotifyError`` with one line saying what to do."""
    if not settings.notion_api_key:
        raise ConfigError.keyed("err_notion_no_key")
    wanted = [(SNAPSHOTS, settings.notion_snapshots_db_id), (SUMMARIES, settings.notion_summaries_db_id)]
    parent = _notion_id(parent_page_id, "the parent page") if parent_page_id else None
    if parent is None and not all(db_id for _, db_id in wanted):
        raise ConfigError("give the id of a Notion page shared with the integration (--parent-page PAGE_ID)")
    client = make_client(settings, transport)
    try:
        api = NotionApi(client, settings, sleep=sleep, clock=clock)
        ids = []
        for spec, db_id in wanted:
            db_id = _notion_id(db_id, spec.env) if db_id else databases.create(api, parent, spec)
            databases.prepare(api, db_id, spec)
            ids.append(db_id)
    finally:
        client.close()
    return ids[0], ids[1]


def mark_pending(store: Store, months: Iterable[date]) -> None:
    """Remember months to archive (for instance right after saving them); the next ``sync`` sends them."""
    state.mark_pending(store, months)


def sync(
    settings: Settings,
    store: Store,
    months: Iterable[date] | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_page: Callable[[int], None] | None = None,
) -> SyncResult:
    """Archive ``months`` and every month still pending, as SQL holds them. Never raises for Notion or SQL
    failures: unsent months stay pending and the result carries the error. ``on_page(n)`` is told each time a page
    was written (n so far)."""
    if not configured(settings):
        return SyncResult([], [], skipped=NOT_CONFIGURED)
    try:
        if months is not None:
            state.mark_pending(store, months)
        return _sync(settings, store, transport, sleep, clock, on_page)
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", exc) or exc).splitlines()[0][:200]
        log.warning("Notion sync: database error: %s", settings.redact(detail))
        return SyncResult([], [], error=settings.redact(f"database error during the Notion sync: {detail}"))


def _keys(items: Iterable[state.Pending]) -> list[str]:
    return [month_key(p.month) for p in items]


def _sync(settings, store, transport, sleep, clock, on_page=None) -> SyncResult:
    written = [0]

    def page_written() -> None:
        written[0] += 1
        if on_page:
            on_page(written[0])

    lock = locks.try_acquire(store, locks.NOTION_SYNC, "Notion sync")  # freed at once if its holder is killed
    if lock is None:
        pending = _keys(state.pending(store))
        return SyncResult([], pending, skipped="another sync is running; it archives the pending months")
    synced: list[str] = []
    missing: list[str] = []
    error: str | None = None
    attempted: set[tuple[date, int]] = set()
    api: NotionApi | None = None
    sources: pages.Sources | None = None
    try:
        for _ in range(MAX_ROUNDS):
            todo = [p for p in state.pending(store) if (p.month, p.generation) not in attempted]
            if not todo:
                # Someone may have asked for a month while we held the lock and given up: look once more.
                lock.release()
                lock = None
                todo = [p for p in state.pending(store) if (p.month, p.generation) not in attempted]
                if not todo:
                    break
                lock = locks.try_acquire(store, locks.NOTION_SYNC, "Notion sync")
                if lock is None:
                    break
            if api is None:
                client = make_client(settings, transport)
                api = NotionApi(client, settings, sleep=sleep, clock=clock)
            for i, item in enumerate(todo):
                attempted.add((item.month, item.generation))
                try:
                    if sources is None:
                        sources = _sources(api, settings)
                    sent = pages.sync_month(api, store, sources, item.month, settings.redact, page_written)
                    (synced if sent else missing).append(month_key(item.month))
                    state.archived(store, item)
                except NotionError as exc:
                    error = str(exc)
                    log.warning("Notion sync of %s failed: %s", month_key(item.month), error)
                    if not exc.stop:
                        state.failed(store, [item.month], error)
                        continue
                    state.failed(store, [p.month for p in todo[i:]], error)
                    return _finish(store, synced, missing, error)
        return _finish(store, synced, missing, error, recorded=bool(attempted))
    finally:
        if lock is not None:
            lock.release()
        if api is not None:
            api.client.close()


def _sources(api: NotionApi, settings: Settings) -> pages.Sources:
    """Find both data sources, adding missing columns to hand-made databases."""
    ids = []
    for spec, db_id in ((SNAPSHOTS, settings.notion_snapshots_db_id), (SUMMARIES, settings.notion_summaries_db_id)):
        try:
            db_id = _notion_id(db_id, spec.env)
        except ConfigError as exc:
            raise NotionError(str(exc)) from None
        ids.append(databases.prepare(api, db_id, spec))
    return pages.Sources(*ids)


def _finish(store: Store, synced, missing, error: str | None, *, recorded: bool = True) -> SyncResult:
    if recorded:  # a sync that found nothing to send says nothing about Notion
        state.record_attempt(store, error)
    pending = state.pending(store)
    return SyncResult(list(dict.fromkeys(synced)), _keys(pending), error, None, list(dict.fromkeys(missing)))


def status(store: Store) -> ArchiveStatus:
    """What the UI shows: last sync, pending months (each with its last error) and the last error."""
    row = state.read_state(store)
    running = locks.holder(store, locks.NOTION_SYNC) is not None
    return ArchiveStatus(
        last_sync_at=row.last_sync_at if row else None,
        last_attempt_at=row.last_attempt_at if row else None,
        last_error=row.last_error if row else None,
        pending=state.pending(store),
        running=running,
    )
