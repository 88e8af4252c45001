"""Slow down whoever keeps guessing: after ``FREE`` wrong passwords (or report tokens) in a row from one address,
each further attempt must wait 1, 2, 4, 8 ... seconds (at most ``MAX_DELAY``) after the last failure, and an attempt
made sooner is refused without being checked. A success clears the address; an hour without a failure forgets it.

Kept in this process's memory (one Streamlit server). Behind a reverse proxy every visitor may share the proxy's
address: the delay then applies to everyone, which still caps the guessing rate."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

FREE = 5
MAX_DELAY = 300.0
FORGET_AFTER = 3600.0
MAX_ADDRESSES = 10_000


@dataclass
class _Record:
    failures: int
    last: float


class Throttle:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._by_key: dict[str, _Record] = {}

    def _current(self, key: str, now: float) -> _Record | None:
        record = self._by_key.get(key)
        if record is not None and now - record.last > FORGET_AFTER:
            del self._by_key[key]
            return None
        return record

    @staticmethod
    def delay_after(failures: int) -> float:
        """Seconds to wait after the ``failures``-th failure in a row before the next attempt is checked."""
        return 0.0 if failures < FREE else min(2.0 ** (failures - FREE), MAX_DELAY)

    def wait(self, key: str) -> float:
        """Seconds ``key`` must still wait before an attempt is checked (0: it may try now)."""
        with self._lock:
            now = self._clock()
            record = self._current(key, now)
            if record is None:
                return 0.0
            return max(0.0, record.last + self.delay_after(record.failures) - now)

    def failed(self, key: str) -> int:
        """Count a failure; returns how many in a row ``key`` has now."""
        with self._lock:
            now = self._clock()
            record = self._current(key, now)
            if record is None:
                if len(self._by_key) >= MAX_ADDRESSES:  # forget the stalest address rather than grow without end
                    del self._by_key[min(self._by_key, key=lambda k: self._by_key[k].last)]
                record = self._by_key[key] = _Record(0, now)
            record.failures += 1
            record.last = now
            return record.failures

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._by_key.pop(key, None)
