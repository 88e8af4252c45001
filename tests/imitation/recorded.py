"""Recorded answers: real-shaped pages (``tests/fixtures/<provider>/``) served for chosen endpoints in place of the
ledger, so an adapter's unit tests check its parsing on exact vendor payloads while the imitation still checks the
credential, injects the faults and records every request. Endpoints without a recorded answer answer from the
ledger as usual.

An answer is a JSON body, an ``httpx.Response``, an exception to raise, or a handler ``request -> one of those``
(``None``: answer from the ledger). Several answers for one endpoint are served in turn, the last one repeating.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx

Answer = Any  # dict | list | httpx.Response | BaseException | Callable[[httpx.Request], Any]


class Recorded:
    def __init__(self):
        self._answers: dict[tuple[str, str, str | None], list[Answer]] = {}
        self._lock = threading.Lock()

    def add(self, name: str, path: str, answers: tuple[Answer, ...], page: str | None = None) -> None:
        """Answer ``path`` of provider ``name`` (the first page, or the one whose ``page`` cursor is given)."""
        if not answers:
            raise ValueError("replay needs at least one answer")
        with self._lock:
            self._answers[(name, path, page)] = list(answers)

    def answer(self, name: str, request: httpx.Request) -> httpx.Response | None:
        """The recorded answer to ``request``, or None when the ledger answers it."""
        with self._lock:
            queue = self._answers.get((name, request.url.path, request.url.params.get("page")))
            if queue is None:
                return None
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if callable(answer) and not isinstance(answer, httpx.Response | BaseException):
            answer = answer(request)
        if answer is None or isinstance(answer, httpx.Response):
            return answer
        if isinstance(answer, BaseException):
            raise answer
        return httpx.Response(200, json=answer)
