"""Stored spend for tests that need some, written the way the app writes it: a collection from the imitation."""

from __future__ import annotations

from datetime import date

from core.collect import collect
from core.periods import utc_now
from tests.conftest import NO_SLEEP
from tests.imitation import Imitation, Ledger


def openai_month(store, month: date, amount: str) -> None:
    """``month``'s OpenAI spend becomes ``amount`` (one line on its 3rd day), as a collection stores it."""
    now = utc_now()
    im = Imitation(now.date(), Ledger())
    im.ledger.add("openai", month.replace(day=3), "gpt-4o, input", amount, 1, model="gpt-4o")
    settings = im.settings(store.engine.url.render_as_string(hide_password=False))
    collect(
        settings, store, month=month, providers=["openai"], transports=im.transports(), policy=NO_SLEEP, lock_wait=30
    )


# Provider text as hostile as it gets: Markdown that would fetch an image, HTML, Streamlit colour directives, LaTeX.
HOSTILE = "![pixel](http://127.0.0.1:9/evil.png) <img src=x> :red[boom] $1 and $2 **loud**"
NOTION_ENV = {
    "NOTION_API_KEY": "secret_notion_test_0000",
    "NOTION_SNAPSHOTS_DB_ID": "a" * 32,
    "NOTION_SUMMARIES_DB_ID": "b" * 32,
}


def every_state(url: str) -> None:
    """Sample data plus everything a page can show besides figures: a finished collection where OpenAI failed with
    ``HOSTILE`` text, a reconciliation of last month (its note hostile too), a budget and an alert, a recorded
    action, and a Notion archive with a pending month and a hostile error (pages show it with ``NOTION_ENV`` set)."""
    from decimal import Decimal

    from core import audit
    from core.cli import main
    from core.people import open_person
    from core.periods import last_complete_month, month_key
    from core.reconcile import Reconciliation
    from core.store import archive, collections
    from core.store.db import open_store
    from core.store.guardrails import insert_alerts, save_budget
    from core.store.reconciliations import save_reconciliations

    assert main(["demo"], environ={"DATABASE_URL": url}) == 0
    store = open_store(url)
    now = utc_now()
    month = last_complete_month(now.date())
    run = collections.start_run(store, month)
    for name in ("openai", "anthropic", "apify"):
        failed = name == "openai"
        collections.set_status(store, name, "failed" if failed else "ok", HOSTILE if failed else None, now)
    collections.finish_run(store, run, "partial", {"openai": {"status": "failed"}, "apify": {"status": "ok"}})
    ours, theirs = Decimal("12.50"), Decimal("13.75")
    save_reconciliations(
        store,
        [Reconciliation("apify", month, ours, theirs, theirs - ours, Decimal("10"), "mismatch", "usage", HOSTILE)],
    )
    save_budget(store, "total", Decimal("400"))
    alert = {"kind": "budget", "scope": "total", "period": month_key(month), "threshold": 80}
    insert_alerts(
        store,
        [
            {
                **alert,
                "key": f"budget/total/{month_key(month)}/80",
                "amount_usd": Decimal("330"),
                "reference_usd": Decimal("400"),
                "status": "silent",
                "email_state": None,
                "webhook_state": None,
            }
        ],
    )
    with audit.recorded(store, open_person(), "collect", month="2026-10"):
        pass
    archive.mark_pending(store, [month])
    archive.failed(store, [month], HOSTILE)
    archive.record_attempt(store, HOSTILE)
    store.dispose()
