"""Archive one month: a snapshot page per provider and a summary page, updated in place.

A page is found by the id kept in SQL (``notion_pages``); without one (a crash between Notion's answer and our
write, a new machine on the same databases) by a query on the title (+ provider); only then created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.archive.api import NotionApi, NotionError
from core.archive.databases import SNAPSHOTS, SUMMARIES, TITLE_COLUMN
from core.archive.properties import snapshot_properties, summary_properties
from core.periods import month_key, previous_month
from core.store import archive as state
from core.store.db import Store
from core.store.snapshots import get_snapshots, get_summary


@dataclass(frozen=True)
class Sources:
    """The data source ids of the two databases."""

    snapshots: str
    summaries: str


def _gone(exc: NotionError) -> bool:
    """The remembered page was deleted, or sits in the trash (Notion refuses to edit an archived page)."""
    message = str(exc).lower()
    return exc.code == "object_not_found" or (
        exc.code == "validation_error" and ("archived" in message or "trash" in message)
    )


def _find(api: NotionApi, source_id: str, month: date, provider: str, what: str) -> str | None:
    conditions = [{"property": TITLE_COLUMN, "title": {"equals": month_key(month)}}]
    if provider != state.SUMMARY:
        conditions.append({"property": "Provider", "select": {"equals": provider}})
    found = api.call(
        what,
        api.client.data_sources.query,
        source_id,
        filter=conditions[0] if len(conditions) == 1 else {"and": conditions},
        sorts=[{"timestamp": "created_time", "direction": "ascending"}],  # the oldest one wins, on every machine
        page_size=1,
    )
    results = found.get("results") if isinstance(found, dict) else None
    first = results[0] if results else None
    return first.get("id") if isinstance(first, dict) else None


def upsert(
    api: NotionApi, store: Store, source_id: str, month: date, provider: str, properties: dict, what: str
) -> str:
    """Update the page of (month, provider) in place, or create it; return its id."""
    page_id = state.page_ids(store, source_id, month).get(provider)
    if page_id:
        try:
            api.call(what, api.client.pages.update, page_id, properties=properties)
            state.remember_page(store, source_id, month, provider, page_id)
            return page_id
        except NotionError as exc:
            if not _gone(exc):
                raise
            state.forget_page(store, source_id, month, provider)
    page_id = _find(api, source_id, month, provider, what)
    if page_id:
        api.call(what, api.client.pages.update, page_id, properties=properties)
    else:
        page = api.call(
            what,
            api.client.pages.create,
            parent={"type": "data_source_id", "data_source_id": source_id},
            properties=properties,
            repeatable=False,
        )
        page_id = page.get("id") if isinstance(page, dict) else None
        if not page_id:
            raise NotionError(f"Notion created {what} but returned no page id; the next sync finds it by title")
    state.remember_page(store, source_id, month, provider, page_id)
    return page_id


def _retire(api: NotionApi, store: Store, source_id: str, month: date, provider: str, page_id: str) -> None:
    """A provider no longer has a snapshot for the month in SQL: move its page to the trash, as SQL dropped it."""
    try:
        api.call(f"the {month_key(month)} {provider} snapshot", api.client.pages.update, page_id, in_trash=True)
    except NotionError as exc:
        if not _gone(exc):
            raise
    state.forget_page(store, source_id, month, provider)


def sync_month(api: NotionApi, store: Store, sources: Sources, month: date, redact, on_page=None) -> bool:
    """Send a month's snapshots and summary as SQL holds them; False when SQL holds nothing for the month."""
    summary = get_summary(store, month)
    rows = get_snapshots(store, month)
    if summary is None and not rows:
        return False
    previous = {r.provider: r for r in get_snapshots(store, previous_month(month))}
    key = month_key(month)
    for row in rows:
        what = f"the {key} {row.provider} page in {SNAPSHOTS.label}"
        props = snapshot_properties(row, previous.get(row.provider), redact)
        upsert(api, store, sources.snapshots, month, row.provider, props, what)
        if on_page:
            on_page()
    current = {r.provider for r in rows}
    for provider, page_id in state.page_ids(store, sources.snapshots, month).items():
        if provider not in current:
            _retire(api, store, sources.snapshots, month, provider, page_id)
    if summary is not None:
        what = f"the {key} page in {SUMMARIES.label}"
        upsert(api, store, sources.summaries, month, state.SUMMARY, summary_properties(summary, redact), what)
        if on_page:
            on_page()
    return True
