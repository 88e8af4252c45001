"""Spendboard core: providers, SQL store, collection, reports, email and the command line.

Public surface for other apps and scripts::

    from core import load_settings, open_store, record_scraper_run

Names load on first use, so ``python -m core summary`` imports no HTTP, email or Notion module.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

_PUBLIC = {
    "Settings": "core.config",
    "load_settings": "core.config",
    "Store": "core.store.db",
    "open_store": "core.store.db",
    "record_scraper_run": "core.scraper_runs",
    "backfill_scraper_runs": ("core.scraper_runs", "backfill"),
}
__all__ = [
    "Settings",
    "Store",
    "backfill_scraper_runs",
    "load_settings",
    "open_store",
    "record_scraper_run",
]

if TYPE_CHECKING:
    from core.config import Settings, load_settings
    from core.scraper_runs import backfill as backfill_scraper_runs
    from core.scraper_runs import record_scraper_run
    from core.store.db import Store, open_store


def __getattr__(name: str):
    try:
        target = _PUBLIC[name]
    except KeyError:
        raise AttributeError(f"module 'core' has no attribute {name!r}") from None
    module, attribute = target if isinstance(target, tuple) else (target, name)
    return getattr(import_module(module), attribute)
