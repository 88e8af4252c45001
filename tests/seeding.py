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
