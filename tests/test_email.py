"""The report email: rendering (escaping, money, link) and idempotent sending through Resend."""

import html
import json
import re
from datetime import date
from decimal import Decimal

import httpx
import pytest

from core.cli import main
from core.config import Settings
from core.email import idempotency_key, send_report
from core.errors import ConfigError, NotifyError
from core.models import DailyCost
from core.report import monthly_report
from core.report_email import render
from core.store import ledger
from core.store.snapshots import get_summary
from tests.conftest import NO_SLEEP
from tests.fakes import RecordingResendClient, serve

OCT, SEP = date(2026, 10, 1), date(2026, 9, 1)
HOSTILE = '<script>alert("x")</script>&<img src=x onerror=alert(1)>'


@pytest.fixture
def mail_settings(database_url):
    return Settings(
        database_url=database_url,
        resend_api_key="re_test_key_123456",
        resend_api_url="https://resend.test",
        report_email_from="Spendboard <reports@example.com>",
        report_email_to=("ana@example.com", "bo@example.com"),
        report_secret_token="s3cr3t-token",
        app_base_url="https://spend.example.com",
    )


def seed(store):
    lines = {
        "openai": [("gpt-4o, input", "gpt-4o", "1234.565"), ("o3, output", "o3", "10")],
        "anthropic": [("Claude Sonnet input", HOSTILE, "99.999")],
        "deepgram": [("streaming::nova-3", "nova-3", "0.004")],
    }
    with store.engine.begin() as conn:
        for month, factor in ((SEP, Decimal("0.5")), (OCT, Decimal(1))):
            for provider, items in lines.items():
                rows = [
                    DailyCost(
                        provider,
                        month.replace(day=3),
                        item,
                        model,
                        Decimal(c) * factor,
                        None if provider == "anthropic" else 7,
                    )
                    for item, model, c in items
                ]
                ledger.replace_lines(conn, provider, month, month.replace(day=28), rows)


def test_email_has_every_provider_money_to_the_cent_and_a_link_with_the_token(store, mail_settings):
    seed(store)
    email = render(monthly_report(store, OCT, mail_settings.app_base_url), mail_settings)
    assert email.subject == "Spendboard — API spend for October 2026: $1,344.57 (+100.0%)"
    for text in ("$1,244.56", "$100.00", "$0.00", "$1,344.57"):  # openai, anthropic, deepgram, total (to the cent)
        assert text in email.html and text in email.text
    for label in ("OpenAI", "Anthropic", "Deepgram"):
        assert label in email.html
    link = "https://spend.example.com/report?month=2026-10&amp;token=s3cr3t-token"
    assert link in email.html and html.unescape(link) in email.text


def test_hostile_model_names_are_escaped_in_html(store, mail_settings):
    seed(store)
    email = render(monthly_report(store, OCT), mail_settings)
    assert "<script>" not in email.html and "<img src=x" not in email.html
    assert html.escape(HOSTILE, quote=True).replace("&#x27;", "&#39;") in email.html or "&lt;script&gt;" in email.html
    assert HOSTILE in email.text  # plain text carries it verbatim, harmlessly


def test_sending_twice_sends_once_and_force_sends_again(store, mail_settings):
    seed(store)
    fake = RecordingResendClient()
    first = send_report(mail_settings, store, OCT, http_client=fake)
    assert first.sent and first.email_id == "email_0001" and len(fake.calls) == 1
    call = fake.calls[0]
    assert call["url"] == "https://resend.test/emails"
    assert call["json"]["to"] == ["ana@example.com", "bo@example.com"]
    assert call["headers"]["Idempotency-Key"] == idempotency_key(OCT, ("ana@example.com", "bo@example.com"))
    assert call["headers"]["Authorization"] == "Bearer re_test_key_123456"
    second = send_report(mail_settings, store, OCT, http_client=fake)
    assert not second.sent and len(fake.calls) == 1 and "already sent" in second.message
    forced = send_report(mail_settings, store, OCT, force=True, http_client=fake)
    assert forced.sent and len(fake.calls) == 2
    assert fake.calls[1]["headers"]["Idempotency-Key"] != call["headers"]["Idempotency-Key"]
    summary = get_summary(store, OCT)
    assert (summary.email_id, summary.email_recipients) == ("email_0002", "ana@example.com,bo@example.com")


def test_new_recipients_get_the_report_even_if_it_was_sent_before(store, mail_settings):
    seed(store)
    fake = RecordingResendClient()
    send_report(mail_settings, store, OCT, http_client=fake)
    more = Settings(**{**mail_settings.__dict__, "report_email_to": ("cy@example.com",)})
    assert send_report(more, store, OCT, http_client=fake).sent and len(fake.calls) == 2


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (403, {"statusCode": 403, "name": "invalid_api_key", "message": "API key is invalid"}, "RESEND_API_KEY"),
        (
            403,
            {"statusCode": 403, "name": "validation_error", "message": "The example.com domain is not verified."},
            "verify REPORT_EMAIL_FROM",
        ),
        (429, {"statusCode": 429, "name": "rate_limit_exceeded", "message": "Too many requests"}, "rate limit"),
        (500, {"statusCode": 500, "name": "application_error", "message": "boom"}, "Resend"),
    ],
)
def test_resend_errors_are_one_line_and_nothing_is_recorded(store, mail_settings, status, body, message):
    seed(store)
    with pytest.raises(NotifyError, match=message) as err:
        send_report(mail_settings, store, OCT, http_client=RecordingResendClient(status, body), policy=NO_SLEEP)
    assert "\n" not in str(err.value) and "re_test_key_123456" not in str(err.value)
    summary = get_summary(store, OCT)
    assert summary is None or summary.email_sent_at is None


def test_missing_email_settings_is_a_config_error(store):
    with pytest.raises(ConfigError, match="RESEND_API_KEY, REPORT_EMAIL_FROM, REPORT_EMAIL_TO"):
        send_report(Settings(), store, OCT)


def test_cli_send_report_against_a_resend_imitation(tmp_path, capsys):
    received: list[httpx.Request] = []

    def resend_api(request: httpx.Request) -> httpx.Response:
        received.append(request)
        if request.headers.get("Authorization") != "Bearer re_test_key_123456":
            return httpx.Response(401, json={"statusCode": 401, "name": "missing_api_key", "message": "Missing"})
        return httpx.Response(200, json={"id": f"e{len(received)}"})

    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
        "RESEND_API_KEY": "re_test_key_123456",
        "REPORT_EMAIL_FROM": "reports@example.com",
        "REPORT_EMAIL_TO": "ana@example.com,bo@example.com",
        "REPORT_SECRET_TOKEN": "tok-123",
        "APP_BASE_URL": "https://spend.example.com",
    }
    assert main(["demo"], environ=env) == 0
    with serve(resend_api) as url:
        env["RESEND_API_URL"] = url
        assert main(["send-report", "--month", "2026-10"], environ=env) == 0
        assert main(["send-report", "--month", "2026-10"], environ=env) == 0
        assert len(received) == 1
        assert main(["send-report", "--month", "2026-10", "--force"], environ=env) == 0
        assert len(received) == 2
    body = json.loads(received[0].content)
    assert body["to"] == ["ana@example.com", "bo@example.com"] and "October 2026" in body["subject"]
    assert re.search(r"https://spend\.example\.com/report\?month=2026-10&amp;token=tok-123", body["html"])
    out, err = capsys.readouterr()
    assert "re_test_key_123456" not in out + err and "already sent" in err


def test_the_report_email_says_where_each_budget_stands(store, mail_settings):
    from core.budgets import set_budget

    seed(store)
    set_budget(store, "total", "1000")
    set_budget(store, "openai", "2000")
    fake = RecordingResendClient()
    send_report(mail_settings, store, OCT, http_client=fake)
    body = fake.calls[0]["json"]
    text, page = body["text"], html.unescape(body["html"])
    for content in (text, page):
        assert "Budgets:" in content
        assert "The team: $1,344.57 of $1,000.00 (134.5%) — over budget" in content  # October's total
        assert "OpenAI: $1,244.56 of $2,000.00 (62.2%)" in content
    french = Settings(**{**mail_settings.__dict__, "app_language": "fr"})
    fake_fr = RecordingResendClient()
    send_report(french, store, OCT, force=True, http_client=fake_fr)
    assert "Budgets :" in fake_fr.calls[0]["json"]["text"]
    assert "1\u202f344,57\xa0$US" in fake_fr.calls[0]["json"]["text"]
