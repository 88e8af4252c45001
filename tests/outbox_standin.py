"""A minimal stand-in for ``core.outbox`` (issue 12, being built in parallel) with exactly its interface, for these
tests only: ``Message(key, kind, to, subject, html, text)``, ``enqueue(store, message) -> Message`` (stored before
the first attempt; the same key returns the stored message) and ``deliver(settings, store, key, *,
http_client=None) -> Delivery(sent, email_id, message)`` (sends the stored message, never a key twice).

It records what Resend would have received (``sent``) and can be told to fail the next deliveries
(``fail_next``). State is kept per database URL, so separate command-line runs share it like a real table.
Remove once ``core.outbox`` lands: the tests then run against the real one (with a recording Resend client).
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass

from core.errors import NotifyError


@dataclass(frozen=True)
class Message:
    key: str
    kind: str
    to: tuple[str, ...]
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class Delivery:
    sent: bool
    email_id: str | None
    message: Message


class Outbox:
    def __init__(self):
        self.stored: dict[tuple[str, str], Message] = {}
        self.delivered: dict[tuple[str, str], str] = {}
        self.sent: list[Message] = []  # what Resend received, in order
        self.fail_next = 0

    def module(self) -> types.ModuleType:
        m = types.ModuleType("core.outbox")
        m.Message, m.Delivery = Message, Delivery
        m.enqueue, m.deliver = self.enqueue, self.deliver
        return m

    def enqueue(self, store, message: Message) -> Message:
        return self.stored.setdefault((str(store.engine.url), message.key), message)

    def deliver(self, settings, store, key: str, *, http_client=None) -> Delivery:
        where = (str(store.engine.url), key)
        message = self.stored[where]
        if where in self.delivered:
            return Delivery(False, self.delivered[where], message)
        if self.fail_next:
            self.fail_next -= 1
            raise NotifyError("Resend refused the email (HTTP 503); it will be retried")
        self.sent.append(message)
        self.delivered[where] = f"email_{len(self.sent):04d}"
        return Delivery(True, self.delivered[where], message)


def install(monkeypatch) -> Outbox:
    """Put a fresh stand-in in place of ``core.outbox`` for one test."""
    outbox = Outbox()
    monkeypatch.setitem(sys.modules, "core.outbox", outbox.module())
    return outbox
