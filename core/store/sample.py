"""Whether sample data (``python -m core demo``) or real data is stored."""

from __future__ import annotations

from sqlalchemy import exists, select

from core.models import DEMO
from core.store.db import Store
from core.store.schema import daily_costs, scraper_runs


def present(store: Store) -> bool:
    """Any sample run or line (the partial index on sample lines keeps this cheap)."""
    q = select(exists().where(scraper_runs.c.source == DEMO) | exists().where(daily_costs.c.cost_source == DEMO))
    with store.engine.connect() as conn:
        return bool(conn.execute(q).scalar())


def real_present(store: Store) -> bool:
    """Any real run or ledger line."""
    q = select(exists().where(scraper_runs.c.source != DEMO) | exists().where(daily_costs.c.cost_source != DEMO))
    with store.engine.connect() as conn:
        return bool(conn.execute(q).scalar())
