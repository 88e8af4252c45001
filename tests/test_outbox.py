"""The email outbox and the report email through it: a stored message is what every retry sends, a lost answer
never makes a second email, Resend's 429/5xx are retried within bounds and its refusals are said plainly."""

from __future__ import annotations

import html
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote_plus

import pytest

from core import outbox
from core.config import Settings
from core.email import idempotency_key, send_report
from core.errors import ConfigError, InputError, NotifyError
from core.http import RetryPolicy
from core.store import outbox as outbox_rows
from core.store.snapshots import get_summary
from tests.resend_fake import API_KEY, FakeResend
from tests.seeding import openai_month

OCT = date(2026, 10, 1)
TO = ("ana@example.com", "bo@example.com")


class Sleeps:
    """A retry policy's sleep and clock that never wait, recording the delays asked for."""

    def __init__(self):
        self.t = 0.0
        self.delays: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.t += seconds

    def policy(self, **kw) -> RetryPolicy:
        return RetryPolicy(sleep=self.sleep, clock=lambda: self.t, **kw)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def mail(database_url) -> Settings:
    return Settings(
        database_url=database_url,
        resend_api_key=API_KEY,
        resend_api_url="https://resend.test",
        report_email_from="Spendboard <reports@example.com>",
        report_email_to=TO,
        app_base_url="https://spend.example.com",
    )


@pytest.fixture
def fake() -> FakeResend:
    return FakeResend()


def spend(store, amount: str) -> None:
    """October's OpenAI spend becomes ``amount`` (a collection)."""
    openai_month(store, OCT, amount)


def message(key: str = "alert/budget/2026-10", **kw) -> outbox.Message:
    values = {"kind": "alert", "to": ("ana@example.com",), "subject": "Budget", "html": "<p>x</p>", "text": "x"}
    return outbox.Message(key, **{**values, **kw})


# ---------------------------------------------------------------- the outbox itself


def test_enqueue_keeps_the_first_message_under_a_key(store):
    first = outbox.enqueue(store, message(subject="first", meta={"n": "1"}))
    again = outbox.enqueue(store, message(subject="second"))
    assert again == first and again.subject == "first" and again.meta == {"n": "1"}
    assert outbox.stored(store, first.key) == first


def test_deliver_sends_the_stored_message_under_its_key_once(store, mail, fake, sleeps):
    outbox.enqueue(store, message(tags=(("kind", "alert"),)))
    first = outbox.deliver(mail, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy())
    again = outbox.deliver(mail, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy())
    assert (first.sent, first.email_id) == (True, "em_0001")
    assert (again.sent, again.email_id) == (False, "em_0001")  # answered from the record: nothing sent again
    assert len(fake.requests) == 1 and len(fake.emails) == 1
    sent = fake.requests[0]
    assert sent["key"] == "alert/budget/2026-10"
    assert sent["body"] == {
        "from": "Spendboard <reports@example.com>",
        "to": ["ana@example.com"],
        "subject": "Budget",
        "html": "<p>x</p>",
        "text": "x",
        "tags": [{"name": "kind", "value": "alert"}],
    }


def test_a_lost_answer_is_retried_with_the_same_key_and_makes_one_email(store, mail, fake, sleeps):
    outbox.enqueue(store, message())
    fake.faults = ["lose", "lose"]
    delivery = outbox.deliver(mail, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy())
    assert delivery.email_id == "em_0001" and len(fake.requests) == 3 and len(fake.emails) == 1
    assert len(sleeps.delays) == 2


def test_a_429_waits_as_long_as_retry_after_says(store, mail, fake, sleeps):
    outbox.enqueue(store, message())
    fake.faults = [("status", 429, "rate_limit_exceeded", "Too many requests", {"Retry-After": "3"})]
    delivery = outbox.deliver(mail, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy())
    assert delivery.sent and sleeps.delays == [3.0] and len(fake.emails) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_retried_then_said_to_be_resends_side(store, mail, fake, sleeps, status):
    outbox.enqueue(store, message())
    fake.faults = [("status", status, "application_error", "boom", None)] * 10
    with pytest.raises(NotifyError) as err:
        outbox.deliver(mail, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy())
    text = str(err.value)
    assert f"Resend failed on its side (HTTP {status} application_error: boom; after 4 attempts)" in text
    assert "refused" not in text and "\n" not in text and len(fake.requests) == 4
    row = outbox_rows.get(store, "alert/budget/2026-10")
    assert row.sent_at is None and row.unconfirmed_since is not None and row.attempts == 1
    fake.faults = []  # Resend recovers: the next run sends it
    assert outbox.deliver(mail, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy()).sent
    assert len(fake.emails) == 1


def test_rate_limit_that_never_ends_says_when_to_try_again(store, mail, fake, sleeps):
    outbox.enqueue(store, message())
    fake.faults = [("status", 429, "daily_quota_exceeded", "Daily quota", {"retry-after": "7"})] * 10
    with pytest.raises(NotifyError, match=r"Resend rate limit \(HTTP 429 daily_quota_exceeded.*try again in 7 s"):
        outbox.deliver(mail, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy())
    assert outbox_rows.get(store, "alert/budget/2026-10").unconfirmed_since is None  # a 429 sent nothing


def test_a_refusal_is_not_retried_and_nothing_is_recorded_as_sent(store, mail, fake, sleeps):
    outbox.enqueue(store, message())
    fake.faults = [("status", 403, "validation_error", "The example.com domain is not verified.", None)]
    with pytest.raises(NotifyError, match="verify REPORT_EMAIL_FROM's domain") as err:
        outbox.deliver(mail, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy())
    assert len(fake.requests) == 1 and not fake.emails and API_KEY not in str(err.value)
    row = outbox_rows.get(store, "alert/budget/2026-10")
    assert row.sent_at is None and row.unconfirmed_since is None and "not verified" in row.last_error


def test_a_key_used_for_another_body_is_a_clear_409(store, mail, fake, sleeps):
    fake.client().request("post", "x", {"Authorization": f"Bearer {API_KEY}", "Idempotency-Key": "k"}, json={"a": 1})
    outbox.enqueue(store, message("k"))
    with pytest.raises(NotifyError, match="idempotency key was used in the last 24 hours for a different email"):
        outbox.deliver(mail, store, "k", http_client=fake.client(), policy=sleeps.policy())
    assert len(fake.requests) == 2 and len(fake.emails) == 1


def test_a_concurrent_request_with_the_key_is_waited_for(store, mail, fake, sleeps):
    outbox.enqueue(store, message())
    fake.faults = [("status", 409, "concurrent_idempotent_requests", "in progress", None)]
    assert outbox.deliver(mail, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy()).sent
    assert len(fake.requests) == 2 and len(fake.emails) == 1


def test_an_unanswered_attempt_older_than_resends_memory_is_not_repeated(store, mail, fake, sleeps):
    outbox.enqueue(store, message())
    long_ago = datetime.now(UTC) - timedelta(hours=25)
    outbox_rows.begin_attempt(store, "alert/budget/2026-10", "reports@example.com", long_ago)  # then killed
    with pytest.raises(NotifyError, match="got no answer and Resend forgets idempotency keys after 24 hours"):
        outbox.deliver(mail, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy())
    assert not fake.requests


def test_every_retry_repeats_the_first_attempts_sender(store, mail, fake, sleeps):
    outbox.enqueue(store, message())
    fake.faults = [("status", 500, "application_error", "boom", None)] * 4
    with pytest.raises(NotifyError):
        outbox.deliver(mail, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy())
    moved = Settings(**{**mail.__dict__, "report_email_from": "Other <other@example.com>"})
    assert outbox.deliver(moved, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy()).sent
    assert {r["body"]["from"] for r in fake.requests} == {"Spendboard <reports@example.com>"}


def test_a_key_longer_than_resend_accepts_is_refused():
    with pytest.raises(ValueError, match="1 to 256 characters"):
        outbox._row(message("k" * 257))


# ---------------------------------------------------------------- the report email through the outbox


def test_a_lost_answer_then_new_figures_sends_the_stored_email_once_and_records_its_total(store, mail, fake, sleeps):
    spend(store, "100.00")
    fake.faults = ["lose"] * 10  # Resend sends it, but no answer ever arrives
    with pytest.raises(NotifyError, match="could not reach Resend"):
        send_report(mail, store, OCT, http_client=fake.client(), policy=sleeps.policy())
    assert len(fake.emails) == 1 and get_summary(store, OCT).email_sent_at is None
    spend(store, "250.00")  # a collection changes the figures before the retry
    fake.faults = []
    result = send_report(mail, store, OCT, http_client=fake.client(), policy=sleeps.policy())
    assert result.sent and result.email_id == "em_0001" and len(fake.emails) == 1  # Resend replayed its answer
    assert {r["body"]["subject"] for r in fake.requests} == {fake.emails[0].body["subject"]}  # never refused
    assert "$100.00" in fake.emails[0].body["subject"]
    summary = get_summary(store, OCT)
    assert summary.email_id == "em_0001" and summary.email_total_usd == Decimal("100")  # what the email said
    assert "already sent" in send_report(mail, store, OCT, http_client=fake.client()).message


def test_a_send_that_never_left_is_rendered_again_with_the_latest_figures(store, mail, fake, sleeps):
    spend(store, "100.00")
    key = idempotency_key(OCT, TO)
    outbox.enqueue(store, message(key, kind="report", subject="stale", meta={"total_usd": "1"}))  # no attempt yet
    spend(store, "250.00")
    send_report(mail, store, OCT, http_client=fake.client(), policy=sleeps.policy())
    assert "$250.00" in fake.emails[0].body["subject"] and get_summary(store, OCT).email_total_usd == Decimal(250)


def test_force_makes_a_new_message_with_a_new_key(store, mail, fake, sleeps):
    spend(store, "100.00")
    send_report(mail, store, OCT, http_client=fake.client(), policy=sleeps.policy())
    spend(store, "120.00")
    forced = send_report(mail, store, OCT, force=True, http_client=fake.client(), policy=sleeps.policy())
    assert forced.sent and len(fake.emails) == 2 and fake.emails[0].key != fake.emails[1].key
    assert "$120.00" in fake.emails[1].body["subject"]
    assert get_summary(store, OCT).email_total_usd == Decimal(120)


def test_two_sends_at_once_make_one_email(store, mail, fake):
    spend(store, "100.00")
    hold = threading.Event()
    fake.faults = [("hold", hold)]
    results, errors = [], []

    def send():
        try:
            results.append(send_report(mail, store, OCT, http_client=fake.client(), lock_wait=30))
        except Exception as exc:
            errors.append(exc)

    first = threading.Thread(target=send)
    first.start()
    assert fake.started.wait(30)  # the first send is at Resend
    second = threading.Thread(target=send)
    second.start()  # waits for the lock
    threading.Timer(0.5, hold.set).start()
    first.join(30)
    second.join(30)
    assert not errors and len(fake.emails) == 1 and len(fake.requests) == 1
    assert sorted(r.sent for r in results) == [False, True]


def test_a_future_month_is_refused_before_anything_is_sent(store, mail, fake):
    with pytest.raises(InputError, match="has not started yet"):
        send_report(mail, store, date(2999, 1, 1), http_client=fake.client())
    assert not fake.requests and get_summary(store, date(2999, 1, 1)) is None


def test_the_report_token_is_sent_in_the_link_but_never_stored(store, mail, fake, sleeps):
    token = "tok+en/with&odd=chars-0123"
    settings = Settings(**{**mail.__dict__, "report_secret_token": token})
    spend(store, "100.00")
    send_report(settings, store, OCT, http_client=fake.client(), policy=sleeps.policy())
    row = outbox_rows.get(store, idempotency_key(OCT, TO))
    stored = row.subject + row.html + row.text
    assert token not in stored and quote_plus(token) not in stored and html.escape(quote_plus(token)) not in stored
    sent = fake.emails[0].body
    assert f"token={quote_plus(token)}" in sent["text"] and f"token={html.escape(quote_plus(token))}" in sent["html"]


def test_a_stored_message_needing_a_secret_no_longer_set_is_refused_before_any_attempt(store, mail, fake, sleeps):
    with_token = Settings(**{**mail.__dict__, "report_secret_token": "secret-token-0123"})
    outbox.enqueue(store, outbox.seal(message(text="see ?token=secret-token-0123"), with_token))
    assert "secret-token-0123" not in outbox.stored(store, "alert/budget/2026-10").text
    with pytest.raises(ConfigError, match="needs REPORT_SECRET_TOKEN, which is no longer set"):
        outbox.deliver(mail, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy())
    assert not fake.requests and outbox_rows.get(store, "alert/budget/2026-10").attempts == 0
    outbox.deliver(with_token, store, "alert/budget/2026-10", http_client=fake.client(), policy=sleeps.policy())
    assert fake.emails[0].body["text"] == "see ?token=secret-token-0123"
