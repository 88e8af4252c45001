"""Crash safety: ``kill -9`` of ``collect``, ``apify backfill`` (with and without ``--reset``), ``send-report`` and
``notion sync`` at several moments, then the same command again, on SQLite and PostgreSQL.

Every figure then equals what an uninterrupted run stores, nothing is duplicated or lost, no email goes out twice
and no Notion page is doubled. The kill points are requests held by the imitations in this process (``Gate``), so
the child is killed while it waits for an answer: nothing in production code knows about tests.
"""

from __future__ import annotations

import time
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from core import locks, notion
from core.config import Settings
from core.periods import last_complete_month, month_key, previous_month
from core.store import collections
from core.store.db import open_store
from core.store.schema import collected_days, collection_runs
from core.store.snapshots import get_summary
from tests.fakes import serve
from tests.imitation import Imitation, Ledger, populate
from tests.killing import Gate, figures, kill_at, run, serve_imitation
from tests.notion_fake import TOKEN, FakeClock, FakeNotion
from tests.resend_fake import API_KEY, FakeResend
from tests.seeding import openai_month

PAGES = "/v1/pages"
RUNS = "/v2/actor-runs"


@pytest.fixture
def im(today) -> Imitation:
    return Imitation(today, populate(Ledger(), previous_month(previous_month(today)), today))


@pytest.fixture
def reference(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'reference.db'}"


def notion_env(fake: FakeNotion, url: str) -> dict[str, str]:
    """Create the archive's two databases in ``fake`` (served at ``url``); the settings that use them."""
    clock = FakeClock()
    snapshots_id, summaries_id = notion.setup(
        Settings(notion_api_key=TOKEN),
        fake.parent_page,
        transport=httpx.MockTransport(fake.handle),
        sleep=clock.sleep,
        clock=clock.now,
    )
    return {
        "NOTION_API_KEY": TOKEN,
        "NOTION_BASE_URL": url,
        "NOTION_SNAPSHOTS_DB_ID": snapshots_id,
        "NOTION_SUMMARIES_DB_ID": summaries_id,
    }


def assert_notion_pages_unique(fake: FakeNotion, env: dict[str, str]) -> None:
    for db_id, key in (
        (env["NOTION_SNAPSHOTS_DB_ID"], ("Month", "Provider")),
        (env["NOTION_SUMMARIES_DB_ID"], ("Month",)),
    ):
        pages = [tuple(fake.values(p)[k] for k in key) for p in fake.live_pages(db_id)]
        assert pages and len(pages) == len(set(pages)), f"a Notion page was doubled: {sorted(pages)}"


def wait_for_providers(url: str, names: set[str], timeout: float = 60) -> None:
    """Wait until the collection in progress has stored these providers' days."""
    store = open_store(url)
    seen: set[str] = set()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with store.engine.connect() as conn:
                seen = set(conn.execute(select(collected_days.c.provider).distinct()).scalars())
            if names <= seen:
                return
            time.sleep(0.1)
        raise AssertionError(f"only {sorted(seen)} were written")
    finally:
        store.dispose()


def ok(result) -> None:
    assert result.returncode == 0, result.stderr[-2000:]


# ---------------------------------------------------------------- collect

COLLECT_MOMENTS = {
    # moment -> (what the gate wraps, which request, answered first)
    "at its first request": ("providers", lambda r: True, 1, False),
    "after some providers were written": ("openai", lambda r: True, 1, False),
    "after Notion created a page whose answer was lost": (
        "notion",
        lambda r: r.method == "POST" and r.url.path == PAGES,
        2,
        True,
    ),
}


@pytest.mark.parametrize("moment", list(COLLECT_MOMENTS))
def test_collect_killed_then_run_again_stores_what_an_uninterrupted_run_does(
    moment, im, database_url, reference, tmp_path
):
    wraps, match, k, answer_first = COLLECT_MOMENTS[moment]
    gate = Gate(match, k, answer_first=answer_first)
    fake = FakeNotion()

    def wrap(name, handle):
        return gate.wrap(handle) if wraps in ("providers", name) else handle

    with serve_imitation(im, wrap) as urls, serve(gate.wrap(fake.handle) if wraps == "notion" else fake.handle) as nurl:
        ok(run(["collect"], im.environ(reference, urls), tmp_path))  # the uninterrupted run, without Notion
        env = {**im.environ(database_url, urls), **notion_env(fake, nurl)}
        gate.armed = True
        then = (lambda: wait_for_providers(database_url, {"anthropic", "apify"})) if wraps == "openai" else None
        kill_at(gate, ["collect"], env, tmp_path, then=then)
        store = open_store(database_url)
        try:
            assert collections.last_run(store).status == "running"  # what the killed process left
            assert locks.holder(store, locks.COLLECTION) is None  # but nobody holds the lock: no waiting
        finally:
            store.dispose()
        ok(run(["collect", "--wait", "0"], env, tmp_path))
    assert figures(database_url) == figures(reference)
    store = open_store(database_url)
    try:
        with store.engine.connect() as conn:
            statuses = conn.execute(select(collection_runs.c.status).order_by(collection_runs.c.id)).scalars().all()
        assert statuses == ["interrupted", "ok"]
        assert notion.status(store).pending_months == []
    finally:
        store.dispose()
    assert_notion_pages_unique(fake, env)


# ---------------------------------------------------------------- apify backfill


@pytest.mark.parametrize("reset", [False, True], ids=["backfill", "backfill --reset"])
def test_backfill_killed_then_run_again_stores_what_an_uninterrupted_run_does(
    reset, im, database_url, reference, tmp_path
):
    gate = Gate(lambda r: r.url.path == RUNS, k=3)
    argv = ["apify", "backfill", "--days", "60", *(["--reset"] if reset else [])]
    with serve_imitation(im, lambda name, handle: gate.wrap(handle) if name == "apify" else handle) as urls:
        for url in (reference, database_url):
            ok(run(["apify", "backfill", "--days", "30"], im.environ(url, urls), tmp_path))  # an earlier import
        before = figures(database_url)
        ok(run(argv, im.environ(reference, urls), tmp_path))
        gate.armed = True
        kill_at(gate, argv, im.environ(database_url, urls), tmp_path)
        assert figures(database_url) == before  # one transaction: the killed import changed nothing, lost nothing
        ok(run([*argv, "--wait", "0"], im.environ(database_url, urls), tmp_path))
    assert figures(database_url) == figures(reference) != before


def test_a_collection_meeting_a_backfill_says_whose_it_is_and_waits_a_bounded_time(im, database_url, tmp_path):
    gate = Gate(lambda r: r.url.path == RUNS, k=2)
    with serve_imitation(im, lambda name, handle: gate.wrap(handle) if name == "apify" else handle) as urls:
        env = im.environ(database_url, urls)
        ok(run(["summary"], env, tmp_path))  # the database exists
        gate.armed = True

        def collect_meanwhile():
            started = time.monotonic()
            refused = run(["collect", "--wait", "2"], env, tmp_path)
            assert time.monotonic() - started < 60
            assert refused.returncode == 1
            lines = refused.stderr.strip().splitlines()
            assert lines[0].startswith("waiting up to 2 s for an Apify back-fill started at ")
            assert lines[-1].startswith("error: an Apify back-fill started at ")
            assert "by python -m core apify backfill on " in lines[-1] and lines[-1].endswith(
                "is still running; try again when it has finished"
            )
            assert "Traceback" not in refused.stderr

        kill_at(gate, ["apify", "backfill", "--days", "60"], env, tmp_path, then=collect_meanwhile)
        ok(run(["collect", "--wait", "0"], env, tmp_path))  # the killed back-fill holds nothing any more


# ---------------------------------------------------------------- send-report


def seed_month(url: str, month, amount: str) -> None:
    """``month``'s OpenAI spend becomes ``amount`` (a collection)."""
    store = open_store(url)
    try:
        openai_month(store, month, amount)
    finally:
        store.dispose()


def mail_env(url: str, resend_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "RESEND_API_KEY": API_KEY,
        "RESEND_API_URL": resend_url,
        "REPORT_EMAIL_FROM": "Spendboard <reports@example.com>",
        "REPORT_EMAIL_TO": "ana@example.com,bo@example.com",
        "APP_BASE_URL": "https://spend.example.com",
    }


@pytest.mark.parametrize("answered", [False, True], ids=["before Resend answered", "after Resend sent it"])
def test_send_report_killed_then_run_again_sends_one_email(answered, database_url, tmp_path, today):
    fake = FakeResend()
    gate = Gate(answer_first=answered)
    month = last_complete_month(today)
    seed_month(database_url, month, "100.00")
    with serve(gate.wrap(fake.handle)) as url:
        env = mail_env(database_url, url)
        gate.armed = True
        kill_at(gate, ["send-report"], env, tmp_path)
        assert len(fake.emails) == (1 if answered else 0)
        seed_month(database_url, month, "250.00")  # a collection changes the figures before the retry
        ok(run(["send-report"], env, tmp_path))
        again = run(["send-report"], env, tmp_path)
        ok(again)
    assert "already sent" in again.stderr
    assert len(fake.emails) == 1
    bodies = {str(r["body"]) for r in fake.requests}
    assert len(bodies) == 1  # every attempt carried the stored message: never refused with a 409
    store = open_store(database_url)
    try:
        summary = get_summary(store, month)
        assert summary.email_id == fake.emails[0].id
        assert summary.email_total_usd == Decimal("100.00")  # what the email announced
    finally:
        store.dispose()


# ---------------------------------------------------------------- notion sync


def test_notion_sync_killed_then_run_again_at_once_doubles_no_page(im, database_url, tmp_path, today):
    fake = FakeNotion()
    argv = ["notion", "sync", "--month", month_key(previous_month(today))]
    gate = Gate(lambda r: r.method == "POST" and r.url.path == PAGES, k=3, answer_first=True)
    with serve_imitation(im) as urls, serve(gate.wrap(fake.handle)) as nurl:
        ok(run(["collect"], im.environ(database_url, urls), tmp_path))  # Notion not configured yet
        env = {**im.environ(database_url, urls), **notion_env(fake, nurl)}
        gate.armed = True
        kill_at(gate, argv, env, tmp_path)
        store = open_store(database_url)
        try:
            assert not notion.status(store).running  # the killed sync blocks nobody
        finally:
            store.dispose()
        result = run(argv, env, tmp_path)
        ok(result)
    assert "skipped" not in result.stderr and "still pending" not in result.stderr
    assert_notion_pages_unique(fake, env)
    store = open_store(database_url)
    try:
        assert notion.status(store).pending_months == []
    finally:
        store.dispose()
