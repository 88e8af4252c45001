"""Signed, expiring cookie values (itsdangerous). The signing key is ``SESSION_SECRET``, else ``[auth]
cookie_secret`` (Streamlit's own), else a random key made when the process starts (sign-ins then end with a restart).

A value carries a fingerprint of the secret it stands for (the password, the report token), so changing that
secret ends every sign-in made with the old one."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from functools import cache

from itsdangerous import BadSignature, URLSafeTimedSerializer

from core.config import Settings

log = logging.getLogger("spendboard.auth")

SESSION_COOKIE = "spendboard_session"  # a password sign-in
REPORT_COOKIE = "spendboard_report"  # a valid report link was opened
MAX_COOKIE = 4096


@cache
def _process_key() -> str:
    log.warning("SESSION_SECRET is not set: password sign-ins and report links end when the app restarts")
    return secrets.token_urlsafe(32)


def signing_key(settings: Settings) -> str:
    return settings.session_secret or settings.sso_cookie_secret or _process_key()


def fingerprint(settings: Settings, kind: str, secret: str) -> str:
    """A short keyed digest of a secret: binds a cookie to it without revealing anything about it."""
    return hmac.new(signing_key(settings).encode(), f"{kind}\0{secret}".encode(), hashlib.sha256).hexdigest()[:32]


def _serializer(settings: Settings, kind: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_key(settings), salt=f"spendboard/{kind}")


def sign(settings: Settings, kind: str, payload: dict) -> str:
    return _serializer(settings, kind).dumps(payload)


def unsign(settings: Settings, kind: str, value: str | None, max_age_seconds: int) -> dict | None:
    """The payload of a value signed for ``kind`` no longer ago than ``max_age_seconds``; None if it is not one."""
    if not value or len(value) > MAX_COOKIE:
        return None
    try:
        payload = _serializer(settings, kind).loads(value, max_age=max_age_seconds)
    except BadSignature:  # also SignatureExpired
        return None
    return payload if isinstance(payload, dict) else None
