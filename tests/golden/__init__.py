"""The command line's JSON on fixed data, recorded before the spend ledger was rebuilt (issue 11).

``run()`` builds the same database every time: a fixed imitation ledger (June to November 2026), collected through
the command line at a frozen instant (2026-11-30 12:00 UTC) over real HTTP, plus back-filled and app-recorded
Apify runs; then it runs every read command and returns each one's JSON. ``tests/test_golden.py`` compares that
with the files recorded here by ``python -m tests.golden.record``: every figure the product showed before must
stay the same.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import time_machine

HERE = Path(__file__).parent
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
FIRST_DAY = date(2026, 6, 1)

# (name, argv): every read command the issue lists, for every period, range and a few filters.
READS: list[tuple[str, list[str]]] = [
    *[(f"summary-{p}", ["summary", "--period", p, "--json"]) for p in ("day", "week", "month", "all")],
    *[
        (f"summary-{p}-{prov}", ["summary", "--period", p, "--provider", prov, "--json"])
        for p in ("week", "all")
        for prov in ("openai", "anthropic", "elevenlabs", "deepgram", "openrouter", "apify")
    ],
    *[(f"chart-{r}", ["chart", "--range", r, "--json"]) for r in ("7d", "30d", "90d")],
    *[(f"chart-90d-{prov}", ["chart", "--range", "90d", "--provider", prov, "--json"]) for prov in ("apify", "openai")],
    *[(f"report-{m}", ["report", "--month", m, "--json"]) for m in ("2026-09", "2026-10", "2026-11")],
    ("runs-all", ["runs", "--from", "2026-06-01", "--to", "2026-11-30", "--limit", "10000", "--json"]),
    ("runs-page", ["runs", "--from", "2026-10-01", "--to", "2026-10-31", "--limit", "7", "--offset", "3", "--json"]),
    ("runs-scraper", ["runs", "--scraper-id", "actB", "--limit", "10000", "--json"]),
    ("runs-source", ["runs", "--source", "app", "--json"]),
    ("reconcile-2026-10", ["reconcile", "--month", "2026-10", "--json"]),
]


def _cli(argv: list[str], environ: dict[str, str], capsys) -> object:
    from core.cli import main

    code = main(argv, environ=environ)
    out, err = capsys.readouterr()
    assert code == 0, (argv, code, err)
    return json.loads(out) if out.strip() else None


def run(database_url: str, capsys) -> dict[str, object]:
    """Build the fixed database at ``database_url`` and return every read command's JSON by name."""
    from tests.imitation import Imitation, Ledger, populate

    imitation = Imitation(NOW.date(), populate(Ledger(), FIRST_DAY, NOW.date(), seed=11))
    outputs: dict[str, object] = {}
    with time_machine.travel(NOW, tick=False), imitation.serve() as urls:
        env = imitation.environ(database_url, urls)
        for month in ("2026-09", "2026-10"):
            _cli(["collect", "--month", month, "--json"], env, capsys)
        _cli(["collect", "--json"], env, capsys)
        _cli(["apify", "backfill", "--days", "150", "--json"], env, capsys)
        # Two runs the app recorded itself, with the labels it chose (they must survive the back-fill).
        for run_id in (imitation.ledger.runs[40].id, imitation.ledger.runs[-3].id):
            _cli(["apify", "record", run_id, "--user-id", "alice", "--source", "app", "--json"], env, capsys)
        for name, argv in READS:
            outputs[name] = _cli(argv, env, capsys)
    return outputs


def path(name: str) -> Path:
    return HERE / f"{name}.json"


def load(name: str) -> object:
    return json.loads(path(name).read_text(encoding="utf-8"))
