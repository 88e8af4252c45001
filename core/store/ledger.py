"""Writing the spend ledger (``daily_costs``) and its per-day rollup (``daily_totals``).

Every writer runs inside the caller's transaction, so a provider's window, the runs behind Apify's lines, and the
rollup change together or not at all. Sample data (``cost_source="demo"``) and real data never touch each other:
real writes leave sample lines alone and sample writes leave real lines alone; their keys differ too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Date, case, delete, func, insert, select

from core.models import DEMO, REQUESTS, RUN_REPORTED, RUNS, UNKNOWN_OWNER, DailyCost
from core.periods import day_start, utc_now
from core.store.schema import daily_costs, daily_totals, scraper_runs
from core.store.upsert import dialect_insert

if TYPE_CHECKING:  # core.store.db imports this module through its migrations
    from core.store.db import Store

APIFY = "apify"  # the provider whose lines are the sum of its runs (``scraper_runs``)
_BATCH = 500


def item_key(line_item: str, owner: str = "", *, sample: bool = False) -> str:
    """The key of a line within its provider and day: the full text, so no two distinct items can merge."""
    text = "\x1f".join((line_item, owner, "sample" if sample else ""))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _row(line: DailyCost, count_unit: str, now) -> dict:
    sample = line.cost_source == DEMO
    return {
        "provider": line.provider,
        "day": line.day,
        "item_key": item_key(line.line_item, line.owner, sample=sample),
        "line_item": line.line_item,
        "model": line.model,
        "owner": line.owner,
        "count_unit": count_unit,
        "cost_usd": line.cost_usd,
        "requests": line.requests,
        "cost_source": line.cost_source,
        "collected_at": now,
        "quantity": line.quantity,
        "unit": line.unit,
    }


def replace_lines(
    conn: Connection,
    provider: str,
    first: date,
    last: date,
    lines: Sequence[DailyCost],
    count_unit: str = REQUESTS,
    *,
    sample: bool = False,
) -> int:
    """Make the stored lines of ``provider`` between two inclusive days exactly ``lines`` (real lines, or sample
    lines with ``sample``): upsert by key, delete the lines of those days the provider no longer reports (a restated
    day can drop a line), and rewrite the days' rollup."""
    kind = "sample" if sample else "real"
    for x in lines:
        if x.provider != provider or not first <= x.day <= last or (x.cost_source == DEMO) != sample:
            raise ValueError(f"line {x.day} {x.line_item[:60]!r} is not a {kind} {provider} line of {first}..{last}")
    now = utc_now()
    rows = list({(r["day"], r["item_key"]): r for r in (_row(x, count_unit, now) for x in lines)}.values())
    keep = {(r["day"], r["item_key"]) for r in rows}
    same_kind = daily_costs.c.cost_source == DEMO if sample else daily_costs.c.cost_source != DEMO
    existing = conn.execute(
        select(daily_costs.c.id, daily_costs.c.day, daily_costs.c.item_key).where(
            daily_costs.c.provider == provider, daily_costs.c.day.between(first, last), same_kind
        )
    ).all()
    stale = [row.id for row in existing if (row.day, row.item_key) not in keep]
    for i in range(0, len(stale), _BATCH):
        conn.execute(delete(daily_costs).where(daily_costs.c.id.in_(stale[i : i + _BATCH])))
    if rows:
        stmt = dialect_insert(conn, daily_costs)
        updated = ("line_item", "model", "count_unit", "cost_usd", "requests", "cost_source", "collected_at")
        stmt = stmt.on_conflict_do_update(
            index_elements=[daily_costs.c.provider, daily_costs.c.day, daily_costs.c.item_key],
            set_={c: stmt.excluded[c] for c in (*updated, "quantity", "unit")},
        )
        conn.execute(stmt, rows)
    refresh_totals(conn, provider, first, last)
    return len(rows)


def save_lines(
    store: Store, provider: str, first: date, last: date, lines: Sequence[DailyCost], count_unit: str = REQUESTS
) -> int:
    """``replace_lines`` in a transaction of its own (for scripts and tests; collections write inside theirs)."""
    with store.write() as conn:
        return replace_lines(
            conn, provider, first, last, lines, count_unit, sample=bool(lines) and lines[0].cost_source == DEMO
        )


def rebuild_run_lines(conn: Connection, first: date | None = None, last: date | None = None) -> None:
    """Rewrite Apify's ledger lines of the days ``first``..``last`` (None: every day) from ``scraper_runs``: one line
    per (UTC start day, scraper, run owner), the sum of the runs' reported cost (a run without one adds nothing) and
    the number of runs. Sample runs make sample lines."""
    where_lines = [daily_costs.c.provider == APIFY]
    where_runs = []
    if first is not None:
        where_lines.append(daily_costs.c.day >= first)
        where_runs.append(scraper_runs.c.created_at >= day_start(first))
    if last is not None:
        where_lines.append(daily_costs.c.day <= last)
        where_runs.append(scraper_runs.c.created_at < day_start(last + timedelta(days=1)))
    conn.execute(delete(daily_costs).where(*where_lines))
    day = func.date(scraper_runs.c.created_at, type_=Date)
    sample = case((scraper_runs.c.source == DEMO, 1), else_=0)
    q = (
        select(
            day,
            scraper_runs.c.scraper_id,
            scraper_runs.c.user_id,
            sample,
            func.sum(scraper_runs.c.cost_usd),
            func.count(),
        )
        .where(*where_runs)
        .group_by(day, scraper_runs.c.scraper_id, scraper_runs.c.user_id, sample)
    )
    now = utc_now()
    batch: list[dict] = []
    for d, scraper, user, is_sample, cost, count in conn.execute(q):
        line = DailyCost(
            APIFY,
            d,
            scraper,
            scraper,
            cost if cost is not None else Decimal(0),
            count,
            DEMO if is_sample else RUN_REPORTED,
            owner=user or UNKNOWN_OWNER,
        )
        batch.append(_row(line, RUNS, now))
        if len(batch) >= _BATCH:
            conn.execute(insert(daily_costs), batch)
            batch = []
    if batch:
        conn.execute(insert(daily_costs), batch)
    refresh_totals(conn, APIFY, first, last)


def refresh_totals(conn: Connection, provider: str | None, first: date | None, last: date | None) -> None:
    """Rewrite the rollup rows of ``provider`` (None: every provider) between two inclusive days (None: open)."""
    lines, totals = daily_costs.c, daily_totals.c
    where_lines, where_totals = [], []
    if provider is not None:
        where_lines.append(lines.provider == provider)
        where_totals.append(totals.provider == provider)
    if first is not None:
        where_lines.append(lines.day >= first)
        where_totals.append(totals.day >= first)
    if last is not None:
        where_lines.append(lines.day <= last)
        where_totals.append(totals.day <= last)
    conn.execute(delete(daily_totals).where(*where_totals))
    grouped = (
        select(
            lines.provider,
            lines.day,
            lines.owner,
            lines.cost_source,
            func.max(lines.count_unit),
            func.sum(lines.cost_usd),
            func.sum(lines.requests),
            func.sum(lines.quantity),
            func.max(lines.unit),
            func.count(),
            func.max(lines.collected_at),
        )
        .where(*where_lines)
        .group_by(lines.provider, lines.day, lines.owner, lines.cost_source)
    )
    columns = ["provider", "day", "owner", "cost_source", "count_unit", "cost_usd", "count", "quantity", "unit"]
    conn.execute(insert(daily_totals).from_select([*columns, "lines", "collected_at"], grouped))


def delete_sample(conn: Connection) -> list[tuple[str, date, date]]:
    """Delete every sample line (not the sample runs: ``runs.delete_sample``); returns (provider, first, last) of the
    days they covered, whose rollup the caller rewrites."""
    spans = conn.execute(
        select(daily_costs.c.provider, func.min(daily_costs.c.day), func.max(daily_costs.c.day))
        .where(daily_costs.c.cost_source == DEMO)
        .group_by(daily_costs.c.provider)
    ).all()
    conn.execute(delete(daily_costs).where(daily_costs.c.cost_source == DEMO))
    for provider, first, last in spans:
        refresh_totals(conn, provider, first, last)
    return [tuple(s) for s in spans]


def lines_between(store: Store, first: date, last: date, provider: str | None = None) -> list[DailyCost]:
    """The stored lines between two inclusive days (sample lines included), by provider, day and line item."""
    where = [daily_costs.c.day.between(first, last)]
    if provider:
        where.append(daily_costs.c.provider == provider)
    q = select(daily_costs).where(*where).order_by(daily_costs.c.provider, daily_costs.c.day, daily_costs.c.line_item)
    with store.engine.connect() as conn:
        return [
            DailyCost(
                r.provider,
                r.day,
                r.line_item,
                r.model,
                r.cost_usd,
                r.requests,
                r.cost_source,
                r.quantity,
                r.unit,
                r.owner,
            )
            for r in conn.execute(q)
        ]
