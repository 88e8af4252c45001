"""Sending the monthly report email with Resend (its content comes from ``core.report_email``).

Sending is idempotent per month and recipient list: a second run sends nothing (the summary records what was
sent), and a retry reuses Resend's ``Idempotency-Key``; ``force=True`` sends again with a new key.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import resend
import resend.exceptions
from sqlalchemy import select

from core.config import Settings
from core.errors import ConfigError, NotifyError
from core.periods import month_key, utc_now
from core.report import monthly_report
from core.report_email import render
from core.revisions import save_month
from core.store.db import Store
from core.store.schema import monthly_summaries, provider_snapshots

_RESEND_LOCK = threading.Lock()  # the resend SDK keeps its key, URL and HTTP client in module globals


@dataclass(frozen=True)
class SendResult:
    month: str
    recipients: tuple[str, ...]
    sent: bool
    email_id: str | None
    message: str


def revised_since_sent(store: Store, before: date) -> list[tuple[date, Decimal, Decimal]]:
    """Earlier months whose figures changed after their email went out: (month, emailed total, total now)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(monthly_summaries)
            .where(
                monthly_summaries.c.month < before,
                monthly_summaries.c.revised_at.is_not(None),
                monthly_summaries.c.email_sent_at.is_not(None),
                monthly_summaries.c.revised_at > monthly_summaries.c.email_sent_at,
            )
            .order_by(monthly_summaries.c.month.desc())
            .limit(12)
        ).all()
    return [
        (r.month, r.email_total_usd, r.total_cost_usd)
        for r in rows
        if r.email_total_usd is not None and r.email_total_usd != r.total_cost_usd
    ]


def idempotency_key(month: date, recipients: Sequence[str], *, force_nonce: str | None = None) -> str:
    digest = hashlib.sha256(",".join(sorted(a.lower() for a in recipients)).encode()).hexdigest()[:16]
    key = f"spendboard-report/{month_key(month)}/{digest}"
    return f"{key}/force-{force_nonce}" if force_nonce else key


def _check_config(settings: Settings) -> None:
    missing = [
        name
        for name, value in (
            ("RESEND_API_KEY", settings.resend_api_key),
            ("REPORT_EMAIL_FROM", settings.report_email_from),
            ("REPORT_EMAIL_TO", settings.report_email_to),
        )
        if not value
    ]
    if missing:
        raise ConfigError(f"email is not configured: set {', '.join(missing)} (see README > Email)")


def _already_sent(store: Store, month: date, recipients: tuple[str, ...]):
    with store.engine.connect() as conn:
        row = conn.execute(select(monthly_summaries).where(monthly_summaries.c.month == month)).first()
    if row and row.email_sent_at and row.email_recipients == ",".join(recipients):
        return row
    return None


def _resend_error(exc: resend.exceptions.ResendError) -> str:
    message = str(getattr(exc, "message", "") or exc).splitlines()[0][:200]
    if isinstance(exc, resend.exceptions.MissingApiKeyError | resend.exceptions.InvalidApiKeyError):
        return f"Resend rejected the API key ({message}); check RESEND_API_KEY"
    if isinstance(exc, resend.exceptions.RateLimitError):
        retry = (getattr(exc, "headers", None) or {}).get("retry-after")
        return f"Resend rate limit ({message}); try again{f' in {retry} s' if retry else ' later'}"
    if "domain" in message.lower() or "from" in message.lower():
        return f"Resend refused the sender ({message}); verify REPORT_EMAIL_FROM's domain in Resend"
    return f"Resend refused the email ({message})"


def send_report(
    settings: Settings,
    store: Store,
    month: date,
    *,
    force: bool = False,
    http_client: resend.HTTPClient | None = None,
) -> SendResult:
    """Send ``month``'s report to ``REPORT_EMAIL_TO``; record it only once Resend accepted it."""
    _check_config(settings)
    recipients = tuple(settings.report_email_to)
    key = month_key(month)
    if not force and (row := _already_sent(store, month, recipients)):
        return SendResult(
            key,
            recipients,
            False,
            row.email_id,
            f"already sent on {row.email_sent_at:%Y-%m-%d %H:%M} UTC; use --force to send again",
        )
    report = monthly_report(store, month, settings.app_base_url)
    save_month(store, report)  # the summary row that records the sending
    email = render(report, settings, revised_since_sent(store, month))
    params = {
        "from": settings.report_email_from,
        "to": list(recipients),
        "subject": email.subject,
        "html": email.html,
        "text": email.text,
        "tags": [{"name": "report", "value": "monthly"}, {"name": "month", "value": key.replace("-", "_")}],
    }
    options = {
        "idempotency_key": idempotency_key(
            month, recipients, force_nonce=utc_now().strftime("%Y%m%dT%H%M%S%f") if force else None
        )
    }
    with _RESEND_LOCK:
        saved = resend.api_key, resend.api_url, resend.default_http_client
        resend.api_key, resend.api_url = settings.resend_api_key, settings.resend_api_url
        if http_client is not None:
            resend.default_http_client = http_client
        try:
            response = resend.Emails.send(params, options)
        except resend.exceptions.ResendError as exc:
            raise NotifyError(settings.redact(_resend_error(exc))) from None
        finally:
            resend.api_key, resend.api_url, resend.default_http_client = saved
    email_id = response.get("id") if hasattr(response, "get") else None
    if not email_id:
        raise NotifyError("Resend answered without an email id; nothing was recorded as sent")
    with store.engine.begin() as conn:
        conn.execute(
            monthly_summaries.update()
            .where(monthly_summaries.c.month == month)
            .values(
                email_sent_at=utc_now(),
                email_recipients=",".join(recipients),
                email_id=str(email_id),
                email_total_usd=report.total_cost_usd,
                revised_at=None,  # the email announced the current figures: later changes are measured from them
                revised_from_usd=None,
            )
        )
        conn.execute(
            provider_snapshots.update().where(provider_snapshots.c.month == month).values(revised_from_usd=None)
        )
    return SendResult(key, recipients, True, str(email_id), f"sent to {', '.join(recipients)}")
