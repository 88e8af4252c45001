"""Scraper runs: idempotent upserts on ``run_id``, filtered listing with totals."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, timedelta

from sqlalchemy import Connection, delete, func, select

from core.models import DEMO, UNKNOWN_OWNER, RunPage, ScraperRun
from core.money import ZERO
from core.periods import day_start, utc_now
from core.store import ledger
from core.store.db import Store
from core.store.schema import daily_totals, scraper_runs

_UPDATED_ON_CONFLICT = (
    "cost_usd",
    "usage_details",
    "item_count",
    "status",
    "created_at",
    "finished_at",
    "origin",
    "updated_at",
)
_LABELS = ("source", "scraper_id", "user_id")  # what the recording app chose; a back-fill keeps them


def _row(run: ScraperRun, now) -> dict:
    return {
        "run_id": run.run_id,
        "scraper_id": run.scraper_id,
        "user_id": run.user_id,
        "source": run.source,
        "cost_usd": run.cost_usd,
        "usage_details": run.usage_details,
        "item_count": run.item_count,
        "status": run.status,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "origin": run.origin,
        "updated_at": now,
    }


def upsert_runs(store: Store, conn: Connection, runs: Iterable[ScraperRun], *, keep_labels: bool) -> int:
    """Insert or update runs by ``run_id``. With ``keep_labels`` an existing run keeps its source, scraper id and
    user id (a back-fill never turns an app-recorded run into an imported one). Returns the rows written."""
    now = utc_now()
    rows = list({run.run_id: _row(run, now) for run in runs}.values())  # last one wins inside a batch
    if not rows:
        return 0
    stmt = store.insert(scraper_runs)
    columns = _UPDATED_ON_CONFLICT if keep_labels else (*_UPDATED_ON_CONFLICT, *_LABELS)
    updates = {c: stmt.excluded[c] for c in columns}
    # A listing that could not count a run's items must not erase the count an earlier read found.
    updates["item_count"] = func.coalesce(stmt.excluded.item_count, scraper_runs.c.item_count)
    stmt = stmt.on_conflict_do_update(index_elements=[scraper_runs.c.run_id], set_=updates)
    # executemany of one cached statement: a multi-VALUES insert of every row would pass the drivers' bound-parameter
    # limit (65,535 on PostgreSQL, 32,766 in stock SQLite builds) with a few thousand runs, and recompile each time.
    conn.execute(stmt, rows)
    return len(rows)


def save_runs(store: Store, runs: Iterable[ScraperRun], *, keep_labels: bool = False) -> int:
    """Upsert runs and rewrite the ledger lines of every day they touch, in one transaction."""
    runs = list(runs)
    with store.write() as conn:
        affected = start_days(conn, [r.run_id for r in runs]) | {r.created_at.astimezone(UTC).date() for r in runs}
        written = upsert_runs(store, conn, runs, keep_labels=keep_labels)
        if affected:
            ledger.rebuild_run_lines(conn, min(affected), max(affected))
    return written


def delete_by_source(conn: Connection, source: str) -> tuple[int, date | None, date | None]:
    """Delete the runs of a source; returns how many, and the first and last UTC start day among them (so the
    caller can rebuild those days' ledger lines)."""
    first, last = conn.execute(
        select(func.min(scraper_runs.c.created_at), func.max(scraper_runs.c.created_at)).where(
            scraper_runs.c.source == source
        )
    ).one()
    deleted = conn.execute(delete(scraper_runs).where(scraper_runs.c.source == source)).rowcount
    return deleted, first and first.date(), last and last.date()


def delete_sample(conn: Connection) -> tuple[date | None, date | None]:
    """Delete the sample runs; returns their first and last UTC start day."""
    _, first, last = delete_by_source(conn, DEMO)
    return first, last


def start_days(conn: Connection, run_ids: Iterable[str]) -> set[date]:
    """The UTC start days stored for these runs (before they are rewritten)."""
    ids = list(run_ids)
    q = select(scraper_runs.c.created_at).where(scraper_runs.c.run_id.in_(ids))
    return {row.created_at.date() for row in conn.execute(q)} if ids else set()


def _filters(
    first: date | None,
    last: date | None,
    scraper_id: str | None,
    source: str | None,
    user_ids: tuple[str, ...] | None = None,
) -> list:
    where = []
    if first is not None:
        where.append(scraper_runs.c.created_at >= day_start(first))
    if last is not None:
        where.append(scraper_runs.c.created_at < day_start(last + timedelta(days=1)))
    if scraper_id:
        where.append(scraper_runs.c.scraper_id == scraper_id)
    if source:
        where.append(scraper_runs.c.source == source)
    if user_ids is not None:  # () matches nothing: a person with no user id has no runs of their own
        where.append(scraper_runs.c.user_id.in_(user_ids))
    return where


def list_runs(
    store: Store,
    *,
    first: date | None = None,
    last: date | None = None,
    scraper_id: str | None = None,
    source: str | None = None,
    user_ids: tuple[str, ...] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> RunPage:
    """Runs started between ``first`` and ``last`` (inclusive UTC days), newest first, with the filter's totals.
    ``user_ids``: only the runs launched by these users (None: everyone's)."""
    where = _filters(first, last, scraper_id, source, user_ids)
    page = (
        select(scraper_runs)
        .where(*where)
        .order_by(scraper_runs.c.created_at.desc(), scraper_runs.c.run_id)
        .limit(limit)
        .offset(offset)
    )
    totals = select(func.sum(scraper_runs.c.cost_usd), func.count()).select_from(scraper_runs).where(*where)
    with store.engine.connect() as conn:
        items = [_to_run(r) for r in conn.execute(page).mappings()]
        cost, count = conn.execute(totals).one()
    return RunPage(items=items, total_cost_usd=ZERO if cost is None else cost, total_runs=count)


def get_run(store: Store, run_id: str) -> ScraperRun | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(scraper_runs).where(scraper_runs.c.run_id == run_id)).mappings().first()
    return _to_run(row) if row else None


def user_ids(store: Store) -> list[str]:
    """Every user id that launched a recorded run, sorted (what an admin can map a person to). Read from the daily
    rollup, which keeps Apify's run owners per day: a few thousand rows however many runs there are (a DISTINCT over
    the runs took 4.5 s at 10M runs on SQLite, bench/README.md)."""
    owner = daily_totals.c.owner
    q = select(owner).where(daily_totals.c.provider == ledger.APIFY, owner.not_in(("", UNKNOWN_OWNER))).distinct()
    with store.engine.connect() as conn:
        return sorted(conn.execute(q).scalars())


def count_runs(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(scraper_runs)).scalar_one()


def _to_run(row) -> ScraperRun:
    return ScraperRun(
        run_id=row["run_id"],
        scraper_id=row["scraper_id"],
        user_id=row["user_id"],
        source=row["source"],
        cost_usd=row["cost_usd"],
        usage_details=row["usage_details"] or {},
        item_count=row["item_count"],
        status=row["status"],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
        origin=row["origin"],
    )
