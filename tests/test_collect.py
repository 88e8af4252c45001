"""The collection engine against the imitation of all six APIs, on SQLite and PostgreSQL.

Every expectation is computed from the imitation's ledger (the truth), never copied from output.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import httpx
import pytest
import sqlalchemy as sa

from core import jsonout
from core.collect import FAILED, NOT_CONFIGURED, OK, collect
from core.config import Settings
from core.errors import InputError
from core.http import RetryPolicy
from core.models import DERIVED_FROM_CREDITS, PROVIDER_REPORTED, RUN_REPORTED, MonthReport
from core.periods import month_end
from core.report import monthly_report
from core.store import collections, ledger, runs
from core.store.schema import collection_runs, daily_costs, monthly_summaries, provider_snapshots, scraper_runs
from tests.conftest import NO_SLEEP
from tests.imitation import KEYS, PROVIDER_NAMES, Expected, Imitation, Ledger, populate, stored_daily

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
LLM = tuple(n for n in PROVIDER_NAMES if n != "apify")
FAULTS = ("unauthorized", "down", "not_json", "wrong_shape", "timeout")
SOURCES = {"elevenlabs": DERIVED_FROM_CREDITS, "apify": RUN_REPORTED}


# ---------------------------------------------------------------- helpers


def imitation_for(first: date, last: date, today: date, **kw) -> Imitation:
    return Imitation(today, populate(Ledger(), first, last), **kw)


def at(im: Imitation, when: datetime) -> datetime:
    """Move the imitation's clock (OpenRouter's 30-day window) to ``when``; returns it for ``now=``."""
    im.today = when.date()
    return when


def run(im: Imitation, store, *, settings=None, policy=NO_SLEEP, **kw):
    settings = settings or im.settings(store.engine.url.render_as_string(hide_password=False))
    return collect(settings, store, transports=im.transports(), policy=policy, **kw)


def pct(current: Decimal, previous: Decimal | None) -> Decimal | None:
    if previous is None or previous == 0:
        return None
    return ((current - previous) * 100 / previous).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def assert_report(report: MonthReport, current: dict[str, Expected], previous: dict[str, Expected] | None) -> None:
    """Every provider's cost, requests, previous cost and change, the total and its change, exactly."""
    by_name = {p.provider: p for p in report.providers}
    assert set(by_name) == set(current)
    for name, want in current.items():
        p = by_name[name]
        assert (p.cost_usd, p.requests) == (want.cost, want.requests if want.served else None), name
        prev = previous[name].cost if previous and previous[name].served else None  # served: no spend is $0
        assert p.previous_cost_usd == prev, name
        assert p.change_percent == pct(want.cost, prev), name
        assert p.cost_source == (SOURCES.get(name, PROVIDER_REPORTED) if want.days else None), name
        assert sum((m.cost_usd for m in p.breakdown), Decimal(0)) == p.cost_usd, name
    total = sum((e.cost for e in current.values()), Decimal(0))
    served_before = [previous[n].cost for n in current if previous[n].served] if previous else []
    prev_total = sum(served_before, Decimal(0)) if served_before else None
    assert report.total_cost_usd == total
    assert report.previous_month_cost_usd == prev_total
    assert report.change_percent == pct(total, prev_total)


def assert_days(store, im: Imitation, name: str, first: date, last: date, **kw) -> None:
    """Day by day (a day shifted inside the month would still give the right monthly total)."""
    want = {d: (e.cost, e.requests) for d, e in im.daily(name, first, last, **kw).items() if e.cost or e.requests}
    got = {d: (e.cost, e.requests) for d, e in stored_daily(store, name, first, last).items() if e.cost or e.requests}
    assert got == want, name


def raw_rows(store, name: str) -> list[tuple]:
    """A provider's stored rows exactly as the database holds them (no type conversion)."""
    if name == "apify":
        query = sa.text("SELECT * FROM scraper_runs ORDER BY id")
        params = {}
    else:
        query = sa.text("SELECT * FROM daily_costs WHERE provider = :p ORDER BY id")
        params = {"p": name}
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query, params)]


def count(store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def break_provider(im: Imitation, name: str, fault: str) -> None:
    if fault == "unauthorized":
        im.rotate_key(name)
    elif fault == "down":
        im.down(name)
    elif fault in ("not_json", "wrong_shape"):
        im.malformed(name, fault)
    else:
        im.hang(name)


def recording_policy() -> tuple[RetryPolicy, list[float]]:
    slept: list[float] = []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            slept.append(seconds)

    return RetryPolicy(sleep=sleep), slept


@pytest.fixture
def im() -> Imitation:
    return imitation_for(date(2026, 10, 1), date(2026, 11, 20), NOW.date())


# ---------------------------------------------------------------- whole months


def test_two_consecutive_months_match_the_ledger_exactly(im, store):
    oct_result = run(im, store, month=OCT, now=at(im, NOW))
    nov_result = run(im, store, month=NOV, now=NOW)

    assert {n: o.status for n, o in {**oct_result.outcomes, **nov_result.outcomes}.items()} == dict.fromkeys(
        PROVIDER_NAMES, OK
    )
    want_oct, want_nov = im.expected(OCT), im.expected(NOV)
    assert_report(monthly_report(store, OCT), want_oct, None)
    assert_report(monthly_report(store, NOV), want_nov, want_oct)
    assert nov_result.report == monthly_report(store, NOV)
    for name in PROVIDER_NAMES:
        assert_days(store, im, name, OCT, month_end(NOV))
    # The imitation really made the adapters page (several pages per window) and filter.
    assert any("page" in r.url.params for r in im.requests["openai"])
    assert any("page" in r.url.params for r in im.requests["anthropic"])
    assert any(r.url.params.get("offset", "0") != "0" for r in im.requests["apify"])
    # OpenRouter forgets: October's first 20 days were already gone on November 20.
    assert im.expected(OCT)["openrouter"].cost < im.expected(OCT, seen_on=date(2026, 11, 1))["openrouter"].cost


def test_snapshots_and_summary_of_collected_months_agree_with_the_report(im, store):
    run(im, store, month=OCT, now=at(im, NOW))
    run(im, store, month=NOV, now=NOW)
    want = im.expected(NOV)
    with store.engine.connect() as conn:
        snaps = {
            r.provider: r for r in conn.execute(sa.select(provider_snapshots).where(provider_snapshots.c.month == NOV))
        }
        summary = conn.execute(sa.select(monthly_summaries).where(monthly_summaries.c.month == NOV)).one()
    assert {n: (s.total_cost_usd, s.requests) for n, s in snaps.items()} == {
        n: (e.cost, e.requests) for n, e in want.items()
    }
    assert summary.total_cost_usd == sum((e.cost for e in want.values()), Decimal(0))
    assert summary.previous_month_cost_usd == sum((e.cost for e in im.expected(OCT).values()), Decimal(0))


def test_recollecting_is_idempotent(im, store):
    first = run(im, store, month=NOV, now=at(im, NOW))
    columns = [c for c in daily_costs.c if c.name not in ("id", "collected_at")]  # Apify's lines are rebuilt
    run_columns = [c for c in scraper_runs.c if c.name != "updated_at"]
    order = (daily_costs.c.provider, daily_costs.c.day, daily_costs.c.item_key)

    def snapshot():
        with store.engine.connect() as conn:
            return (
                conn.execute(sa.select(*columns).order_by(*order)).all(),
                conn.execute(sa.select(*run_columns).order_by(scraper_runs.c.id)).all(),
                count(store, provider_snapshots),
                count(store, monthly_summaries),
            )

    before = snapshot()
    second = run(im, store, month=NOV, now=NOW)
    assert snapshot() == before
    assert len([x for x in before[0] if x.provider != "apify"]) == sum(
        o.lines for n, o in first.outcomes.items() if n != "apify"
    )
    assert len(before[1]) == len(im.ledger.runs_between(NOV, NOW.date()))
    assert_report(second.report, im.expected(NOV), None)
    assert count(store, collection_runs) == 2


# ---------------------------------------------------------------- failures


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("name", PROVIDER_NAMES)
def test_a_failing_provider_keeps_its_rows_and_the_others_complete(name, fault, store):
    im = imitation_for(NOV, date(2026, 11, 20), NOW.date())
    run(im, store, month=NOV, now=at(im, NOW))
    old = im.expected(NOV)
    rows = raw_rows(store, name)
    status_before = collections.statuses(store)[name]
    assert rows

    for other in PROVIDER_NAMES:  # every provider restates two days upstream
        im.ledger.restate(other, date(2026, 11, 19))
        im.ledger.restate(other, date(2026, 11, 2), "0.5")
    new = im.expected(NOV)
    assert all(new[n].cost != old[n].cost for n in PROVIDER_NAMES)
    break_provider(im, name, fault)
    result = run(im, store, month=NOV, now=NOW)

    outcome = result.outcomes[name]
    assert outcome.status == FAILED and result.failed == [name]
    error = outcome.error or ""
    assert error.startswith(f"{name}: ") and "\n" not in error and len(error) < 400
    assert "unexpected error" not in error  # a clear reason, not a crash
    expected_words = {"unauthorized": "401", "down": "500", "timeout": "timed out"}
    if fault in expected_words:
        assert expected_words[fault] in error
    assert not any(secret in error for secret in KEYS.values())
    assert raw_rows(store, name) == rows  # byte for byte
    assert all(o.status == OK for n, o in result.outcomes.items() if n != name)

    want = {n: (old if n == name else new)[n] for n in PROVIDER_NAMES}
    assert_report(result.report, want, None)
    status = collections.statuses(store)[name]
    assert (status.status, status.error) == (FAILED, error)
    assert status.succeeded_at == status_before.succeeded_at and status.attempted_at >= status_before.attempted_at
    assert collections.last_run(store).status == "partial"

    if fault not in ("down", "unauthorized"):
        return
    im.heal()  # once it answers again, the provider catches up
    healed = run(im, store, month=NOV, now=NOW)
    assert healed.outcomes[name].status == OK
    assert_report(healed.report, new, None)


@pytest.mark.parametrize("name", [n for n in PROVIDER_NAMES if n != "openrouter"])  # /activity is one request
def test_a_failure_half_way_through_paging_writes_nothing(name, im, store):
    run(im, store, month=NOV, now=at(im, NOW))
    rows = raw_rows(store, name)
    im.ledger.restate(name, date(2026, 11, 3))
    im.malformed(name, "not_json", after=1)
    result = run(im, store, month=NOV, now=NOW)
    assert result.failed == [name] and len(im.requests[name]) > 2
    assert raw_rows(store, name) == rows


def test_a_rate_limit_that_clears_succeeds_after_waiting_retry_after(im, store):
    policy, slept = recording_policy()
    for name in PROVIDER_NAMES:
        im.fail_once(name, 429, retry_after="2")
    result = run(im, store, month=NOV, now=at(im, NOW), policy=policy)
    assert {o.status for o in result.outcomes.values()} == {OK}
    assert slept == [2.0] * len(PROVIDER_NAMES)
    assert_report(result.report, im.expected(NOV), None)


def test_a_rate_limit_that_never_clears_fails_after_bounded_attempts(im, store):
    policy, slept = recording_policy()
    im.fail_once("deepgram", 429, retry_after="1", times=1000)
    result = run(im, store, month=NOV, now=at(im, NOW), policy=policy)
    assert result.failed == ["deepgram"]
    assert "429" in result.outcomes["deepgram"].error
    assert len(im.requests["deepgram"]) == policy.max_attempts
    assert slept == [1.0] * (policy.max_attempts - 1)


# ---------------------------------------------------------------- restated days


def test_a_line_removed_upstream_disappears_after_recollection(im, store):
    run(im, store, month=NOV, now=at(im, NOW))
    day = date(2026, 11, 19)
    removed = {}
    for name in LLM:
        victim = sorted(e.name for e in im.ledger.of(name, day, day))[0]
        assert (day, victim) in {(line.day, line.line_item) for line in ledger.lines_between(store, day, day, name)}
        removed[name] = victim
        im.ledger.remove(name, day, victim)
        im.ledger.restate(name, day - timedelta(days=1))
    result = run(im, store, month=NOV, now=NOW)
    for name, victim in removed.items():
        assert victim not in {line.line_item for line in ledger.lines_between(store, day, day, name)}
        assert_days(store, im, name, NOV, NOW.date())
    assert_report(result.report, im.expected(NOV), None)


def test_openrouter_days_older_than_its_window_stay_as_stored(store):
    im = imitation_for(NOV, date(2026, 11, 30), date(2026, 12, 1))
    run(im, store, month=NOV, now=at(im, datetime(2026, 12, 1, 0, 30, tzinfo=UTC)))
    first_seen = im.expected(NOV)["openrouter"]
    assert first_seen == im.expected(NOV, seen_on=date(2026, 12, 1))["openrouter"]
    old_day, recent_day = date(2026, 11, 10), date(2026, 11, 28)
    old_lines = ledger.lines_between(store, old_day, old_day, "openrouter")
    gone = sum((e.cost for e in im.ledger.of("openrouter", recent_day, recent_day)), Decimal(0))
    assert old_lines and gone
    im.ledger.remove("openrouter", old_day)
    im.ledger.remove("openrouter", recent_day)

    result = run(im, store, month=NOV, now=at(im, datetime(2026, 12, 20, 6, tzinfo=UTC)))
    assert result.outcomes["openrouter"].status == OK
    assert ledger.lines_between(store, old_day, old_day, "openrouter") == old_lines  # out of reach: kept
    assert ledger.lines_between(store, recent_day, recent_day, "openrouter") == []  # restated: gone
    report = {p.provider: p for p in result.report.providers}
    assert report["openrouter"].cost_usd == first_seen.cost - gone


# ---------------------------------------------------------------- month boundaries


def test_the_last_millisecond_of_a_month_belongs_to_it_and_midnight_to_the_next(store):
    jan, feb = date(2027, 1, 1), date(2027, 2, 1)
    im = imitation_for(date(2026, 12, 1), date(2027, 2, 2), date(2027, 1, 31))
    im.ledger.add_run("lastms", "actEdge", datetime(2027, 1, 31, 23, 59, 59, 999000, tzinfo=UTC), "0.5")
    im.ledger.add_run("midnight", "actEdge", datetime(2027, 2, 1, tzinfo=UTC), "0.25")

    late = run(im, store, now=at(im, datetime(2027, 1, 31, 23, 59, 59, 999000, tzinfo=UTC)))
    # The first collection also fetches the three complete months before January.
    assert late.month == jan and late.months == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1), jan]
    assert_report(late.report, im.expected(jan), im.expected(date(2026, 12, 1)))
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.max(daily_costs.c.day))).scalar() == date(2027, 1, 31)
    assert runs.get_run(store, "lastms") is not None and runs.get_run(store, "midnight") is None

    early = run(im, store, now=at(im, datetime(2027, 2, 1, tzinfo=UTC)))
    assert early.month == feb and early.months == [jan, feb]
    seen = [date(2027, 1, 31), date(2027, 2, 1)]
    assert_report(early.report, im.expected(feb, seen_on=seen), im.expected(jan, seen_on=seen))
    assert runs.get_run(store, "midnight").created_at == datetime(2027, 2, 1, tzinfo=UTC)
    assert runs.get_run(store, "lastms").created_at.month == 1
    for name in PROVIDER_NAMES:
        assert_days(store, im, name, jan, feb, seen_on=seen)
    # OpenRouter excludes the day that has just begun; the others already report it.
    assert ledger.lines_between(store, feb, feb, "openrouter") == []
    assert all(ledger.lines_between(store, feb, feb, n) for n in LLM if n != "openrouter")


def test_december_then_january_across_the_year(store):
    dec, jan = date(2026, 12, 1), date(2027, 1, 1)
    when = datetime(2027, 1, 2, 8, tzinfo=UTC)
    im = imitation_for(dec, date(2027, 1, 2), when.date())
    run(im, store, month=dec, now=at(im, when))
    result = run(im, store, month=jan, now=when)
    assert result.months == [dec, jan]  # the trailing days reach back into December
    assert result.report.key == "2027-01"
    assert_report(result.report, im.expected(jan), im.expected(dec))
    assert_report(monthly_report(store, dec), im.expected(dec), None)


def test_leap_february_has_29_days(store):
    feb, mar = date(2028, 2, 1), date(2028, 3, 1)
    when = datetime(2028, 3, 1, 10, tzinfo=UTC)
    im = imitation_for(date(2028, 1, 25), mar, when.date())
    leap = date(2028, 2, 29)
    im.ledger.add_run("leapday", "actLeap", datetime(2028, 2, 29, 23, 59, 59, tzinfo=UTC), "1.25")
    assert all(im.ledger.of(n, leap, leap) for n in LLM)
    result = run(im, store, month=feb, now=at(im, when))
    assert_report(result.report, im.expected(feb), None)
    for name in PROVIDER_NAMES:
        assert_days(store, im, name, feb, mar)
    assert all(ledger.lines_between(store, leap, leap, n) for n in LLM)
    assert runs.get_run(store, "leapday").created_at.date() == leap
    assert_report(monthly_report(store, mar), im.expected(mar), im.expected(feb))


# ---------------------------------------------------------------- concurrency


def test_two_collections_at_once_take_turns_and_write_no_duplicates(im, store):
    at(im, NOW)
    start = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            start.wait(timeout=10)
            results.append(run(im, store, month=NOV, now=NOW, lock_wait=60))  # the second waits for the first
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(results) == 2
    for result in results:
        assert {n: o.status for n, o in result.outcomes.items()} == dict.fromkeys(PROVIDER_NAMES, OK)
    assert_report(monthly_report(store, NOV), im.expected(NOV), None)
    with store.engine.connect() as conn:
        keys = conn.execute(
            sa.select(daily_costs.c.provider, daily_costs.c.day, daily_costs.c.line_item, daily_costs.c.owner).where(
                daily_costs.c.provider != "apify"
            )
        ).all()
        run_ids = conn.execute(sa.select(scraper_runs.c.run_id)).scalars().all()
        finished = conn.execute(sa.select(collection_runs.c.status)).scalars().all()
    assert len(keys) == len(set(keys)) == sum(results[0].outcomes[n].lines for n in LLM)
    assert len(run_ids) == len(set(run_ids)) == len(im.ledger.runs_between(NOV, NOW.date()))
    assert finished == [OK, OK]


# ---------------------------------------------------------------- configuration and records


def test_providers_without_a_key_are_not_configured_not_errors(im, store):
    settings = im.settings(openai_admin_key=None, deepgram_api_key=None, openrouter_management_key=None)
    result = run(im, store, settings=settings, month=NOV, now=at(im, NOW))
    for name in ("openai", "deepgram", "openrouter"):
        assert (result.outcomes[name].status, result.outcomes[name].error) == (NOT_CONFIGURED, None)
        assert not im.requests[name]
        assert collections.statuses(store)[name].status == NOT_CONFIGURED
    assert result.failed == []
    want = {n: e for n, e in im.expected(NOV).items() if n in ("anthropic", "elevenlabs", "apify")}
    assert_report(result.report, want, None)
    assert collections.last_run(store).status == OK


def test_elevenlabs_is_priced_from_the_subscription_when_no_price_is_set(im, store):
    result = run(im, store, settings=im.settings(elevenlabs_usd_per_1k_credits=None), month=NOV, now=at(im, NOW))
    price = im.subscription_usd_per_1k_credits()
    assert price != im.usd_per_1k_credits
    assert any(r.url.path == "/v1/user/subscription" for r in im.requests["elevenlabs"])
    assert_report(result.report, im.expected(NOV, usd_per_1k_credits=price), None)


def test_collection_runs_and_provider_statuses_are_recorded(im, store):
    first = run(im, store, month=NOV, now=at(im, NOW))
    record = collections.last_run(store)
    assert (record.id, record.month, record.status) == (first.run_id, NOV, OK)
    assert record.finished_at >= record.started_at
    want = im.expected(NOV)
    assert {n: (v["status"], v["error"], Decimal(v["cost_usd"])) for n, v in record.providers.items()} == {
        n: (OK, None, want[n].cost) for n in PROVIDER_NAMES
    }
    before = collections.statuses(store)
    assert all(s.status == OK and s.succeeded_at == s.attempted_at for s in before.values())

    im.down("openai")
    second = run(im, store, month=NOV, now=NOW)
    record = collections.last_run(store)
    assert (record.id, record.status) == (second.run_id, "partial") and second.run_id > first.run_id
    assert record.providers["openai"]["status"] == FAILED
    assert record.providers["openai"]["error"] == second.outcomes["openai"].error
    after = collections.statuses(store)
    assert after["openai"].succeeded_at == before["openai"].succeeded_at
    assert after["openai"].attempted_at > before["openai"].attempted_at
    assert after["anthropic"].succeeded_at > before["anthropic"].succeeded_at

    for name in PROVIDER_NAMES:
        im.down(name)
    third = run(im, store, month=NOV, now=NOW)
    assert collections.last_run(store).status == FAILED and sorted(third.failed) == sorted(PROVIDER_NAMES)
    report = {p.provider: p for p in monthly_report(store, NOV).providers}
    assert {n: (p.status, p.error) for n, p in report.items()} == {
        n: (FAILED, third.outcomes[n].error) for n in PROVIDER_NAMES
    }
    assert_report(third.report, want, None)  # the figures of the first collection, intact


def test_no_secret_reaches_an_outcome_a_status_a_record_or_the_report_json(store):
    im = imitation_for(NOV, date(2026, 11, 20), NOW.date(), echo_credentials=True)
    run(im, store, month=NOV, now=at(im, NOW))
    for name in ("openai", "anthropic"):
        im.rotate_key(name)
    im.down("elevenlabs")
    im.fail_once("deepgram", 429, times=1000)
    im.malformed("openrouter", "wrong_shape")
    im.rotate_key("apify")
    settings = im.settings(database_url="postgresql+psycopg://spend:db-pass-5f1e@127.0.0.1/x")
    result = run(im, store, settings=settings, month=NOV, now=NOW)
    assert sorted(result.failed) == sorted(PROVIDER_NAMES)
    # The imitation did put the keys into its error bodies: the redaction is what kept them out.
    echoed = [r for n in ("openai", "elevenlabs", "deepgram") for r in im.requests[n][-1:]]
    assert all(
        KEYS[n] in im.handler(n)(r).text for n, r in zip(("openai", "elevenlabs", "deepgram"), echoed, strict=True)
    )
    texts = [o.error or "" for o in result.outcomes.values()]
    texts += [s.error or "" for s in collections.statuses(store).values()]
    texts.append(json.dumps(collections.last_run(store).providers))
    texts.append(jsonout.dumps(jsonout.report_json(monthly_report(store, NOV))))
    secrets = settings.secret_values()
    assert set(KEYS.values()) | {"db-pass-5f1e"} <= set(secrets)
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_unknown_provider_or_future_month_writes_nothing(im, store):
    with pytest.raises(InputError):
        run(im, store, providers=["openai", "nope"], now=at(im, NOW))
    with pytest.raises(InputError):
        run(im, store, month=date(2026, 12, 1), now=NOW)
    assert count(store, collection_runs) == 0 and count(store, daily_costs) == 0
    assert not any(im.requests.values())


def test_only_the_providers_asked_for_are_collected(im, store):
    result = run(im, store, month=NOV, providers=["anthropic", "apify"], now=at(im, NOW))
    assert set(result.outcomes) == {"anthropic", "apify"}
    assert {n for n, reqs in im.requests.items() if reqs} == {"anthropic", "apify"}
    by_provider = defaultdict(int)
    for line in ledger.lines_between(store, NOV, NOW.date()):
        by_provider[line.provider] += 1
    assert set(by_provider) == {"anthropic", "apify"}


def test_a_collection_with_nothing_configured_says_so_instead_of_ok_and_touches_nothing(store):
    from sqlalchemy import func, select

    from core.demo import has_sample_data, load_demo_data
    from core.store.schema import monthly_summaries, provider_snapshots

    load_demo_data(store, NOW)  # someone exploring the sample data presses Collect now before setting a key
    result = collect(Settings(database_url=str(store.engine.url)), store, policy=NO_SLEEP, now=NOW)
    assert {o.status for o in result.outcomes.values()} == {NOT_CONFIGURED}
    assert collections.last_run(store).status == NOT_CONFIGURED
    assert has_sample_data(store) and not result.sample_removed  # nothing real came: the sample stays
    with store.engine.connect() as conn:  # and no month was saved from sample figures
        assert conn.execute(select(func.count()).select_from(monthly_summaries)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(provider_snapshots)).scalar() == 0


def test_every_collection_checks_the_budget_alerts_on_its_fresh_figures(im, store):
    from core.budgets import set_budget

    set_budget(store, "total", "0.01")  # whatever the month spent so far crosses it
    posts = []

    def webhook(request: httpx.Request) -> httpx.Response:
        posts.append(json.loads(request.content))
        return httpx.Response(200, text="ok")

    settings = im.settings(str(store.engine.url), alert_webhook_url="https://hooks.example.com/services/T/B/x")
    transports = {**im.transports(), "webhook": httpx.MockTransport(webhook)}
    events = []
    first = collect(
        settings,
        store,
        transports=transports,
        policy=NO_SLEEP,
        now=at(im, NOW),
        progress=lambda *e: events.append(e),
    )
    assert first.alerts is not None and first.alerts.error is None
    assert [o.key for o in first.alerts.result.delivered] == [f"budget/total/{NOW:%Y-%m}/100"]
    assert len(posts) == 1 and "budget" in posts[0]["text"].lower()
    assert ("alerts", "ok", "1") in events  # the phase the app and the command line show
    again = collect(settings, store, transports=transports, policy=NO_SLEEP, now=NOW)
    assert again.alerts.result.delivered == [] and len(posts) == 1  # once per threshold and month


def test_apify_names_are_asked_once_per_collection_and_again_only_after_a_week(im, store):
    from core.store import actors

    def asked() -> list[str]:
        paths = [r.url.path for r in im.requests["apify"]]
        return [p.rsplit("/", 1)[1] for p in paths if p.startswith(("/v2/acts/", "/v2/actors/", "/v2/actor-tasks/"))]

    run(im, store, now=at(im, NOW))  # a first collection: this month, last month and the history, window by window
    first = asked()
    assert first and len(first) == len(set(first))  # every Actor named, once however many windows were read
    named = set(actors.names(store))
    assert named and named <= set(first)

    im.requests["apify"].clear()
    run(im, store, now=at(im, NOW))
    assert set(asked()) == set(first) - named  # names stored this week are not asked again (only ids Apify lacks)

    with store.engine.begin() as conn:  # a week later a name is asked again, so a renamed Actor shows its new name
        conn.execute(actors.actor_names.update().values(fetched_at=datetime.now(UTC) - timedelta(days=8)))
    im.requests["apify"].clear()
    run(im, store, now=at(im, NOW))
    assert sorted(asked()) == sorted(first)
