"""An imitation of Apify's runs API for tests, served through ``httpx.MockTransport``.

It honours ``offset``, ``limit`` (capped at 1000), ``desc`` and ``startedAfter``/``startedBefore`` like the real
API, and records every request so tests can assert what was sent.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from tests.conftest import load_fixture


def run_item(run_id: str, started: datetime, cost: object, status: str = "SUCCEEDED", act: str = "actA") -> dict:
    item = copy.deepcopy(load_fixture("apify", "run_short.json"))
    item.update(id=run_id, actId=act, status=status, startedAt=started.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    if cost is None:
        item.pop("usageTotalUsd")
    else:
        item["usageTotalUsd"] = cost
    return item


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class FakeApify:
    def __init__(self, runs: list[dict], *, token: str = "apify_api_test_token_0000"):
        self.runs = runs
        self.token = token
        self.requests: list[httpx.Request] = []
        self.fail_next: list[httpx.Response | Exception] = []  # served before normal answers
        self.hook: Callable[[httpx.Request], httpx.Response | None] | None = None

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail_next:
            failure = self.fail_next.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return httpx.Response(401, json=load_fixture("apify", "error_401.json"))
        if self.hook and (response := self.hook(request)):
            return response
        path = request.url.path
        if path == "/v2/actor-runs":
            return self._list(request)
        if path.startswith("/v2/actor-runs/"):
            run_id = path.rsplit("/", 1)[1]
            for run in self.runs:
                if run["id"] == run_id:
                    full = copy.deepcopy(load_fixture("apify", "run.json"))
                    full["data"].update(run)
                    return httpx.Response(200, json=full)
            return httpx.Response(404, json={"error": {"type": "record-not-found", "message": "Actor run not found"}})
        if path.startswith("/v2/datasets/"):
            return httpx.Response(200, json=load_fixture("apify", "dataset.json"))
        return httpx.Response(404, json={"error": {"type": "page-not-found", "message": "Not found"}})

    def _list(self, request: httpx.Request) -> httpx.Response:
        q = request.url.params
        offset = int(q.get("offset", 0))
        limit = min(int(q.get("limit", 1000)), 1000)
        desc = q.get("desc") in ("1", "true")
        runs = sorted(self.runs, key=lambda r: r["startedAt"], reverse=desc)
        if "startedAfter" in q:
            runs = [r for r in runs if _parse(r["startedAt"]) >= _parse(q["startedAfter"])]
        if "startedBefore" in q:
            runs = [r for r in runs if _parse(r["startedAt"]) <= _parse(q["startedBefore"])]
        items = runs[offset : offset + limit]
        data = {"total": len(runs), "offset": offset, "limit": limit, "count": len(items), "desc": desc, "items": items}
        return httpx.Response(200, json={"data": data})


class _LocalServer:
    """Serve a MockTransport-style handler over real HTTP on 127.0.0.1 (for the CLI and the app)."""

    def __init__(self, handle: Callable[[httpx.Request], httpx.Response]):
        import http.server
        import threading

        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = httpx.Request(
                    self.command, f"http://127.0.0.1{self.path}", headers=dict(self.headers), content=body
                )
                try:
                    response = outer.handle(request)
                    response.read()
                except Exception:  # an injected transport failure: close the connection without answering
                    self.close_connection = True
                    return
                self.send_response(response.status_code)
                for key, value in response.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

            do_GET = do_POST = do_PATCH = do_DELETE = _serve

            def log_message(self, *args):
                pass

        self.handle = handle
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def serve(handle: Callable[[httpx.Request], httpx.Response]) -> _LocalServer:
    return _LocalServer(handle)
