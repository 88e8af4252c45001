"""What the HTTP layer needs, built once per process on first use: settings, the store, the throttle."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from core.config import Settings, load_settings
from core.errors import SpendError
from core.store.db import Store, open_store
from core.web.throttle import Throttle

log = logging.getLogger("spendboard.auth")


@dataclass
class Web:
    settings: Settings
    store: Store
    throttle: Throttle = field(default_factory=Throttle)


RETRY_AFTER = 30.0  # seconds between attempts while the configuration is wrong
_lock = threading.Lock()
_web: Web | None = None
_failed_at: float | None = None


def web() -> Web | None:
    """The process's ``Web``; None while the configuration is wrong (the pages then show the error themselves, and
    the gate keeps the revealing endpoints closed)."""
    global _web, _failed_at
    if _web is None:
        with _lock:
            if _web is None:
                if _failed_at is not None and time.monotonic() - _failed_at < RETRY_AFTER:
                    return None
                try:
                    settings = load_settings()
                    _web = Web(settings, open_store(settings.database_url))
                except SpendError as exc:
                    _failed_at = time.monotonic()
                    log.error("sign-in layer inactive until the configuration is fixed: %s", exc)
                    return None
    return _web


def use(value: Web | None) -> None:
    """Replace the process's ``Web`` (tests build their own)."""
    global _web, _failed_at
    _web, _failed_at = value, None
