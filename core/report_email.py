"""The monthly report email's content: subject, HTML and plain text, rendered with Jinja2 (autoescaped HTML, so
provider-supplied names are data, never markup) from the same report the page shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import jinja2

from core.config import Settings
from core.coverage import describe
from core.i18n import translator
from core.models import DERIVED_FROM_CREDITS, MonthReport
from core.money import format_usd
from core.periods import month_key, previous_month
from core.providers import label, registry
from core.report import provider_notes, report_notes

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=jinja2.select_autoescape(["html"]),  # provider-supplied names are data, never markup
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
RED, GREEN, GREY = "#b91c1c", "#15803d", "#6b7280"


@dataclass(frozen=True)
class Email:
    subject: str
    html: str
    text: str


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
    t = translator("en")  # without a change, the notes say why (in place of "n/a"); with one, what it compares
    change = " ".join([change, *report_notes(report, t, month_label)][report.change_percent is None :])
    providers = []
    for p in report.providers:
        p_change, p_color = _change(p.change_percent)
        p_change = " ".join(
            [p_change, *provider_notes(p, report.month, t, label(p.provider), month_label)][p.change_percent is None :]
        )
        providers.append(
            {
                "label": label(p.provider),
                "cost": format_usd(p.cost_usd) if p.has_figure else t(f"availability_{p.availability}"),
                "change": p_change,
                "change_color": p_color,
                "requests": "—" if p.requests is None else f"{p.requests:,}",
                "count_label": "runs" if p.provider == "apify" else "requests",
                "derived": p.cost_source == DERIVED_FROM_CREDITS,
                "failed": p.status == "failed",
                "error": p.error or "",
                "top_models": [{"model": m.label or m.model, "cost": format_usd(m.cost_usd)} for m in p.top_models],
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
