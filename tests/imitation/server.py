"""Serve a MockTransport-style handler over real HTTP on 127.0.0.1 (for the command line and the app under test)."""

from __future__ import annotations

from collections.abc import Callable

import httpx


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
