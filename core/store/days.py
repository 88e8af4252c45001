"""What each collection saw per provider and UTC day, so a day that later goes missing (or never arrived) is
noticed and fetched again by the next collection."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import Connection, func, select

from core.models import DEMO
from core.money import ZERO
from core.periods import utc_now
from core.store.db import Store
from core.store.schema import collected_days, daily_costs
from core.store.upsert import dialect_insert

HORIZON_DAYS = 400  # how far back missing days are looked for
_REAL = daily_costs.c.cost_source != DEMO  # sample lines are never what a collection saw


def record_stored(conn: Connection, provider: str, first: date, last: date) -> None:
    """Remember, for every day of a window just written, how many real ledger lines and how much cost it holds."""
    day_count = (
        select(daily_costs.c.day, func.count(), func.sum(daily_costs.c.cost_usd))
        .where(daily_costs.c.provider == provider, daily_costs.c.day.between(first, last), _REAL)
        .group_by(daily_costs.c.day)
    )
    stored = {d: (n, cost or ZERO) for d, n, cost in conn.execute(day_count)}
    now = utc_now()
    rows = [
        {
            "provider": provider,
            "day": day,
            "lines": stored.get(day, (0, ZERO))[0],
            "cost_usd": stored.get(day, (0, ZERO))[1],
            "collected_at": now,
        }
        for day in (first + timedelta(days=i) for i in range((last - first).days + 1))
    ]
    for i in range(0, len(rows), 500):
        stmt = dialect_insert(conn, collected_days).values(rows[i : i + 500])
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[collected_days.c.provider, collected_days.c.day],
                set_={c: stmt.excluded[c] for c in ("lines", "cost_usd", "collected_at")},
            )
        )


def find_gaps(store: Store, provider: str, today: date) -> list[date]:
    """Days to fetch again: days whose stored lines no longer match what was collected, and days never collected
    since the provider's first collected day (within ``HORIZON_DAYS``)."""
    since = today - timedelta(days=HORIZON_DAYS)
    with store.engine.connect() as conn:
        seen = {
            r.day: (r.lines, r.cost_usd)
            for r in conn.execute(
                select(collected_days).where(collected_days.c.provider == provider, collected_days.c.day >= since)
            )
        }
        if not seen:
            return []
        first = min(seen)
        q = (
            select(daily_costs.c.day, func.count(), func.sum(daily_costs.c.cost_usd))
            .where(daily_costs.c.provider == provider, daily_costs.c.day >= first, _REAL)
            .group_by(daily_costs.c.day)
        )
        stored = {d: (n, c or ZERO) for d, n, c in conn.execute(q)}
    gaps = []
    for i in range((today - first).days + 1):
        d = first + timedelta(days=i)
        if d not in seen:
            if d < today:  # today is always fetched; a past day nobody ever collected is a gap
                gaps.append(d)
        elif stored.get(d, (0, ZERO)) != seen[d]:
            gaps.append(d)
    return gaps


def collected_between(store: Store, provider: str, first: date, last: date) -> int:
    """How many days of ``first``..``last`` a collection has seen for the provider."""
    with store.engine.connect() as conn:
        return conn.execute(
            select(func.count()).where(collected_days.c.provider == provider, collected_days.c.day.between(first, last))
        ).scalar_one()


def seen_between(store: Store, first: date, last: date) -> dict[str, set[date]]:
    """Per provider, the days of ``first``..``last`` some collection saw."""
    query = select(collected_days.c.provider, collected_days.c.day).where(collected_days.c.day.between(first, last))
    seen: dict[str, set[date]] = {}
    with store.engine.connect() as conn:
        for provider, day in conn.execute(query):
            seen.setdefault(provider, set()).add(day)
    return seen


def seen_span(store: Store) -> dict[str, tuple[date, date]]:
    """Per provider, the first and the last day any collection saw."""
    query = select(collected_days.c.provider, func.min(collected_days.c.day), func.max(collected_days.c.day)).group_by(
        collected_days.c.provider
    )
    with store.engine.connect() as conn:
        return {provider: (first, last) for provider, first, last in conn.execute(query)}


def ever_collected(store: Store, provider: str) -> bool:
    with store.engine.connect() as conn:
        found = select(collected_days.c.day).where(collected_days.c.provider == provider).limit(1)
        return conn.execute(found).first() is not None


def as_windows(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days folded into inclusive windows."""
    windows: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if windows and d == windows[-1][1] + timedelta(days=1):
            windows[-1] = (windows[-1][0], d)
        else:
            windows.append((d, d))
    return windows
