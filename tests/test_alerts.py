"""Alerts: each raised once per (scope, threshold, month) or (provider, day), sent by email (through the outbox)
and webhook, retried after a failure without duplicates, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from core import alerts, jsonout
from core.alerts import check
from core.config import Settings
from core.http import RetryPolicy
from core.store import guardrails as table
from core.store.guardrails import save_budget
from tests.guardrails_data import seed
from tests.recorded_email import install

D = Decimal
TODAY = date(2026, 3, 10)
HOOK = "https://hooks.slack.com/services/T0FAKE/B0FAKE/s3cretWebhookPath0042"
RESEND_KEY = "re_fake_alerts_key_0000000000"


class Hook:
    """A Slack-compatible webhook: records each post; answers from a script, then 200 "ok"."""

    def __init__(self, *answers: httpx.Response | Exception):
        self.answers = list(answers)
        self.posts: list[dict] = []
        self.urls: list[str] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            if answer.status_code >= 300:
                return answer
        self.posts.append(json.loads(request.content))
        return httpx.Response(200, text="ok")


class Sleeps(list):
    def policy(self) -> RetryPolicy:
        return RetryPolicy(sleep=self.append)


@pytest.fixture
def outbox(monkeypatch):
    return install(monkeypatch)


def make_settings(store, **kw) -> Settings:
    values = {
        "database_url": str(store.engine.url),
        "resend_api_key": RESEND_KEY,
        "report_email_from": "Spendboard <alerts@example.com>",
        "report_email_to": ("team@example.com",),
        "alert_webhook_url": HOOK,
        **kw,
    }
    return Settings(**values)


def history(store, per_day=10, last: date = TODAY - timedelta(days=1)):
    """OpenAI at ``per_day`` a day from 1 February to ``last``: on 10 March, 90 spent and 310 forecast."""
    seed(
        store,
        "openai",
        {date(2026, 2, 1) + timedelta(days=i): per_day for i in range((last - date(2026, 2, 1)).days + 1)},
    )


def run(settings, store, hook: Hook, today: date = TODAY, sleeps: Sleeps | None = None):
    policy = (sleeps if sleeps is not None else Sleeps()).policy()
    return check(settings, store, today, webhook_transport=hook.transport(), policy=policy)


def keys(outcomes) -> list[str]:
    return sorted(o.key for o in outcomes)


# ---------------------------------------------------------------- thresholds


def test_each_threshold_alerts_once_per_month_by_email_and_webhook(store, outbox):
    history(store)
    save_budget(store, "total", D(1000))
    settings, hook = make_settings(store), Hook()
    first = run(settings, store, hook)
    assert (first.raised, first.delivered, first.failed) == ([], [], [])  # 9 % spent, 310 forecast

    save_budget(store, "total", D(170))  # 90 is 53 %; the forecast (310) is over it
    second = run(settings, store, hook)
    assert keys(second.raised) == keys(second.delivered) == ["budget/total/2026-03/50", "forecast/total/2026-03"]
    assert all((o.email, o.webhook) == ("sent", "sent") for o in second.delivered)
    assert len(outbox.sent) == len(hook.posts) == 2

    again = run(settings, store, hook)
    assert (again.raised, again.delivered, again.failed) == ([], [], [])
    assert keys(again.already_sent) == ["budget/total/2026-03/50", "forecast/total/2026-03"]
    assert len(outbox.sent) == len(hook.posts) == 2  # a re-run sends nothing

    seed(store, "openai", {TODAY: 50})  # today so far: 140 spent, 82 %; five times the usual day
    third = run(settings, store, hook)
    assert keys(third.raised) == ["anomaly/openai/2026-03-10", "budget/total/2026-03/80"]
    assert len(outbox.sent) == len(hook.posts) == 4

    seed(store, "openai", {TODAY + timedelta(days=i): 10 for i in range(23)})  # 10 a day to 1 April
    april = run(settings, store, hook, today=date(2026, 4, 2))
    assert keys(april.raised) == ["forecast/total/2026-04"]  # a new month starts over (300 forecast)


def test_a_jump_past_several_thresholds_sends_only_the_highest(store, outbox):
    history(store)
    save_budget(store, "openai", D(80))  # 90 spent: 112 %
    hook = Hook()
    result = run(make_settings(store), store, hook)
    assert keys(result.raised) == ["budget/openai/2026-03/100"]
    assert "OpenAI has spent $90.00 of its $80.00 budget for 2026-03 (112%)." in hook.posts[0]["text"]
    stored = table.load_alerts(store, [f"budget/openai/2026-03/{p}" for p in (50, 80)] + ["forecast/openai/2026-03"])
    assert {r.status for r in stored.values()} == {"covered"}
    later = run(make_settings(store), store, hook)
    assert later.raised == [] and len(outbox.sent) == 1 and len(hook.posts) == 1


def test_forecast_over_budget_alerts_before_the_budget_is_spent(store, outbox):
    history(store)
    save_budget(store, "openai", D(300))  # 30 % spent, forecast 310
    result = run(make_settings(store), store, Hook())
    assert keys(result.raised) == ["forecast/openai/2026-03"]
    assert outbox.sent[0].subject == "Spendboard: OpenAI is forecast to go over the 2026-03 budget"
    assert "forecast to spend $310.00 in 2026-03, over its $300.00 budget" in outbox.sent[0].text


# ---------------------------------------------------------------- anomalies


def test_an_anomaly_alerts_once_per_provider_and_day(store, outbox):
    history(store)
    seed(store, "openai", {TODAY - timedelta(days=2): D("250.75")})
    hook = Hook()
    result = run(make_settings(store), store, hook)
    assert keys(result.raised) == ["anomaly/openai/2026-03-08"]
    assert outbox.sent[0].subject == "Spendboard: unusual OpenAI spend on 2026-03-08"
    assert "OpenAI spent $250.75 on 2026-03-08, against a usual $10.00 a day." in hook.posts[0]["text"]
    assert run(make_settings(store), store, hook).raised == []
    assert run(make_settings(store), store, hook, today=TODAY + timedelta(days=1)).raised == []
    assert len(outbox.sent) == len(hook.posts) == 1


def test_anomaly_minimum_setting_silences_small_spikes(store, outbox):
    history(store)
    seed(store, "openai", {TODAY - timedelta(days=1): D(40)})
    assert run(make_settings(store, anomaly_min_usd=D(50)), store, Hook()).raised == []
    assert keys(run(make_settings(store), store, Hook()).raised) == ["anomaly/openai/2026-03-09"]


# ---------------------------------------------------------------- delivery, failures, retries


def test_a_failed_email_is_retried_by_the_next_check_without_duplicates(store, outbox):
    history(store)
    save_budget(store, "total", D(150))
    outbox.fail_next = 1
    hook = Hook()
    first = run(make_settings(store), store, hook)
    assert keys(first.raised) == ["budget/total/2026-03/50", "forecast/total/2026-03"]
    [failed] = first.failed  # the first email attempt failed; the webhook went out
    assert (failed.key, failed.email, failed.webhook) == ("budget/total/2026-03/50", "failed", "sent")
    assert "Resend refused the email" in failed.error
    assert keys(first.delivered) == ["forecast/total/2026-03"]
    assert len(hook.posts) == 2

    second = run(make_settings(store), store, hook)
    assert second.raised == [] and second.failed == []
    assert keys(second.delivered) == ["budget/total/2026-03/50"]
    assert len(hook.posts) == 2  # not posted again
    assert sorted(m.key for m in outbox.sent) == [
        "spendboard-alert/budget/total/2026-03/50",
        "spendboard-alert/forecast/total/2026-03",
    ]
    third = run(make_settings(store), store, hook)
    assert (third.delivered, third.failed, len(outbox.sent)) == ([], [], 2)


def test_webhook_retries_rate_limits_and_server_errors_honouring_retry_after(store, outbox):
    history(store)
    save_budget(store, "openai", D(100))  # 90 % spent (80 % alert, 50 % covered); forecast 310 over it
    hook = Hook(
        httpx.Response(429, headers={"Retry-After": "3"}, text="rate_limited"),
        httpx.Response(503, text="unavailable"),
    )
    sleeps = Sleeps()
    result = run(make_settings(store, resend_api_key=None), store, hook, sleeps=sleeps)
    assert keys(result.delivered) == ["budget/openai/2026-03/80", "forecast/openai/2026-03"]
    assert len(hook.urls) == 4 and len(hook.posts) == 2  # 429, 503, 200 for the first; 200 for the second
    assert sleeps[0] == 3.0 and len(sleeps) == 2
    assert result.channels == ("webhook",)


def test_a_refused_webhook_is_not_retried_and_its_url_is_never_shown(store, outbox):
    history(store)
    save_budget(store, "total", D(100))
    hook = Hook(httpx.Response(404, text="no_service"), httpx.ConnectError(f"cannot reach {HOOK}"))
    sleeps = Sleeps()
    first = run(make_settings(store, resend_api_key=None), store, hook, sleeps=sleeps)
    [failed] = first.failed  # 404: refused at once, not retried
    assert failed.key == "budget/total/2026-03/80" and "HTTP 404" in failed.error
    assert keys(first.delivered) == ["forecast/total/2026-03"] and len(sleeps) == 1  # a connection error: retried
    blob = json.dumps(first.json(), default=str)
    assert HOOK not in blob and "s3cretWebhookPath0042" not in blob
    stored = table.recent_alerts(store)
    assert all(HOOK not in (r.last_error or "") for r in stored)
    second = run(make_settings(store, resend_api_key=None), store, hook)
    assert keys(second.delivered) == ["budget/total/2026-03/80"] and len(hook.posts) == 2


def test_a_connection_error_is_retried_within_the_policy(store, outbox):
    history(store)
    save_budget(store, "openai", D(95))
    hook = Hook(*[httpx.ConnectError(f"refused {HOOK}")] * 10)
    sleeps = Sleeps()
    result = run(make_settings(store, resend_api_key=None), store, hook, sleeps=sleeps)
    assert keys(result.failed) == ["budget/openai/2026-03/80", "forecast/openai/2026-03"]
    assert "could not reach the webhook (ConnectError, after 4 attempts)" in result.failed[0].error
    assert HOOK not in result.failed[0].error
    assert len(sleeps) == 2 * (RetryPolicy().max_attempts - 1)  # bounded: 4 attempts per alert


def test_an_alert_being_sent_by_another_check_is_left_to_it(store, outbox):
    history(store)
    save_budget(store, "openai", D(170))
    settings = make_settings(store, alert_webhook_url=None)
    table.insert_alerts(
        store,
        [
            {
                "key": "budget/openai/2026-03/50",
                "kind": "budget",
                "scope": "openai",
                "period": "2026-03",
                "threshold": 50,
                "amount_usd": D(90),
                "reference_usd": D(170),
                "status": "pending",
                "email_state": "pending",
                "webhook_state": None,
            }
        ],
    )
    assert table.claim(store, "budget/openai/2026-03/50") is True  # another check holds it
    assert table.claim(store, "budget/openai/2026-03/50") is False
    result = run(settings, store, Hook())
    assert "budget/openai/2026-03/50" not in keys(result.delivered) + keys(result.failed)
    assert [m.key for m in outbox.sent] == ["spendboard-alert/forecast/openai/2026-03"]


# ---------------------------------------------------------------- recipients, content, channels


def test_alert_email_to_wins_over_report_email_to(store, outbox):
    history(store)
    save_budget(store, "total", D(150))
    run(make_settings(store, alert_email_to=("oncall@example.com", "cfo@example.com")), store, Hook())
    assert {m.to for m in outbox.sent} == {("oncall@example.com", "cfo@example.com")}


def test_email_and_webhook_content(store, outbox):
    history(store)
    save_budget(store, "total", D(170))
    hook = Hook()
    run(make_settings(store, app_base_url="https://spend.example.com/?a=1&b=<2>"), store, hook)
    email = next(m for m in outbox.sent if m.key.endswith("/50"))
    assert email.kind == "alert"
    assert email.subject == "Spendboard: The team passed 50% of the 2026-03 budget"
    assert email.text == "The team has spent $90.00 of its $170.00 budget for 2026-03 (53%)."
    assert '<a href="https://spend.example.com/?a=1&amp;b=&lt;2&gt;">' in email.html
    post = next(p for p in hook.posts if "50%" in p["text"])
    assert set(post) == {"text"}
    assert post["text"].startswith("*Spendboard: The team passed 50% of the 2026-03 budget*\n")
    assert post["text"].endswith("<https://spend.example.com/?a=1&amp;b=&lt;2&gt;|Spendboard>")


def test_alerts_speak_french(store, outbox):
    history(store)
    save_budget(store, "openai", D(170))
    run(make_settings(store, app_language="fr"), store, Hook())
    subjects = sorted(m.subject for m in outbox.sent)
    assert subjects == [
        "Spendboard : OpenAI a dépassé 50 % du budget de 2026-03",
        "Spendboard : OpenAI devrait dépasser le budget de 2026-03",
    ]


def test_without_a_channel_alerts_are_recorded_but_never_sent_later(store, outbox):
    history(store)
    save_budget(store, "total", D(170))
    bare = Settings(database_url=str(store.engine.url))
    quiet = run(bare, store, Hook())
    assert keys(quiet.raised) == ["budget/total/2026-03/50", "forecast/total/2026-03"]
    assert all((o.email, o.webhook) == (None, None) for o in quiet.raised) and quiet.channels == ()
    hook = Hook()
    later = run(make_settings(store), store, hook)
    assert (later.raised, later.delivered, outbox.sent, hook.posts) == ([], [], [], [])


def test_check_json_lists_raised_sent_already_sent_and_failed(store, outbox):
    history(store)
    save_budget(store, "total", D(170))
    body = json.loads(jsonout.dumps(run(make_settings(store), store, Hook()).json()))
    assert set(body) == {"month", "channels", "raised", "delivered", "already_sent", "failed"}
    assert body["month"] == "2026-03" and body["channels"] == ["email", "webhook"]
    first = next(o for o in body["raised"] if o["kind"] == "budget")
    assert (first["threshold"], first["amount_usd"], first["reference_usd"]) == (50, "90.000000", "170.000000")
    assert (first["email"], first["webhook"], first["error"]) == ("sent", "sent", None)
    assert body["delivered"] == body["raised"] and body["already_sent"] == body["failed"] == []


def test_slack_text_escapes_control_characters():
    assert (
        alerts._slack("a<b>", "x & y", "https://x.example/")
        == "*a&lt;b&gt;*\nx &amp; y\n<https://x.example/|Spendboard>"
    )
