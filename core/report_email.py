"""The monthly report email's content: subject, HTML and plain text, rendered with Jinja2 (autoescaped HTML, so
provider-supplied names are data, never markup) from the same report the page shows, in ``APP_LANGUAGE``: every
word from the catalogue, every figure and month name from ``core.i18n.formats``, each provider in its chart colour.

The HTML is fluid (at most 600 px wide, the full width of a phone below that) and uses tables and inline styles
only, which every mail client renders."""

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
from core.i18n.formats import Formats
from core.models import DERIVED_FROM_CREDITS, RUNS, MonthReport
from core.palette import ACCENT, colour
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


def _change(value: Decimal | None, f: Formats) -> tuple[str, str]:
    """Text and colour: more spend is bad (red), less is good (green)."""
    if value is None:
        return f.t("email_no_change"), GREY
    return f.percent(value, signed=True), RED if value > 0 else GREEN if value < 0 else GREY


def report_link(settings: Settings, month: date) -> str:
    params = {"month": month_key(month)}
    if settings.report_secret_token:
        params["token"] = settings.report_secret_token
    return f"{settings.app_base_url.rstrip('/')}/report?{urlencode(params)}"


def render(
    report: MonthReport,
    settings: Settings,
    revisions: Sequence[tuple[date, Decimal, Decimal]] = (),
    budgets: Sequence[str] = (),
) -> Email:
    """Subject, HTML and text of the report email, from the same data as the report page.

    ``revisions`` lists earlier months that changed after they were emailed: ``(month, was, now)``; ``budgets`` the
    month's budget status lines (``core.budgets.email_lines``).
    """
    f = Formats(settings.app_language)
    t = f.t
    change, change_color = _change(report.change_percent, f)
    # Without a change, the notes say why (in place of a bare "n/a"); with one, what it compares.
    change = " ".join([change, *report_notes(report, t, f.month, f.date)][report.change_percent is None :])
    providers = []
    for p in report.providers:
        p_change, p_color = _change(p.change_percent, f)
        notes = provider_notes(p, report.month, t, label(p.provider), f.month, f.date)
        p_change = " ".join([p_change, *notes][p.change_percent is None :])
        providers.append(
            {
                "label": label(p.provider),
                "colour": colour(p.provider),
                "cost": f.money(p.cost_usd) if p.has_figure else t(f"availability_{p.availability}"),
                "change": p_change,
                "change_color": p_color,
                "requests": f.number(p.requests),
                "count_label": t("runs_label") if p.count_unit == RUNS else t("requests_label"),
                "derived": p.cost_source == DERIVED_FROM_CREDITS,
                "failed": p.status == "failed",
                "error": p.error or "",
                "top_models": [{"model": m.label or m.model, "cost": f.money(m.cost_usd)} for m in p.top_models],
            }
        )
    month, total = f.month(report.month), f.money(report.total_cost_usd)
    names = {"month": month, "of_month": f.of_month(report.month), "total": total}
    subject = (
        t("email_subject", **names)
        if report.change_percent is None
        else t("email_subject_change", change=f.percent(report.change_percent, signed=True), **names)
    )
    previous_label, previous_total = f.month(previous_month(report.month)), f.money(report.previous_month_cost_usd)
    provider_count = t("email_provider_count", count=report.provider_count)
    link = report_link(settings, report.month)
    values = {
        "lang": f.language,
        "t": t,
        "accent": ACCENT,
        "subject": subject,
        "month_label": month,
        "total": total,
        "vs_previous": t("email_vs_previous", month=previous_label, total=previous_total),
        "change": change,
        "change_color": change_color,
        "provider_count": provider_count,
        "providers": providers,
        "link": link,
        "coverage": describe(report.coverage, f, {n: p.label for n, p in registry().items()})
        if report.coverage is not None
        else "",
        "revised": None
        if report.revised_at is None
        else t("email_revised", when=f.date(report.revised_at), was=f.money(report.revised_from_usd)),
        "budgets": list(budgets),
        "revisions": [
            t("email_revision_item", month=f.month(m), was=f.money(was), now=f.money(now)) for m, was, now in revisions
        ],
        "text_total": t(
            "email_text_total",
            total=total,
            change=change,
            month=previous_label,
            previous=previous_total,
            providers=provider_count,
        ),
        "text_open": t("email_text_open", link=link),
    }
    html = _TEMPLATES.get_template("report_email.html").render(values)
    text = _TEMPLATES.get_template("report_email.txt").render(values)
    return Email(subject, html, text)
