"""One collection, back-fill, report email or Notion sync at a time, across processes and machines.

    with hold(store, COLLECTION, "collection", wait=600):   # waits up to 10 minutes, then raises Busy
        ...
    holder(store, COLLECTION)                                # who holds it now, or None

The lock lives where the data lives, so every process that can write the data sees it:

* PostgreSQL: a session-level advisory lock on a connection kept for the holding. Every machine sharing the
  database sees it; when the holder dies (kill -9, crash, lost network) its connection ends and PostgreSQL releases
  the lock at once.
* SQLite: an exclusive ``flock`` on a file next to the database (``<db>.<name>.lock``); the kernel releases it when
  the holder exits, however it exits. (A SQLite file is only safe on one machine anyway.) An in-memory database is
  private to its process: a lock inside the process is enough.

The ``locks`` table (``core.store.locks``) says who holds each lock and since when, for messages ("a collection
started at ... by ... is still running") and the app's status. The row is trusted only while the lock itself is
held (PostgreSQL: some session holds the advisory lock, seen in ``pg_locks``; SQLite: a shared ``flock`` probe
fails), so a row left by a killed holder never blocks anyone and never shows as "running".

The collection and the Apify back-fill share one lock (``COLLECTION``): both write Apify runs and the day ledger,
and on SQLite a back-fill's single long write transaction would otherwise make a collection fail with "database is
locked" after its busy timeout. The report email and the Notion sync each have their own.
"""

from __future__ import annotations

import functools
import os
import socket
import sys
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from core.errors import Busy, StoreUnavailable
from core.i18n import Text
from core.periods import utc_now
from core.store import locks as rows
from core.store.db import Store, sqlite_path

COLLECTION = "collection"  # core.collect.collect and core.scraper_runs.backfill
REPORT_EMAIL = "report-email"  # core.email.send_report
NOTION_SYNC = "notion-sync"  # core.notion.sync
NAMESPACE = 0x5BE2  # first key of every Spendboard advisory lock (the schema upgrade uses a one-key lock)
POLL_SECONDS = 0.25
QUICK_RETRIES = 20

_role: str | None = None
_memory_locks: dict[tuple[int, str], threading.Lock] = {}
_memory_guard = threading.Lock()


@dataclass(frozen=True)
class Holder:
    """Who holds a lock."""

    name: str
    activity: str
    who: str
    host: str
    pid: int | None
    started_at: datetime | None

    def describe(self) -> Text:
        """``a collection started at 2026-10-20 16:03 UTC by python -m core collect on host (pid 42)``, as catalogue
        text (``str()`` is English)."""
        when = Text("lock_since", {"when": f"{self.started_at:%Y-%m-%d %H:%M}"}) if self.started_at else ""
        where = Text("lock_where", {"host": self.host, "pid": str(self.pid)}) if self.pid else ""
        return Text("lock_holder", {"activity": doing(self.activity), "since": when, "who": self.who, "where": where})


def doing(name: str) -> Text | str:
    """An activity named by its lock (``collection``, ``Apify back-fill``...) with its article, in the language (an
    activity the catalogue does not know, as it was named)."""
    from core.i18n import catalogue

    key = "lock_activity_" + name.lower().replace(" ", "_").replace("-", "_")
    return Text(key) if key in catalogue()["en"] else name


def name_process(role: str | None) -> None:
    """How this process names itself in the locks it takes (``python -m core collect``, ``the app``; None: guess)."""
    global _role
    _role = role


def _who() -> str:
    if _role:
        return _role
    return "the app" if "streamlit" in sys.modules else os.path.basename(sys.argv[0] or "python")


class Held:
    """A lock this process holds; ``release`` is idempotent."""

    def __init__(self, name: str, token: str, unlock: Callable[[], None], store: Store):
        self.name, self.token = name, token
        self._unlock, self._store = unlock, store
        self._released = False

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        try:
            rows.clear(self._store, self.name, self.token)
        except Exception:  # the row is informative only; a dead row is recognised as dead
            pass
        finally:
            self._unlock()


# ---------------------------------------------------------------- the mutexes, one per kind of database


def _advisory_key(name: str) -> tuple[int, int]:
    return NAMESPACE, zlib.crc32(name.encode()) & 0x7FFFFFFF


def _try_advisory(store: Store, name: str) -> Callable[[], None] | None:
    a, b = _advisory_key(name)
    conn = store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        got = conn.exec_driver_sql("SELECT pg_try_advisory_lock(%s, %s)", (a, b)).scalar()
    except BaseException:
        conn.close()
        raise
    if not got:
        conn.close()
        return None

    def unlock() -> None:
        try:
            conn.exec_driver_sql("SELECT pg_advisory_unlock(%s, %s)", (a, b))
        except Exception:  # the connection died: the server already let the lock go
            conn.invalidate()
        finally:
            conn.close()

    return unlock


def _lock_file(store: Store, name: str):
    db = sqlite_path(str(store.engine.url))
    return None if db is None else db.with_name(f"{db.name}.{name}.lock")


def _try_file(path) -> Callable[[], None] | None:
    import fcntl

    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreUnavailable(
            f"cannot create the lock file {path}: {exc.strerror or type(exc).__name__}; check the data directory"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise

    def unlock() -> None:
        os.close(fd)  # closing the only descriptor releases the flock

    return unlock


def _file_locked(path) -> bool:
    """Does some process hold the flock on ``path``? (A shared probe: it never blocks an exclusive holder.)"""
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False  # no lock file: never locked
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _memory_lock(store: Store, name: str) -> threading.Lock:
    with _memory_guard:
        return _memory_locks.setdefault((id(store.engine), name), threading.Lock())


def _try_memory(store: Store, name: str) -> Callable[[], None] | None:
    lock = _memory_lock(store, name)
    return lock.release if lock.acquire(blocking=False) else None


def _try_lock(store: Store, name: str) -> Callable[[], None] | None:
    if store.dialect == "postgresql":
        return _try_advisory(store, name)
    path = _lock_file(store, name)
    return _try_memory(store, name) if path is None else _try_file(path)


# ---------------------------------------------------------------- the public surface


def try_acquire(store: Store, name: str, activity: str) -> Held | None:
    """Take lock ``name`` if it is free, else None."""
    unlock = _try_lock(store, name)
    if unlock is None:
        return None
    token = uuid.uuid4().hex
    row = {
        "name": name,
        "token": token,
        "activity": activity[:64],
        "holder": _who()[:200],
        "host": socket.gethostname()[:255],
        "pid": os.getpid(),
        "started_at": utc_now(),
    }
    try:
        rows.record(store, row)
    except BaseException:
        unlock()
        raise
    return Held(name, token, unlock, store)


def acquire(
    store: Store,
    name: str,
    activity: str,
    *,
    wait: float = 0.0,
    on_wait: Callable[[Holder | None], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Held:
    """Take lock ``name``, waiting up to ``wait`` seconds for its holder to finish; ``Busy`` says who holds it
    when it does not come free in time. ``on_wait`` is told once when we start waiting."""
    deadline = clock() + max(wait, 0.0)
    told, quick = False, 0
    while True:
        held = try_acquire(store, name, activity)
        if held is not None:
            return held
        current = holder(store, name)
        if current is None and quick < QUICK_RETRIES:  # let go meanwhile, or a status probe was looking
            quick += 1
            continue
        remaining = deadline - clock()
        if remaining <= 0:
            who = current.describe() if current else doing(activity)
            raise Busy.keyed("err_busy", holder=who)
        if on_wait is not None and not told:
            on_wait(current)
            told = True
        sleep(min(POLL_SECONDS, remaining))


@contextmanager
def hold(store: Store, name: str, activity: str, *, wait: float = 0.0, **kw) -> Iterator[Held]:
    """``acquire`` for the duration of a ``with`` block."""
    held = acquire(store, name, activity, wait=wait, **kw)
    try:
        yield held
    finally:
        held.release()


def holder(store: Store, name: str) -> Holder | None:
    """Who holds lock ``name`` now; None when nobody does (a row left by a killed holder counts as nobody)."""
    if store.dialect == "postgresql":
        held = rows.advisory_held(store, _advisory_key(name))
    else:
        path = _lock_file(store, name)
        held = _memory_lock(store, name).locked() if path is None else _file_locked(path)
    if not held:
        return None
    row = rows.read(store, name)
    if row is None:  # held, but the holder has not written its row yet
        return Holder(name, "run", "another process", "", None, None)
    return Holder(name, row.activity, row.holder, row.host, row.pid, row.started_at)


def exclusive(name: str, activity: str, *, wait: float = 0.0):
    """Run the decorated ``fn(settings, store, ...)`` holding lock ``name``; callers may pass ``lock_wait=`` (seconds)
    to wait for a running holder instead of the default."""

    def decorate(fn):
        @functools.wraps(fn)
        def run(settings, store, *args, lock_wait: float | None = None, **kwargs):
            with hold(store, name, activity, wait=wait if lock_wait is None else lock_wait):
                return fn(settings, store, *args, **kwargs)

        return run

    return decorate
