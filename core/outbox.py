"""The email outbox: a message is stored before its first attempt, and every attempt sends exactly what was stored.

    message = enqueue(store, Message(key, "alert", to, subject, html, text))   # the same key: the stored one back
    delivery = deliver(settings, store, message.key)                            # -> Delivery(sent, email_id, message)

Resend remembers an ``Idempotency-Key`` for 24 hours: the same key with the same body gets the first answer back
and sends nothing, the same key with another body is refused (409 ``invalid_idempotent_request``). Because every
retry repeats the stored body under the stored key, an attempt whose answer was lost (a timeout, a 500, a process
killed while waiting) can always be repeated: the recipients get one email. ``deliver``:

* retries 429, 5xx and connection failures through ``core.http.with_retries`` (bounded; ``Retry-After`` honoured);
* records every attempt before the request leaves, and its outcome after;
* never sends a key twice: once Resend accepted a message, ``deliver`` answers from the record;
* refuses to repeat a message whose unanswered attempt is older than Resend's memory of the key (it may have been
  delivered, and a repeat would then be a second email): the message says how to check and how to send anew.

A new message (``send-report --force``) needs a new key. No secret is ever stored: ``seal`` replaces each configured
secret in a message (the report token in a link, as is, URL-encoded or HTML-escaped) with a placeholder naming the
setting, and ``deliver`` puts the current value back in the copy it sends.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from urllib.parse import quote_plus

from core.config import Settings
from core.errors import ConfigError, NotifyError
from core.http import DEFAULT_POLICY, RetryPolicy, Verdict, parse_retry_after, with_retries
from core.periods import utc_now
from core.store import outbox as rows
from core.store.db import Store

KEY_MAX = 256  # Resend's limit on an idempotency key
IDEMPOTENCY_WINDOW = timedelta(hours=24)  # how long Resend remembers a key
REPEAT_WINDOW = IDEMPOTENCY_WINDOW - timedelta(hours=1)  # repeat an unanswered attempt only well inside it
_RESEND_LOCK = threading.Lock()  # the resend SDK keeps its key, URL and HTTP client in module globals


@dataclass(frozen=True)
class Message:
    """One email. ``key`` is its identity and its Resend idempotency key (at most 256 characters)."""

    key: str
    kind: str  # report | alert | ...
    to: tuple[str, ...]
    subject: str
    html: str
    text: str
    tags: tuple[tuple[str, str], ...] = ()  # Resend tags: ASCII letters, digits, _ and -
    meta: Mapping[str, str] = field(default_factory=dict, compare=False)  # remembered with it, never sent


@dataclass(frozen=True)
class Delivery:
    sent: bool  # sent by this call; False when Resend had accepted it before (nothing was sent again)
    email_id: str | None  # Resend's id, either way
    message: Message
    sent_at: datetime | None = None  # when Resend accepted it


# How a secret may appear in a message: as is, in a query string, in HTML, in a query string inside HTML.
_FORMS: dict[str, Callable[[str], str]] = {
    "raw": lambda v: v,
    "url": quote_plus,
    "html": lambda v: html.escape(v, quote=True),
    "url-html": lambda v: html.escape(quote_plus(v), quote=True),
}
_SECRET_FIELDS = tuple(f.name for f in fields(Settings) if not f.repr and f.name != "database_url")


def _mark(name: str, form: str) -> str:
    return f"\u27e6secret:{name}:{form}\u27e7"  # ⟦secret:report_secret_token:url⟧


def _secret_forms(settings: Settings) -> list[tuple[str, str]]:
    """(written form of a secret, its placeholder), longest first so that no secret is cut inside a longer one."""
    pairs = {}
    for name in _SECRET_FIELDS:
        value = getattr(settings, name)
        if value and len(value) >= 4:
            for form, encode in _FORMS.items():
                pairs.setdefault(encode(value), _mark(name, form))
    return sorted(pairs.items(), key=lambda p: len(p[0]), reverse=True)


def seal(message: Message, settings: Settings) -> Message:
    """``message`` with every configured secret replaced by a placeholder, fit to be stored."""
    forms = _secret_forms(settings)

    def clean(text: str) -> str:
        for written, mark in forms:
            text = text.replace(written, mark)
        return text

    return replace(message, subject=clean(message.subject), html=clean(message.html), text=clean(message.text))


def _unseal(text: str, settings: Settings) -> str:
    for name in _SECRET_FIELDS:
        for form, encode in _FORMS.items():
            mark = _mark(name, form)
            if mark in text:
                value = getattr(settings, name)
                if not value:
                    raise ConfigError(f"the stored email needs {name.upper()}, which is no longer set")
                text = text.replace(mark, encode(value))
    return text


def _row(message: Message) -> dict:
    if not message.key or len(message.key) > KEY_MAX:
        raise ValueError(f"an outbox key is 1 to {KEY_MAX} characters (got {len(message.key)})")
    return {
        "key": message.key,
        "kind": message.kind,
        "recipients": list(message.to),
        "subject": message.subject,
        "html": message.html,
        "text": message.text,
        "tags": [list(t) for t in message.tags],
        "meta": dict(message.meta),
        "created_at": utc_now(),
    }


def _message(row) -> Message:
    return Message(
        row.key,
        row.kind,
        tuple(row.recipients),
        row.subject,
        row.html,
        row.text,
        tuple((str(n), str(v)) for n, v in row.tags or ()),
        dict(row.meta or {}),
    )


def enqueue(store: Store, message: Message) -> Message:
    """Store ``message`` before any attempt; a message with the same key already stored is returned unchanged."""
    rows.add(store, _row(message))
    return _message(rows.get(store, message.key))


def refresh(store: Store, message: Message) -> Message:
    """Store ``message``, replacing the content stored under its key as long as no attempt to send it began
    (nothing left with it yet, so newer figures may replace older ones); otherwise the stored message, unchanged."""
    if not rows.replace_unattempted(store, _row(message)):
        return enqueue(store, message)
    return _message(rows.get(store, message.key))


def stored(store: Store, key: str) -> Message | None:
    row = rows.get(store, key)
    return _message(row) if row is not None else None


def unfinished(store: Store, key_prefix: str) -> list[Message]:
    """Messages under ``key_prefix`` whose sending began and was never confirmed (retry them with ``deliver``)."""
    return [_message(r) for r in rows.unfinished(store, key_prefix)]


def deliver(
    settings: Settings,
    store: Store,
    key: str,
    *,
    http_client=None,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> Delivery:
    """Send the stored message ``key`` with Resend, exactly as stored, with ``key`` as its Idempotency-Key.

    ``http_client`` is a ``resend.HTTPClient`` (tests, demos). Raises ``NotifyError`` (one line, what happened and
    what to do) or ``ConfigError``; the outcome is recorded either way."""
    row = rows.get(store, key)
    if row is None:
        raise NotifyError(f"no message {key[:80]!r} in the outbox")
    message = _message(row)
    if row.sent_at is not None:
        return Delivery(False, row.email_id, message, sent_at=row.sent_at)
    if not settings.resend_api_key:
        raise ConfigError.keyed("err_email_not_configured", missing="RESEND_API_KEY")
    sender = row.sender or settings.report_email_from
    if not sender:
        raise ConfigError.keyed("err_email_not_configured", missing="REPORT_EMAIL_FROM")
    now = utc_now()
    if row.unconfirmed_since is not None and now - row.unconfirmed_since > REPEAT_WINDOW:
        raise NotifyError(
            f"the attempt of {row.unconfirmed_since:%Y-%m-%d %H:%M} UTC to send {key!r} got no answer and Resend "
            "forgets idempotency keys after 24 hours: it may have been delivered. Look for it in Resend's email log; "
            "if it is not there, send a new one (send-report --force)"
        )
    params = {
        "from": sender,
        "to": list(message.to),
        "subject": _unseal(message.subject, settings),
        "html": _unseal(message.html, settings),
        "text": _unseal(message.text, settings),
    }
    if message.tags:
        params["tags"] = [{"name": n, "value": v} for n, v in message.tags]
    rows.begin_attempt(store, key, sender, now)
    try:
        email_id = _send(settings, params, key, http_client, policy)
    except _Failed as exc:
        text = settings.redact(exc.message)
        rows.record_failure(store, key, text, delivered_maybe=exc.delivered_maybe)
        raise NotifyError(text) from None
    sent_at = utc_now()
    rows.record_sent(store, key, email_id, sent_at)
    return Delivery(True, email_id, message, sent_at=sent_at)


class _Failed(Exception):
    def __init__(self, message: str, *, retry: bool, delivered_maybe: bool, retry_after: float | None = None):
        super().__init__(message)
        self.message, self.retry, self.delivered_maybe, self.retry_after = message, retry, delivered_maybe, retry_after


def _send(settings: Settings, params: dict, key: str, http_client, policy: RetryPolicy) -> str:
    import resend
    import resend.exceptions

    def attempt(n: int) -> str:
        tries = f"after {n} attempt{'s' * (n > 1)}"
        with _RESEND_LOCK:
            saved = resend.api_key, resend.api_url, resend.default_http_client
            resend.api_key, resend.api_url = settings.resend_api_key, settings.resend_api_url
            if http_client is not None:
                resend.default_http_client = http_client
            try:
                response = resend.Emails.send(params, {"idempotency_key": key})
            except resend.exceptions.ResendError as exc:
                raise _judge_error(exc, tries) from None
            finally:
                resend.api_key, resend.api_url, resend.default_http_client = saved
        email_id = response.get("id") if hasattr(response, "get") else None
        if not email_id:
            raise _Failed(
                f"Resend answered without an email id ({tries}); run the send again: it repeats the same message "
                "and key, so nobody gets it twice",
                retry=True,
                delivered_maybe=True,
            )
        return str(email_id)

    def judge(exc: Exception) -> Verdict:
        return Verdict(exc.retry, exc.retry_after) if isinstance(exc, _Failed) else Verdict(False)

    return with_retries(attempt, judge, policy)


def _header(exc, name: str) -> str | None:
    headers = getattr(exc, "headers", None) or {}
    return next((str(v) for k, v in headers.items() if str(k).lower() == name), None)


def _judge_error(exc, tries: str) -> _Failed:
    """What a Resend error means: retry it? could the email have gone out anyway? and one line saying so."""
    import resend.exceptions

    try:
        status = int(getattr(exc, "code", 0) or 0)
    except (TypeError, ValueError):
        status = 0
    kind = str(getattr(exc, "error_type", "") or "")
    detail = " ".join(str(getattr(exc, "message", "") or exc).split())[:200]
    said = f"HTTP {status} {kind}: {detail}" if status else detail
    again = "run the send again: it repeats the same message and key, so nobody gets it twice"
    if kind == "HttpClientError":  # the SDK's wrapper around a connection failure or timeout
        return _Failed(f"could not reach Resend ({detail}; {tries}); {again}", retry=True, delivered_maybe=True)
    if status == 429:
        retry_after = parse_retry_after(_header(exc, "retry-after"))
        wait = f"try again in {retry_after:.0f} s" if retry_after is not None else "try again later"
        return _Failed(
            f"Resend rate limit ({said}); still refused {tries}; {wait}",
            retry=True,
            delivered_maybe=False,
            retry_after=retry_after,
        )
    if status == 409 and kind == "concurrent_idempotent_requests":
        return _Failed(
            f"Resend is still handling an earlier attempt of this email ({tries}); {again}",
            retry=True,
            delivered_maybe=True,
            retry_after=parse_retry_after(_header(exc, "retry-after")),
        )
    if status == 409:
        return _Failed(
            f"Resend refused the email: its idempotency key was used in the last 24 hours for a different email "
            f"({said}), so that one probably went out; send a new one with --force if needed",
            retry=False,
            delivered_maybe=True,
        )
    if status >= 500 or status in (408, 425):
        return _Failed(
            f"Resend failed on its side ({said}; {tries}); the email may or may not have gone out; {again}",
            retry=True,
            delivered_maybe=True,
        )
    if isinstance(exc, resend.exceptions.MissingApiKeyError | resend.exceptions.InvalidApiKeyError) or status == 401:
        message = f"Resend rejected the API key ({said}); check RESEND_API_KEY"
        return _Failed(message, retry=False, delivered_maybe=False)
    if "domain" in detail.lower() or "from" in detail.lower():
        return _Failed(
            f"Resend refused the sender ({said}); verify REPORT_EMAIL_FROM's domain in Resend",
            retry=False,
            delivered_maybe=False,
        )
    return _Failed(f"Resend refused the email ({said})", retry=False, delivered_maybe=False)
