"""Sending the monthly report email (its content comes from ``core.report_email``, its delivery from the outbox).

Once per month and recipient list: a second run sends nothing (the summary records what was sent). The rendered
message is stored in the outbox before the first attempt and every retry sends exactly it under the same
idempotency key, so an attempt whose answer was lost is finished by the next run without a second email, even if a
collection changed the figures meanwhile. ``force=True`` sends a new message with a new key. One send at a time
(the ``report-email`` lock): two clicks, or a click and a cron job, never race.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from core import locks, outbox
from core.budgets import email_lines
from core.config import Settings
from core.errors import ConfigError
from core.http import DEFAULT_POLICY, RetryPolicy
from core.periods import check_started, month_key, utc_now, utc_today
from core.report import monthly_report
from core.report_email import render
from core.revisions import save_month
from core.store import snapshots
from core.store.db import Store

KIND = "report"
LOCK_WAIT = 60.0  # seconds a send waits for another send of the report to end


@dataclass(frozen=True)
class SendResult:
    month: str
    recipients: tuple[str, ...]
    sent: bool
    email_id: str | None
    message: str
    already_sent_at: datetime | None = None  # not sent now: it was, at this time (UTC), to the same recipients


def revised_since_sent(store: Store, before: date) -> list[tuple[date, Decimal, Decimal]]:
    """Earlier months whose figures changed after their email went out: (month, emailed total, total now)."""
    return [(m, emailed, now) for m, emailed, now in snapshots.revised_since_emailed(store, before) if emailed != now]


def _key_prefix(month: date, recipients: Sequence[str]) -> str:
    digest = hashlib.sha256(",".join(sorted(a.lower() for a in recipients)).encode()).hexdigest()[:16]
    return f"spendboard-report/{month_key(month)}/{digest}"


def idempotency_key(month: date, recipients: Sequence[str], *, force_nonce: str | None = None) -> str:
    key = _key_prefix(month, recipients)
    return f"{key}/force-{force_nonce}" if force_nonce else key


def check_config(settings: Settings) -> None:
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
        raise ConfigError.keyed("err_email_not_configured", missing=", ".join(missing))


def _render(settings: Settings, store: Store, month: date, key: str, recipients: tuple[str, ...]) -> outbox.Message:
    report = monthly_report(store, month, settings.app_base_url)
    save_month(store, report)  # the summary row that records the sending
    budgets = email_lines(store, month, utc_today(), settings.app_language)
    email = render(report, settings, revised_since_sent(store, month), budgets)
    tags = (("report", "monthly"), ("month", month_key(month).replace("-", "_")))
    meta = {"month": month_key(month), "total_usd": str(report.total_cost_usd)}
    message = outbox.Message(key, KIND, recipients, email.subject, email.html, email.text, tags, meta)
    return outbox.seal(message, settings)  # the link's report token is never stored


def send_report(
    settings: Settings,
    store: Store,
    month: date,
    *,
    force: bool = False,
    http_client=None,
    policy: RetryPolicy = DEFAULT_POLICY,
    lock_wait: float = LOCK_WAIT,
) -> SendResult:
    """Send ``month``'s report to ``REPORT_EMAIL_TO``; record it once Resend accepted it. ``http_client`` is a
    ``resend.HTTPClient`` (tests, demos)."""
    check_config(settings)
    check_started(month, utc_today())
    recipients = tuple(settings.report_email_to)
    prefix = _key_prefix(month, recipients)
    with locks.hold(store, locks.REPORT_EMAIL, "report email", wait=lock_wait):
        unfinished = [] if force else outbox.unfinished(store, prefix)
        if unfinished:  # a send began and never heard back: finish it, exactly as it was
            message = unfinished[0]
        else:
            done = snapshots.email_record(store, month)
            if not force and done and done.email_sent_at and done.email_recipients == ",".join(recipients):
                return SendResult(
                    month_key(month),
                    recipients,
                    False,
                    done.email_id,
                    f"already sent on {done.email_sent_at:%Y-%m-%d %H:%M} UTC; use --force to send again",
                    done.email_sent_at,
                )
            nonce = utc_now().strftime("%Y%m%dT%H%M%S%f") if force else None
            key = idempotency_key(month, recipients, force_nonce=nonce)
            message = outbox.refresh(store, _render(settings, store, month, key, recipients))
        delivery = outbox.deliver(settings, store, message.key, http_client=http_client, policy=policy)
        if snapshots.email_record(store, month) is None:
            save_month(store, monthly_report(store, month, settings.app_base_url))
        total = Decimal(message.meta["total_usd"]) if "total_usd" in message.meta else None
        snapshots.record_email(store, month, ",".join(recipients), str(delivery.email_id), total, delivery.sent_at)
    if not delivery.sent:
        text = f"already sent to {', '.join(recipients)} (Resend accepted it earlier)"
    else:
        text = f"sent to {', '.join(recipients)}"
    return SendResult(month_key(month), recipients, delivery.sent, delivery.email_id, text)
