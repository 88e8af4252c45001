"""What each collection saw per provider and UTC day, so a day that later goes missing (or never arrived) is
noticed and fetched again by the next collection."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Connection, Date, func, select

from core.money import ZERO, quantize
from core.periods import day_start, utc_now
from core.store.db import Store
from core.store.schema import collected_days, daily_costs, scraper_runs

HORIZON_DAYS = 400  # how far back missing days are looked for


def record_days(
    store: Store, conn: Connection, provider: str, first: date, last: date, items: Iterable[tuple[date, Decimal]]
) -> None:
    """Remember, for every day of a written window, how many rows and how much cost the provider gave."""
    count: dict[date, int] = defaultdict(int)
    cost: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for day, amount in items:
        count[day] += 1
        cost[day] += quantize(amount or ZERO)  # rounded as each row is stored, so the sums compare equal
    now = utc_now()
    rows = [
        {
            "provider": provider,
            "day": first + timedelta(days=i),
            "lines": count[first + timedelta(days=i)],
            "cost_usd": cost[first + timedelta(days=i)],
            "collected_at": now,
        }
        for i in range((last - first).days + 1)
    ]
    for i in range(0, len(rows), 500):
        stmt = store.insert(collected_days).values(rows[i : i + 500])
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[collected_days.c.provider, collected_days.c.day],
                set_={c: stmt.excluded[c] for c in ("lines", "cost_usd", "collected_at")},
            )
        )


def find_gaps(store: Store, provider: str, today: date) -> list[date]:
    """Days to fetch again: days whose stored rows no longer match what was collected, and days never collected
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
        if provider == "apify":
            day = func.date(scraper_runs.c.created_at, type_=Date)
            q = (
                select(day, func.count(), func.sum(scraper_runs.c.cost_usd))
                .where(scraper_runs.c.created_at >= day_start(first))
                .group_by(day)
            )
        else:
            q = (
                select(daily_costs.c.day, func.count(), func.sum(daily_costs.c.cost_usd))
                .where(daily_costs.c.provider == provider, daily_costs.c.day >= first)
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


def as_windows(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days folded into inclusive windows."""
    windows: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if windows and d == windows[-1][1] + timedelta(days=1):
            windows[-1] = (windows[-1][0], d)
        else:
            windows.append((d, d))
    return windows
