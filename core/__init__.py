"""Spendboard core: providers, SQL store, collection, reports, email and the command line.

Public surface for other apps and scripts::

    from core import load_settings, open_store, record_scraper_run
"""

from core.config import Settings, load_settings
from core.scraper_runs import backfill as backfill_scraper_runs
from core.scraper_runs import record_scraper_run
from core.store.db import Store, open_store

__all__ = ["Settings", "Store", "backfill_scraper_runs", "load_settings", "open_store", "record_scraper_run"]
