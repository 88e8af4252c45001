"""The monthly report email: rendered with Jinja2 (autoescaped HTML + plain text), sent with Resend.

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
from pathlib import Path
from urllib.parse import urlencode

import jinja2
import resend
import resend.exceptions
from sqlalchemy import select

from core.config import Settings
from core.coverage import describe
from core.errors import ConfigError, NotifyError
from core.i18n import translator
from core.models import DERIVED_FROM_CREDITS
from core.money import format_usd
from core.periods import month_key, previous_month, utc_now
from core.providers import label, registry
from core.report import MonthReport, monthly_report
from core.store.db import Store
from core.store.schema import monthly_summaries, provider_snapshots
from core.store.snapshots import save_month

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=jinja2.select_autoescape(["html"]),  # provider-supplied names are data, never markup
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
_RESEND_LOCK = threading.Lock()  # the resend SDK keeps its key, URL and HTTP client in module globals
RED, GREEN, GREY = "#b91c1c", "#15803d", "#6b7280"


@dataclass(frozen=True)
class Email:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class SendResult:
    month: str
    recipients: tuple[str, ...]
    sent: bool
    email_id: str | None
    message: str


def month_label(month: date) -> str:
    return month.strftime("%B %Y")


def _change(value: Decimal | None) -> tuple[str, str]:
    """Text and colour: more spend is bad (red), less is good (green)."""
    if value is None:
        return "n/a", GREY
    return f"{value:+.1f}%", RED if value > 0 else GREEN if value < 0 else GREY


def report_link(settings: Settings, month: date) -> str:
    params = {"month": month_key(month)}
    if settings.report_secret_token:
        params["token"] = settings.report_secret_token
    return f"{settings.app_base_url.rstrip('/')}/report?{urlencode(params)}"


def render(report: MonthReport, settings: Settings, revisions: Sequence[tuple[date, Decimal, Decimal]] = ()) -> Email:
    """Subject, HTML and text of the report email, from the same data as the report page.

    ``revisions`` lists earlier months that changed after they were emailed: ``(month, was, now)``.
    """
    change, change_color = _change(report.change_percent)
    providers = []
    for p in report.providers:
        p_change, p_color = _change(p.change_percent)
        providers.append(
            {
                "label": label(p.provider),
                "cost": format_usd(p.cost_usd),
                "change": p_change,
                "change_color": p_color,
                "requests": "—" if p.requests is None else f"{p.requests:,}",
                "count_label": "runs" if p.provider == "apify" else "requests",
                "derived": p.cost_source == DERIVED_FROM_CREDITS,
                "failed": p.status == "failed",
                "error": p.error or "",
                "top_models": [{"model": m.model, "cost": format_usd(m.cost_usd)} for m in p.top_models],
            }
        )
    suffix = "" if report.change_percent is None else f" ({report.change_percent:+.1f}%)"
    subject = f"Spendboard — API spend for {month_label(report.month)}: {format_usd(report.total_cost_usd)}{suffix}"
    values = {
        "subject": subject,
        "month_label": month_label(report.month),
        "previous_label": month_label(previous_month(report.month)),
        "total": format_usd(report.total_cost_usd),
        "previous_total": format_usd(report.previous_month_cost_usd),
        "change": change,
        "change_color": change_color,
        "provider_count": report.provider_count,
        "providers": providers,
        "link": report_link(settings, report.month),
        "coverage": describe(report.coverage, translator("en"), {n: p.label for n, p in registry().items()})
        if report.coverage is not None
        else "",
        "revised": None
        if report.revised_at is None
        else f"Revised on {report.revised_at:%Y-%m-%d}: this month changed after it was first sent "
        f"(was {format_usd(report.revised_from_usd)}).",
        "revisions": [f"{month_label(m)}: {format_usd(was)} → {format_usd(now)}" for m, was, now in revisions],
    }
    html = _TEMPLATES.get_template("report_email.html").render(values)
    text = _TEMPLATES.get_template("report_email.txt").render(values)
    return Email(subject, html, text)


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
