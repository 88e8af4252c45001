"""The sign-in rules the HTTP layer (``core.web``) and the pages (``core.ui.auth``) share: the team password, the
cookie that keeps a password sign-in (signed, expiring, ended for good by signing out), and report links."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from core.config import Settings
from core.store import people as people_store
from core.store.db import Store
from core.web.keys import fingerprint, sign, unsign

MAX_SECRET_LENGTH = 512  # longer input is refused before any comparison
PASSWORD, REPORT = "password", "report"


def lifetime(settings: Settings) -> timedelta:
    return timedelta(days=settings.session_days)


def _equal(given: str | None, expected: str | None) -> bool:
    if not given or not expected or len(given) > MAX_SECRET_LENGTH:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def password_matches(settings: Settings, given: str | None) -> bool:
    return _equal(given, settings.app_password)


def report_token_matches(settings: Settings, given: str | None) -> bool:
    return _equal(given, settings.report_secret_token)


def start_password_session(settings: Settings, store: Store) -> str:
    """Remember a new password sign-in; returns the cookie value that stands for it."""
    sid = secrets.token_urlsafe(24)
    people_store.open_session(store, sid, kind=PASSWORD, lifetime=lifetime(settings))
    return sign(settings, PASSWORD, {"sid": sid, "fp": fingerprint(settings, PASSWORD, settings.app_password or "")})


def password_session(settings: Settings, store: Store, cookie: str | None) -> str | None:
    """The sign-in id behind a password cookie, when it is signed, unexpired, made with today's password and not
    signed out; otherwise None."""
    if not settings.app_password:
        return None
    payload = unsign(settings, PASSWORD, cookie, int(lifetime(settings).total_seconds()))
    if payload is None or not isinstance(payload.get("sid"), str) or not isinstance(payload.get("fp"), str):
        return None
    if not hmac.compare_digest(payload["fp"], fingerprint(settings, PASSWORD, settings.app_password)):
        return None  # APP_PASSWORD changed since: every earlier sign-in ends
    return payload["sid"] if people_store.session_alive(store, payload["sid"]) else None


def end_password_session(settings: Settings, store: Store, cookie: str | None) -> None:
    payload = unsign(settings, PASSWORD, cookie, int(lifetime(settings).total_seconds()))
    if payload and isinstance(payload.get("sid"), str):
        people_store.end_session(store, payload["sid"])


def report_cookie(settings: Settings) -> str:
    """The cookie a valid report link is swapped for (the token itself never goes back to the browser)."""
    return sign(settings, REPORT, {"fp": fingerprint(settings, REPORT, settings.report_secret_token or "")})


def report_cookie_valid(settings: Settings, cookie: str | None) -> bool:
    if not settings.report_secret_token:
        return False
    payload = unsign(settings, REPORT, cookie, int(lifetime(settings).total_seconds()))
    fp = payload.get("fp") if payload else None
    return isinstance(fp, str) and hmac.compare_digest(fp, fingerprint(settings, REPORT, settings.report_secret_token))
