"""Alerts: a budget crossing 50, 80 or 100 % of its month, a forecast first over budget, an anomaly flag.

Each alert is raised once per (scope, threshold, month) or (provider, day): ``check`` writes its row before
anything is sent, so a re-run raises nothing new; a channel that failed is retried by the next checks (for
``RETRY_DAYS``), and the email goes through the outbox, which never sends one key twice. When several thresholds
are crossed at once only the highest is sent (the lower ones are recorded as ``covered``), and a forecast over
budget is not announced once the budget itself is spent.

Channels: Resend email to ``ALERT_EMAIL_TO`` (else ``REPORT_EMAIL_TO``) through ``core.outbox``, and a
Slack-compatible webhook (``{"text": ...}``) when ``ALERT_WEBHOOK_URL`` is set. The webhook URL is a secret: it is
never logged, shown or put in an error message.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from core.anomalies import Flag
from core.config import Settings
from core.errors import NotifyError, SpendError
from core.forecast import MonthForecast
from core.money import format_usd
from core.periods import month_key, utc_now
from core.store import guardrails as table
from core.store.db import Store

THRESHOLDS = (50, 80, 100)
RETRY_DAYS = 7  # a failed send is retried by every check for this long
ANOMALY_DAYS = 7  # days looked at for new anomaly flags (today's spend so far included)
EMAIL, WEBHOOK = "email", "webhook"


@dataclass(frozen=True)
class Condition:
    """Something that holds now and deserves one alert."""

    key: str
    kind: str  # budget | forecast | anomaly
    scope: str  # total | a provider
    period: str  # YYYY-MM | YYYY-MM-DD
    threshold: int | None
    amount_usd: Decimal  # spent (budget), forecast (forecast), the day's spend (anomaly)
    reference_usd: Decimal  # the budget, or the anomaly's baseline


@dataclass(frozen=True)
class Outcome:
    key: str
    kind: str
    scope: str
    period: str
    threshold: int | None
    amount_usd: Decimal
    reference_usd: Decimal
    message: str
    email: str | None  # sent | failed | pending | None (no email channel)
    webhook: str | None
    error: str | None = None

    def json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CheckResult:
    month: str
    channels: tuple[str, ...]
    raised: list[Outcome] = field(default_factory=list)  # first seen by this check
    delivered: list[Outcome] = field(default_factory=list)  # sent by this check (new, or a retry)
    already_sent: list[Outcome] = field(default_factory=list)  # still true, sent by an earlier check
    failed: list[Outcome] = field(default_factory=list)  # a channel failed in this check (retried next time)

    def json(self) -> dict:
        return {
            "month": self.month,
            "channels": list(self.channels),
            **{k: [o.json() for o in getattr(self, k)] for k in ("raised", "delivered", "already_sent", "failed")},
        }


# ---------------------------------------------------------------- what holds (pure)


def conditions(forecast: MonthForecast, budgets: Mapping[str, Decimal], flags: Iterable[Flag]) -> list[Condition]:
    """Every alert condition true now: thresholds crossed and forecasts over budget, and anomaly flags."""
    key = month_key(forecast.month)
    out = []
    for scope, budget in budgets.items():
        part = forecast.scope(None if scope == "total" else scope)
        if part is None or budget <= 0:
            continue
        spent = part.month_to_date_usd
        for pct in THRESHOLDS:
            if spent * 100 >= budget * pct:
                out.append(Condition(f"budget/{scope}/{key}/{pct}", "budget", scope, key, pct, spent, budget))
        if part.forecast_usd > budget:
            out.append(Condition(f"forecast/{scope}/{key}", "forecast", scope, key, None, part.forecast_usd, budget))
    for f in flags:
        day = f.date.isoformat()
        out.append(
            Condition(f"anomaly/{f.provider}/{day}", "anomaly", f.provider, day, None, f.cost_usd, f.baseline_usd)
        )
    return out


def covered(holding: Iterable[Condition], recorded: Iterable[str]) -> set[str]:
    """Keys not worth sending although new: a lower threshold crossed together with a higher one, and a forecast
    over budget once the budget itself is spent."""
    holding = list(holding)
    recorded = set(recorded)
    out = set()
    for c in holding:
        if c.key in recorded:
            continue
        same_scope = [h for h in holding if h.kind == "budget" and h.scope == c.scope and h.period == c.period]
        if c.kind == "budget" and any(h.threshold > c.threshold and h.key not in recorded for h in same_scope):
            out.add(c.key)
        if c.kind == "forecast" and any(h.threshold == 100 for h in same_scope):
            out.add(c.key)
    return out


# ---------------------------------------------------------------- messages


def render(settings: Settings, c: Condition | table.AlertRow) -> tuple[str, str]:
    """(subject, text) of an alert in the app's language, from its stored figures only (a retry says the same)."""
    from core.i18n import translator
    from core.i18n.formats import format_percent

    t = translator(settings.app_language)
    who = t("alert_scope_total") if c.scope == "total" else _label(c.scope)
    amount, reference = format_usd(c.amount_usd), format_usd(c.reference_usd)
    if c.kind == "budget":
        pct = (c.amount_usd * 100 / c.reference_usd).quantize(Decimal("1")) if c.reference_usd else Decimal(0)
        values = {"who": who, "month": c.period, "threshold": c.threshold, "spent": amount, "budget": reference}
        text = t("alert_budget_text", percent=format_percent(pct, settings.app_language, digits=0), **values)
        return t("alert_budget_subject", **values), text
    if c.kind == "forecast":
        values = {"who": who, "month": c.period, "forecast": amount, "budget": reference}
        return t("alert_forecast_subject", **values), t("alert_forecast_text", **values)
    values = {"who": who, "day": c.period, "cost": amount, "baseline": reference}
    return t("alert_anomaly_subject", **values), t("alert_anomaly_text", **values)


def _label(provider: str) -> str:
    from core.providers import NAMES, label

    return label(provider) if provider in NAMES else provider


def _html(settings: Settings, text: str) -> str:
    link = html.escape(settings.app_base_url, quote=True)
    return f'<p>{html.escape(text)}</p>\n<p><a href="{link}">Spendboard</a></p>\n'


def _slack(subject: str, text: str, base_url: str) -> str:
    """Slack mrkdwn: ``&``, ``<`` and ``>`` escaped, a bold subject and a link to the app."""

    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    return f"*{esc(subject)}*\n{esc(text)}\n<{esc(base_url)}|Spendboard>"


# ---------------------------------------------------------------- channels


def channels(settings: Settings) -> tuple[str, ...]:
    """The channels configured: email needs RESEND_API_KEY, REPORT_EMAIL_FROM and a recipient."""
    out = []
    if settings.resend_api_key and settings.report_email_from and settings.alert_recipients:
        out.append(EMAIL)
    if settings.alert_webhook_url:
        out.append(WEBHOOK)
    return tuple(out)


def send_email(
    settings: Settings, store: Store, key: str, subject: str, html_body: str, text: str, *, http_client=None
) -> str | None:
    """Send one alert email through the outbox (issue 12), the one road to Resend: the message is stored before
    its first attempt, and its key is Resend's Idempotency-Key, so a retry never sends it twice."""
    from core import outbox

    message = outbox.enqueue(
        store,
        outbox.Message(
            key=f"spendboard-alert/{key}",
            kind="alert",
            to=tuple(settings.alert_recipients),
            subject=subject,
            html=html_body,
            text=text,
            tags=(("kind", "alert"),),
        ),
    )
    return outbox.deliver(settings, store, message.key, http_client=http_client).email_id


class WebhookUnavailable(NotifyError):
    """The webhook answered 429/5xx or did not answer (retried within the policy)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def post_webhook(settings: Settings, text: str, *, transport=None, policy=None) -> None:
    """POST ``{"text": text}`` to ``ALERT_WEBHOOK_URL`` through the one retry loop; errors never name the URL."""
    import httpx

    from core.http import DEFAULT_POLICY, RETRY_STATUSES, Verdict, make_client, parse_retry_after, with_retries

    url = settings.alert_webhook_url
    if not url:
        raise NotifyError("ALERT_WEBHOOK_URL is not set")

    def judge(exc: Exception) -> Verdict:
        return Verdict(True, exc.retry_after) if isinstance(exc, WebhookUnavailable) else Verdict(False)

    with make_client("", {}, transport=transport) as client:

        def attempt(n: int) -> None:
            tries = f"after {n} attempt{'s' * (n > 1)}"
            try:
                response = client.post(url, json={"text": text})
            except httpx.TimeoutException:
                raise WebhookUnavailable(f"the webhook did not answer in time ({tries})") from None
            except httpx.TransportError as exc:
                raise WebhookUnavailable(f"could not reach the webhook ({type(exc).__name__}, {tries})") from None
            status = response.status_code
            if status < 300:
                return
            if status in RETRY_STATUSES:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                raise WebhookUnavailable(f"the webhook answered HTTP {status} ({tries})", retry_after)
            raise NotifyError(f"the webhook refused the alert (HTTP {status}); check ALERT_WEBHOOK_URL")

        with_retries(attempt, judge, policy or DEFAULT_POLICY)


# ---------------------------------------------------------------- the check


def check(
    settings: Settings,
    store: Store,
    today: date,
    *,
    email_client=None,
    webhook_transport=None,
    policy=None,
) -> CheckResult:
    """Raise this month's new alerts and send every alert not delivered yet; see the module docstring."""
    from core.anomalies import recent
    from core.forecast import month_forecast

    budgets = table.load_budgets(store)
    forecast = month_forecast(store, today, today)
    flags = recent(store, today, ANOMALY_DAYS, min_usd=settings.anomaly_min_usd)
    holding = conditions(forecast, budgets, flags)
    before = table.load_alerts(store, [c.key for c in holding])
    skip = covered(holding, before)
    open_channels = channels(settings)
    on = table.PENDING if open_channels else None
    new_rows = [
        {
            "key": c.key,
            "kind": c.kind,
            "scope": c.scope,
            "period": c.period,
            "threshold": c.threshold,
            "amount_usd": c.amount_usd,
            "reference_usd": c.reference_usd,
            "status": table.COVERED if c.key in skip else (table.PENDING if open_channels else table.SILENT),
            "email_state": on if EMAIL in open_channels and c.key not in skip else None,
            "webhook_state": on if WEBHOOK in open_channels and c.key not in skip else None,
        }
        for c in holding
        if c.key not in before
    ]
    inserted = table.insert_alerts(store, new_rows)
    result = CheckResult(month_key(forecast.month), open_channels)
    for c in holding:
        row = before.get(c.key)
        if row is not None and row.status == table.SENT:
            result.already_sent.append(_outcome(settings, row))
    for row in table.undelivered(store, utc_now() - timedelta(days=RETRY_DAYS)):
        if not table.claim(store, row.key):
            continue  # another check is sending it right now
        done = _deliver(settings, store, row, email_client=email_client, transport=webhook_transport, policy=policy)
        outcome = _outcome(settings, done)
        (result.failed if done.status == table.FAILED else result.delivered).append(outcome)
    attempted = {o.key: o for o in (*result.delivered, *result.failed)}
    for row in table.load_alerts(store, inserted).values():
        if row.status != table.COVERED:
            result.raised.append(attempted.get(row.key) or _outcome(settings, row))
    for outcomes in (result.raised, result.delivered, result.already_sent, result.failed):
        outcomes.sort(key=lambda o: o.key)
    return result


def _deliver(settings: Settings, store: Store, row: table.AlertRow, *, email_client, transport, policy):
    subject, text = render(settings, row)
    email_state, email_id, webhook_state = row.email_state, row.email_id, row.webhook_state
    errors = []
    if email_state in (table.PENDING, table.FAILED):
        if EMAIL not in channels(settings):
            email_state = None  # switched off since the alert was raised
        else:
            try:
                email_id = send_email(
                    settings, store, row.key, subject, _html(settings, text), text, http_client=email_client
                )
                email_state = table.SENT
            except SpendError as exc:
                email_state = table.FAILED
                errors.append(f"email: {settings.redact(str(exc))}")
    if webhook_state in (table.PENDING, table.FAILED):
        if not settings.alert_webhook_url:
            webhook_state = None
        else:
            try:
                post_webhook(settings, _slack(subject, text, settings.app_base_url), transport=transport, policy=policy)
                webhook_state = table.SENT
            except SpendError as exc:
                webhook_state = table.FAILED
                errors.append(f"webhook: {settings.redact(str(exc))}")
    return table.finish(
        store,
        row.key,
        email_state=email_state,
        email_id=email_id,
        webhook_state=webhook_state,
        error="; ".join(errors) or None,
    )


def _outcome(settings: Settings, row: table.AlertRow) -> Outcome:
    _, text = render(settings, row)
    return Outcome(
        row.key,
        row.kind,
        row.scope,
        row.period,
        row.threshold,
        row.amount_usd,
        row.reference_usd,
        text,
        row.email_state,
        row.webhook_state,
        row.last_error,
    )
