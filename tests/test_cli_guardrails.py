"""Collect to alert, end to end: ``python -m core collect`` against the provider imitation over HTTP, then the
alert check it runs, sending by email (the outbox stand-in, recording what Resend would get) and by webhook (a
recording server on 127.0.0.1). Also ``forecast``/``anomalies``/``budget list`` load no HTTP or email module."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from core.cli import main
from core.periods import month_key, month_start, previous_month
from tests.fakes import serve
from tests.imitation import KEYS, Imitation
from tests.recorded_email import install

SECRET_PATH = "services/T0FAKE/B0FAKE/imitationWebhookSecret77"


class Hook:
    def __init__(self, status: int = 200):
        self.status = status
        self.posts: list[dict] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.status >= 300:
            return httpx.Response(self.status, text="invalid_payload")
        self.posts.append(json.loads(request.content))
        return httpx.Response(200, text="ok")


def cli(capsys, argv, env) -> tuple[int, str, str]:
    code = main(argv, env)
    out, err = capsys.readouterr()
    return code, out, err


def this_month_spend(im: Imitation, today) -> Decimal:
    return sum((e.cost for e in im.expected(month_start(today)).values()), Decimal(0))


def test_collect_raises_a_budget_alert_once_by_email_and_webhook(im, db, today, capsys, monkeypatch):
    outbox = install(monkeypatch)
    if this_month_spend(im, today) < Decimal("0.01"):
        pytest.skip("the imitation's month so far spent nothing (first day of the month, an empty day)")
    hook = Hook()
    key = f"budget/total/{month_key(today)}/100"
    with im.serve() as urls, serve(hook.handle) as hook_url:
        env = im.environ(
            f"sqlite:///{db}",
            urls,
            RESEND_API_KEY="re_fake_cli_alerts_0000000000",
            REPORT_EMAIL_FROM="Spendboard <alerts@example.com>",
            REPORT_EMAIL_TO="team@example.com",
            ALERT_WEBHOOK_URL=f"{hook_url}/{SECRET_PATH}",
        )
        assert cli(capsys, ["budget", "set", "total", "0.01"], env)[0] == 0
        code, out, err = cli(capsys, ["collect", "--json"], env)
        assert code == 0, err
        assert json.loads(out)["month"] == month_key(today)  # collect's own JSON is unchanged
        assert f"alerts: sent {key}" in err
        assert [m.key for m in outbox.sent].count(f"spendboard-alert/{key}") == 1
        email = next(m for m in outbox.sent if m.key == f"spendboard-alert/{key}")
        assert email.to == ("team@example.com",) and "passed 100% of the" in email.subject
        assert sum("passed 100% of the" in p["text"] for p in hook.posts) == 1
        sent, posted = len(outbox.sent), len(hook.posts)

        code, _, err = cli(capsys, ["collect"], env)  # a re-run sends nothing new
        assert code == 0 and "alerts: nothing new" in err
        assert (len(outbox.sent), len(hook.posts)) == (sent, posted)

        code, out, err = cli(capsys, ["alerts", "check", "--json"], env)
        body = json.loads(out)
        assert code == 0 and body["raised"] == body["delivered"] == body["failed"] == []
        assert key in [o["key"] for o in body["already_sent"]]

        code, out, _ = cli(capsys, ["forecast", "--json"], env)
        f = json.loads(out)
        assert Decimal(f["month_to_date_usd"]) == this_month_spend(im, today)
        assert Decimal(f["forecast_usd"]) >= Decimal(f["month_to_date_usd"]) and f["budget_usd"] == "0.010000"
        for text in (out, err):
            assert SECRET_PATH not in text and all(k not in text for k in KEYS.values())


def test_a_failed_webhook_makes_collect_report_it_and_the_next_check_sends_it(im, db, today, capsys, monkeypatch):
    install(monkeypatch)
    if this_month_spend(im, today) < Decimal("0.01"):
        pytest.skip("the imitation's month so far spent nothing (first day of the month, an empty day)")
    hook = Hook(status=400)
    key = f"budget/total/{month_key(today)}/100"
    with im.serve() as urls, serve(hook.handle) as hook_url:
        env = im.environ(f"sqlite:///{db}", urls, ALERT_WEBHOOK_URL=f"{hook_url}/{SECRET_PATH}")
        assert cli(capsys, ["budget", "set", "total", "0.01"], env)[0] == 0
        code, out, err = cli(capsys, ["collect"], env)
        assert code == 1
        assert f"alerts: failed {key}: webhook: the webhook refused the alert (HTTP 400)" in err
        assert "(retried by the next check)" in err
        assert SECRET_PATH not in out + err
        hook.status = 200
        code, out, err = cli(capsys, ["alerts", "check", "--json"], env)
        assert code == 0
        assert key in [o["key"] for o in json.loads(out)["delivered"]]
        assert cli(capsys, ["alerts", "check", "--json"], env)[0] == 0
    assert sum("passed 100% of the" in p["text"] for p in hook.posts) == 1


def test_a_past_months_forecast_is_the_reported_total(im, db, today, capsys):
    last = previous_month(today)
    with im.serve() as urls:
        env = im.environ(f"sqlite:///{db}", urls)
        assert cli(capsys, ["collect", "--month", month_key(last)], env)[0] == 0
    env = {"DATABASE_URL": f"sqlite:///{db}"}
    code, out, _ = cli(capsys, ["forecast", "--month", month_key(last), "--json"], env)
    f = json.loads(out)
    report = json.loads(cli(capsys, ["report", "--month", month_key(last), "--json"], env)[1])
    assert code == 0
    assert f["forecast_usd"] == f["low_usd"] == f["high_usd"] == f["month_to_date_usd"] == report["total_cost_usd"]
    assert f["days_elapsed"] == f["days_in_month"] and f["budget_usd"] is None
    by_provider = {p["provider"]: p for p in f["providers"]}
    for p in report["providers"]:  # a provider without a stored day in the month is not listed (it spent 0)
        assert by_provider.get(p["provider"], {"forecast_usd": "0.000000"})["forecast_usd"] == p["cost_usd"]


def test_forecast_of_a_month_not_started_is_bad_input(tmp_path, capsys):
    code, _, err = cli(capsys, ["forecast", "--month", "2999-01"], {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert code == 2 and err.startswith("error: ") and "2999-01 has not started yet" in err
