"""Fakes for tests: the recording Resend client, and (from the one imitation, ``tests.imitation``) Apify's runs API
and the local HTTP server, re-exported here for the tests that use them alone."""

from __future__ import annotations

import json

import resend

from tests.imitation import FakeApify, run_item, serve

__all__ = ["FakeApify", "RecordingResendClient", "run_item", "serve"]


class RecordingResendClient(resend.HTTPClient):
    """Answers like Resend and remembers each request; ``status``/``body`` set a canned failure."""

    def __init__(self, status: int = 200, body: dict | None = None):
        self.calls: list[dict] = []
        self.status = status
        self.body = body

    def request(self, method, url, headers, json=None, files=None, data=None):
        self.calls.append({"method": method, "url": url, "headers": dict(headers), "json": json})
        body = self.body if self.body is not None else {"id": f"email_{len(self.calls):04d}"}
        return _dumps(body), self.status, {"content-type": "application/json"}


def _dumps(value) -> bytes:
    return json.dumps(value).encode()


def collect_now_in_app(env, fake: FakeApify, app: str = "../streamlit_app.py"):
    """The app (AppTest) with Apify served by ``fake`` and "Collect now" pressed; ``env`` is a monkeypatch."""
    from streamlit.testing.v1 import AppTest

    with serve(fake.handle) as url:
        env.setenv("APIFY_TOKEN", "apify_api_test_token_0000")
        env.setenv("APIFY_BASE_URL", url)
        at = AppTest.from_file(app, default_timeout=60).run()
        at.button(key="collect_now").click().run()
    return at
