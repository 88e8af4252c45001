"""What Resend received, for tests of the alert emails: a ``resend.HTTPClient`` installed as the SDK's default
client, so ``core.outbox`` (the one road to Resend) sends through it. It keeps idempotency keys like Resend (a key
sent once answers the same id and sends nothing more) and ``fail_next`` refuses the next deliveries (422, not
retried: the alert stays pending until the next check)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import resend


@dataclass(frozen=True)
class Sent:
    key: str | None
    kind: str | None  # the message's "kind" tag
    to: tuple[str, ...]
    subject: str
    html: str
    text: str


class RecordedEmail(resend.HTTPClient):
    def __init__(self):
        self.sent: list[Sent] = []
        self.fail_next = 0
        self._ids: dict[str, str] = {}

    def request(self, method, url, headers, json=None, files=None, data=None):
        key = dict(headers).get("Idempotency-Key")
        if self.fail_next:
            self.fail_next -= 1
            body = {"statusCode": 422, "name": "validation_error", "message": "The email was refused."}
            return _dumps(body), 422, {"content-type": "application/json"}
        if key in self._ids:
            return _dumps({"id": self._ids[key]}), 200, {"content-type": "application/json"}
        email_id = f"email_{len(self.sent) + 1:04d}"
        if key:
            self._ids[key] = email_id
        kind = next((t["value"] for t in json.get("tags", []) if t.get("name") == "kind"), None)
        self.sent.append(
            Sent(key, kind, tuple(json["to"]), json["subject"], json.get("html", ""), json.get("text", ""))
        )
        return _dumps({"id": email_id}), 200, {"content-type": "application/json"}


def _dumps(value) -> bytes:
    return json.dumps(value).encode()


def install(monkeypatch) -> RecordedEmail:
    fake = RecordedEmail()
    monkeypatch.setattr(resend, "default_http_client", fake)
    return fake
