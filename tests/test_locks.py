"""Locks in the database (``core.locks``): one holder at a time across threads and processes, a clear refusal that
says who holds the lock, a bounded wait, and a killed holder's lock free at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core import locks
from core.errors import Busy, StoreUnavailable
from core.store import locks as lock_rows

ROOT = Path(__file__).resolve().parent.parent

HOLDER_SCRIPT = """
import sys, time
from core import locks
from core.store.db import open_store
locks.name_process("python -m core collect")
store = open_store(sys.argv[1])
held = locks.acquire(store, "collection", "collection")
print("held", flush=True)
time.sleep(120)
"""


def start_holder(url: str) -> subprocess.Popen:
    """Another process that takes the collection lock and keeps it until killed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER_SCRIPT, url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    line = proc.stdout.readline()
    assert line.strip() == "held", proc.stderr.read()
    return proc


def test_a_second_holder_is_refused_with_who_holds_it(store):
    locks.name_process("python -m core collect")
    try:
        with locks.hold(store, locks.COLLECTION, "collection"):
            with pytest.raises(Busy) as err:
                locks.acquire(store, locks.COLLECTION, "Apify back-fill")
            current = locks.holder(store, locks.COLLECTION)
    finally:
        locks.name_process(None)
    message = str(err.value)
    assert message.startswith("a collection started at ") and " UTC by python -m core collect on " in message
    assert f"(pid {os.getpid()})" in message and "\n" not in message
    assert current.who == "python -m core collect" and current.pid == os.getpid()
    assert locks.holder(store, locks.COLLECTION) is None  # released at the end of the block
    with locks.hold(store, locks.COLLECTION, "collection"):  # and free again
        pass


def test_locks_of_different_names_do_not_block_each_other(store):
    with locks.hold(store, locks.COLLECTION, "collection"), locks.hold(store, locks.REPORT_EMAIL, "report email"):
        assert locks.holder(store, locks.NOTION_SYNC) is None


def test_a_waiting_holder_gets_the_lock_when_the_first_lets_go(store):
    first = locks.acquire(store, locks.COLLECTION, "collection")
    told = []
    threading.Timer(0.5, first.release).start()
    started = time.monotonic()
    with locks.hold(store, locks.COLLECTION, "collection", wait=30, on_wait=told.append):
        waited = time.monotonic() - started
    assert len(told) == 1 and told[0].activity == "collection"
    assert 0.3 < waited < 30


def test_the_wait_is_bounded(store):
    with locks.hold(store, locks.COLLECTION, "collection"):
        clock = [0.0]

        def sleep(seconds):
            clock[0] += seconds

        with pytest.raises(Busy, match="still running"):
            locks.acquire(store, locks.COLLECTION, "collection", wait=5, sleep=sleep, clock=lambda: clock[0])
        assert clock[0] == pytest.approx(5)


def test_threads_take_turns(store):
    inside, overlaps, done = [0], [], []

    def worker():
        with locks.hold(store, locks.COLLECTION, "collection", wait=60):
            inside[0] += 1
            overlaps.append(inside[0])
            time.sleep(0.02)
            inside[0] -= 1
        done.append(True)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(done) == 6 and max(overlaps) == 1


def test_another_process_holds_it_then_its_kill_frees_it_at_once(database_url, store):
    proc = start_holder(database_url)
    try:
        current = locks.holder(store, locks.COLLECTION)
        assert current is not None and current.pid == proc.pid and current.who == "python -m core collect"
        with pytest.raises(Busy, match=rf"by python -m core collect on .* \(pid {proc.pid}\) is still running"):
            locks.acquire(store, locks.COLLECTION, "collection")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    # The killed holder's row is still there, but the lock is not: nobody is shown as running, the next one takes it.
    assert lock_rows.read(store, locks.COLLECTION).pid == proc.pid
    assert locks.holder(store, locks.COLLECTION) is None
    with locks.hold(store, locks.COLLECTION, "collection", wait=5) as held:
        assert lock_rows.read(store, locks.COLLECTION).token == held.token
    assert lock_rows.read(store, locks.COLLECTION) is None


def test_the_decorator_holds_the_lock_and_accepts_a_wait(store):
    @locks.exclusive(locks.COLLECTION, "collection")
    def work(settings, store_, value):
        return locks.holder(store_, locks.COLLECTION), value

    current, value = work(None, store, 7)
    assert current is not None and current.activity == "collection" and value == 7
    with locks.hold(store, locks.COLLECTION, "collection"), pytest.raises(Busy):
        work(None, store, 8, lock_wait=0.3)


def test_a_lock_file_that_cannot_be_created_is_one_clear_error(tmp_path):
    from core.store.db import open_store

    store = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    (tmp_path / "db.sqlite.collection.lock").mkdir()  # something in the way
    try:
        with pytest.raises(StoreUnavailable, match="cannot create the lock file"):
            locks.acquire(store, locks.COLLECTION, "collection")
    finally:
        store.dispose()
