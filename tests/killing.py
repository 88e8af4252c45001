"""Killing real ``python -m core`` processes at chosen moments, without test hooks in production code.

The imitations (providers, Notion, Resend) run over HTTP in the test process, so a ``Gate`` around one of them
can hold the k-th matching request (the child waits for its answer) or answer it and then hold (the work is done
upstream, the answer is lost). The test kills the child with SIGKILL while it waits, then runs the same command
again and compares what is stored with an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from sqlalchemy import select

from core.store import transfer
from core.store.db import open_store
from core.store.types import UTCDateTime
from tests.fakes import serve
from tests.imitation import PROVIDER_NAMES, Imitation

ROOT = Path(__file__).resolve().parent.parent
# Tables about running the app, not figures: compared separately where it matters.
OPERATIONAL = {"collection_runs", "provider_status", "notion_pages", "notion_pending", "notion_sync_state"}
OPERATIONAL |= {"outbox", "locks", "reconciliations", "action_log", "sign_in_sessions", "data_version"}
KEPT_TIMES = {("scraper_runs", "created_at"), ("scraper_runs", "finished_at")}  # data, not bookkeeping


class Gate:
    """Holds the ``k``-th request that ``match`` accepts, once ``armed``, until ``release``; every handler made
    by ``wrap`` passes through the same gate (so "the first request of any provider" is one gate).

    With ``answer_first`` the wrapped handler answers it first (its side effect happens upstream: an email sent, a
    page created), then the answer is held back, as when a process dies while the answer travels. Once the gate
    holds its request, every later request through it waits too: the child is frozen until it is killed. With
    ``then_answer`` the child is not killed: after ``release`` the held requests are answered normally."""

    def __init__(
        self,
        match: Callable[[httpx.Request], bool] = lambda _r: True,
        k: int = 1,
        *,
        answer_first: bool = False,
        then_answer: bool = False,
    ):
        self.match, self.k, self.answer_first, self.then_answer = match, k, answer_first, then_answer
        self.armed = False
        self.reached = threading.Event()
        self.release = threading.Event()
        self.seen = 0
        self._lock = threading.Lock()

    def wrap(self, handle: Callable[[httpx.Request], httpx.Response]) -> Callable[[httpx.Request], httpx.Response]:
        return lambda request: self._pass(handle, request)

    def _pass(self, handle, request: httpx.Request) -> httpx.Response:
        request.read()
        with self._lock:
            frozen = self.reached.is_set()
            hit = self.armed and not frozen and self.match(request)
            if hit:
                self.seen += 1
                hit = self.seen == self.k
        if frozen and not self.release.is_set():
            self.release.wait(120)
            if not self.then_answer:
                raise ConnectionError("the client was killed")
        if not hit:
            return handle(request)
        if self.answer_first:
            handle(request).read()
        self.reached.set()
        self.release.wait(120)
        if self.then_answer:  # the client was not killed: it carries on after the pause
            return handle(request)
        raise ConnectionError("the client was killed")  # nobody is left to read an answer


@contextlib.contextmanager
def serve_imitation(im: Imitation, wrap: Callable[[str, Callable], Callable] | None = None) -> Iterator[dict]:
    """The six provider APIs over HTTP (like ``Imitation.serve``), each handler passed through ``wrap(name, h)``."""
    wrap = wrap or (lambda _name, handle: handle)
    with contextlib.ExitStack() as stack:
        urls = {name: stack.enter_context(serve(wrap(name, im.handler(name)))) for name in PROVIDER_NAMES}
        yield {
            "OPENAI_BASE_URL": f"{urls['openai']}/v1",
            "ANTHROPIC_BASE_URL": urls["anthropic"],
            "ELEVENLABS_BASE_URL": urls["elevenlabs"],
            "DEEPGRAM_BASE_URL": urls["deepgram"],
            "OPENROUTER_BASE_URL": f"{urls['openrouter']}/api/v1",
            "APIFY_BASE_URL": urls["apify"],
        }


def child_env(env: dict[str, str]) -> dict[str, str]:
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    return {**keep, "PYTHONPATH": str(ROOT), **env}


def run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    """``python -m core argv`` to the end."""
    return subprocess.run(
        [sys.executable, "-m", "core", *argv],
        env=child_env(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def kill_at(
    gate: Gate,
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    *,
    then: Callable[[], None] | None = None,
    timeout: float = 120,
) -> None:
    """Start ``python -m core argv``, wait for ``gate`` to hold its request (and for ``then``), SIGKILL it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "core", *argv],
        env=child_env(env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        if not gate.reached.wait(timeout):
            proc.kill()
            _, err = proc.communicate(timeout=30)
            raise AssertionError(f"the child never reached the kill point (exit {proc.returncode}): {err[-2000:]}")
        if then is not None:
            then()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        assert proc.returncode == -signal.SIGKILL, proc.returncode
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        proc.stdout.close()
        proc.stderr.close()
        gate.release.set()


def figures(url: str) -> dict[str, list[tuple]]:
    """Every stored figure: each data table's rows (ids and bookkeeping times left out), as a sorted list, so
    a duplicate shows."""
    store = open_store(url)
    try:
        out = {}
        with store.engine.connect() as conn:
            for table in transfer.tables():
                if table.name in OPERATIONAL:
                    continue
                columns = [
                    c
                    for c in table.columns
                    if not (c.primary_key and c.autoincrement is True)
                    and c is not table.autoincrement_column
                    and (not isinstance(c.type, UTCDateTime) or (table.name, c.name) in KEPT_TIMES)
                ]
                out[table.name] = sorted((tuple(r) for r in conn.execute(select(*columns))), key=repr)
        return out
    finally:
        store.dispose()
