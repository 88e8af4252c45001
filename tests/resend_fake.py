"""An imitation of Resend's ``POST /emails`` that keeps idempotency keys like the real service does.

* A key seen in the last 24 hours with the same body answers the first email's id and sends nothing more; with
  another body it is refused with 409 ``invalid_idempotent_request``. A request without a key always sends.
* A wrong API key gets 401 ``missing_api_key`` / 403 ``invalid_api_key``, in Resend's error shape.
* ``faults`` are served one per request, in order: ``("status", code, name, message, headers)`` answers an error
  without sending; ``"lose"`` sends the email, then drops the answer (a connection error for the SDK client, a
  closed connection over HTTP); ``("hold", event)`` sends the email, then waits for ``event`` before answering
  (a test kills the client meanwhile); ``("hold_before", event)`` waits before sending anything.

Usable as a ``resend.HTTPClient`` (``fake.client()``) and over real HTTP (``serve(fake.handle)``).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import resend

API_KEY = "re_test_key_123456"
WINDOW = timedelta(hours=24)


@dataclass
class Sent:
    id: str
    key: str | None
    body: dict
    at: datetime


@dataclass
class FakeResend:
    api_key: str = API_KEY
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    emails: list[Sent] = field(default_factory=list)  # what recipients received
    requests: list[dict] = field(default_factory=list)  # every request: {"key", "body", "headers"}
    faults: list = field(default_factory=list)
    started: threading.Event = field(default_factory=threading.Event)  # set when a held request arrives
    _keys: dict[str, tuple[str, str, datetime]] = field(default_factory=dict)  # key -> (body digest, id, first seen)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ---- the service

    def post(self, headers: dict[str, str], body: dict) -> tuple[int, dict, dict[str, str]]:
        headers = {k.lower(): v for k, v in headers.items()}
        key = headers.get("idempotency-key")
        with self._lock:
            self.requests.append({"key": key, "body": body, "headers": headers})
            fault = self.faults.pop(0) if self.faults else None
        if isinstance(fault, tuple) and fault[0] == "hold_before":
            self.started.set()
            fault[1].wait(120)
            fault = None
        if isinstance(fault, tuple) and fault[0] == "status":
            _, status, name, message, extra = fault
            return status, {"statusCode": status, "name": name, "message": message}, extra or {}
        auth = headers.get("authorization", "")
        if auth in ("", "Bearer None"):
            return 401, {"statusCode": 401, "name": "missing_api_key", "message": "Missing API key"}, {}
        if auth != f"Bearer {self.api_key}":
            return 403, {"statusCode": 403, "name": "invalid_api_key", "message": "API key is invalid"}, {}
        status, answer = self._send(key, body)
        if fault == "lose":
            raise ConnectionError("connection reset by peer (imitation: the answer was lost)")
        if isinstance(fault, tuple) and fault[0] == "hold":
            self.started.set()
            fault[1].wait(120)
        return status, answer, {}

    def _send(self, key: str | None, body: dict) -> tuple[int, dict]:
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        with self._lock:
            if key is not None and key in self._keys and self.now - self._keys[key][2] < WINDOW:
                seen, email_id, _ = self._keys[key]
                if seen != digest:
                    return 409, {
                        "statusCode": 409,
                        "name": "invalid_idempotent_request",
                        "message": "Same idempotency key used with a different request payload.",
                    }
                return 200, {"id": email_id}
            email_id = f"em_{len(self.emails) + 1:04d}"
            self.emails.append(Sent(email_id, key, body, self.now))
            if key is not None:
                self._keys[key] = (digest, email_id, self.now)
            return 200, {"id": email_id}

    # ---- as the SDK's HTTP client

    def client(self) -> resend.HTTPClient:
        fake = self

        class Client(resend.HTTPClient):
            def request(self, method, url, headers, json=None, files=None, data=None):
                status, answer, extra = fake.post(dict(headers), json or {})
                return _dumps(answer), status, {"content-type": "application/json", **extra}

        return Client()

    # ---- over HTTP (tests.fakes.serve)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST" or request.url.path != "/emails":
            return httpx.Response(404, json={"statusCode": 404, "name": "not_found", "message": "Not found"})
        status, answer, extra = self.post(dict(request.headers), json.loads(request.content or b"{}"))
        return httpx.Response(status, json=answer, headers=extra)

    def received_by(self, address: str) -> list[Sent]:
        return [e for e in self.emails if address in e.body.get("to", [])]


def _dumps(value) -> bytes:
    return json.dumps(value).encode()
