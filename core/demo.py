"""Clearly-labelled sample data, so an empty install can be explored (``python -m core demo``).

Runs have ``source="demo"`` and scraper ids starting with ``demo/``; ledger lines have ``cost_source="demo"``.
Sample data never touches real data: it is refused on a database that holds real figures, removing it removes only
what it wrote, and the first real write (a collection, a back-fill, a recorded run) removes it first, so the two
never mix. The data is deterministic for a given day, and loading it twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from core.errors import InputError
from core.models import DEMO, REQUESTS, DailyCost, ScraperRun
from core.store import ledger, runs, sample
from core.store.db import Store

DAYS = 120
SCRAPERS = ("demo/google-maps-scraper", "demo/instagram-profile", "demo/website-content-crawler")
SAMPLE_OWNERS = ("demo-alice", "demo-bob")
MODELS = {
    "openai": (("gpt-4o-2024-08-06, input", "gpt-4o-2024-08-06", "4.2"), ("gpt-4o-mini, output", "gpt-4o-mini", "0.9")),
    "anthropic": (
        ("Claude Sonnet 4 Usage - Input Tokens", "claude-sonnet-4", "3.1"),
        ("Claude Sonnet 4 Usage - Output Tokens", "claude-sonnet-4", "5.4"),
    ),
    "elevenlabs": (("eleven_multilingual_v2 / text-to-speech", "eleven_multilingual_v2", "1.7"),),
    "deepgram": (("streaming::nova-3", "nova-3", "0.8"),),
    "openrouter": (
        ("openai/gpt-4.1", "openai/gpt-4.1", "1.1"),
        ("google/gemini-2.5-pro", "google/gemini-2.5-pro", "0.6"),
    ),
}


@dataclass(frozen=True)
class DemoResult:
    runs: int
    lines: int


def has_sample_data(store: Store) -> bool:
    return sample.present(store)


def remove_sample_data(store: Store) -> bool:
    """Remove every sample run and line (and the ledger lines built from the runs); real data is never touched.
    Returns whether there was anything to remove."""
    if not sample.present(store):
        return False
    with store.write() as conn:
        first, last = runs.delete_sample(conn)
        ledger.delete_sample(conn)
        if first is not None:
            ledger.rebuild_run_lines(conn, first, last)
    return True


def load_demo_data(store: Store, now: datetime, *, reset: bool = False) -> DemoResult:
    """Write ``DAYS`` days of sample runs and provider lines ending now (no run starts in the future); refused on a
    database that holds real figures."""
    if sample.real_present(store):
        raise InputError.keyed("err_sample_refused")
    today = now.date()
    if reset:
        remove_sample_data(store)
    rng = random.Random(today.toordinal())
    first = today - timedelta(days=DAYS - 1)
    demo_runs: list[ScraperRun] = []
    lines: dict[str, list[DailyCost]] = {name: [] for name in MODELS}
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        for i in range(rng.randint(0, 9)):
            started = datetime.combine(day, time(rng.randint(0, 23), rng.randint(0, 59)), tzinfo=UTC)
            if started > now:
                continue
            demo_runs.append(
                ScraperRun(
                    run_id=f"demo{day:%Y%m%d}{i:02d}",
                    scraper_id=rng.choice(SCRAPERS),
                    created_at=started,
                    finished_at=started + timedelta(minutes=rng.randint(1, 40)),
                    status=rng.choice(("SUCCEEDED",) * 9 + ("FAILED",)),
                    cost_usd=Decimal(rng.randint(1_000, 900_000)).scaleb(-6),
                    source=DEMO,
                    user_id=rng.choice(SAMPLE_OWNERS),
                    item_count=rng.randint(0, 500),
                    origin="API",
                )
            )
        for provider, items in MODELS.items():
            for line_item, model, scale in items:
                cost = (Decimal(rng.randint(0, 1_000_000)).scaleb(-6) * Decimal(scale)).quantize(Decimal("1e-6"))
                requests = None if provider == "anthropic" else rng.randint(0, 400)
                lines[provider].append(DailyCost(provider, day, line_item, model, cost, requests, DEMO))
    with store.write() as conn:
        runs.upsert_runs(store, conn, demo_runs, keep_labels=False)
        ledger.rebuild_run_lines(conn, first, today)
        for provider, provider_lines in lines.items():
            ledger.replace_lines(conn, provider, first, today, provider_lines, REQUESTS, sample=True)
    return DemoResult(len(demo_runs), sum(len(v) for v in lines.values()))
