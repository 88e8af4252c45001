"""Trust in the figures, on SQLite and PostgreSQL: lost days are noticed and refilled, a closed month that changes
after it was emailed or archived says so, unpriced usage is never shown as $0 of spend, the coverage line adds up,
and OpenRouter's forgetting window is warned about.

Every expectation is computed from the imitation's ledger.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.collect import OK, collect
from core.coverage import coverage, describe
from core.email import send_report
from core.i18n.formats import Formats
from core.models import DERIVED_FROM_CREDITS, PROVIDER_REPORTED, RUN_REPORTED, UNPRICED
from core.periods import month_end
from core.providers import registry
from core.report import monthly_report
from core.status import OPENROUTER_WARN_DAYS, openrouter_stale_days
from core.store import collections, ledger, runs
from core.store.schema import daily_costs, notion_pages, scraper_runs
from core.store.snapshots import get_snapshots, get_summary
from tests.conftest import NO_SLEEP
from tests.fakes import RecordingResendClient
from tests.imitation import PROVIDER_NAMES, Imitation, Ledger, populate
from tests.imitation import stored_daily as stored_days

AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)
LLM = tuple(n for n in PROVIDER_NAMES if n != "apify")
LABELS = {name: p.label for name, p in registry().items()}


# ---------------------------------------------------------------- helpers


def imitation(first: date, today: date, **kw) -> Imitation:
    return Imitation(today, populate(Ledger(), first, today), **kw)


def run(im: Imitation, store, now: datetime, *, settings=None, **kw):
    settings = settings or im.settings(store.engine.url.render_as_string(hide_password=False))
    im.today = now.date()
    result = collect(settings, store, transports=im.transports(), policy=NO_SLEEP, now=now, **kw)
    assert {o.status for o in result.outcomes.values()} == {OK}, {n: o.error for n, o in result.outcomes.items()}
    return result


def stored_daily(store, name: str, first: date, last: date) -> dict[date, tuple[Decimal, int | None]]:
    """What the store holds per UTC day for a provider, days with nothing left out."""
    return {d: (e.cost, e.requests) for d, e in stored_days(store, name, first, last).items() if e.cost or e.requests}


def ledger_daily(im: Imitation, name: str, first: date, last: date, seen_on) -> dict[date, tuple]:
    return {
        d: (e.cost, e.requests) for d, e in im.daily(name, first, last, seen_on=seen_on).items() if e.cost or e.requests
    }


def busy_day(im: Imitation, month: date) -> date:
    """The first day of ``month`` on which every provider has figures (lines and Apify runs)."""
    for i in range(31):
        day = month + timedelta(days=i)
        if all(im.ledger.of(n, day, day) for n in LLM) and im.ledger.runs_between(day, day):
            return day
    raise AssertionError("no busy day")


def execute(store, statement, **params) -> int:
    with store.engine.begin() as conn:
        return conn.execute(statement, params).rowcount


def lose(store, statement, first: date, last: date) -> int:
    """Rows lost behind Spendboard's back (a bad restore, a stray DELETE): the derived rollup and Apify lines follow
    what is left, as they would after the next write of those days."""
    with store.engine.begin() as conn:
        lost = conn.execute(statement).rowcount
        ledger.rebuild_run_lines(conn, first, last)
        ledger.refresh_totals(conn, None, first, last)
    return lost


def mail_settings(im: Imitation, store, **overrides):
    return im.settings(
        store.engine.url.render_as_string(hide_password=False),
        resend_api_key="re_test_trust_4f2a9c",
        resend_api_url="https://resend.test",
        report_email_from="Spendboard <reports@example.com>",
        report_email_to=("team@example.com",),
        **overrides,
    )


def snapshots(store, month: date) -> dict:
    return {r.provider: r for r in get_snapshots(store, month)}


def month_cost(im: Imitation, month: date, seen_on) -> dict[str, Decimal]:
    return {n: e.cost for n, e in im.expected(month, seen_on=seen_on).items() if e.days}


# ---------------------------------------------------------------- lost days are refilled

NOW = datetime(2026, 10, 20, 12, tzinfo=UTC)  # the default window is September 1 to today: August is outside it


def test_a_day_deleted_from_the_database_is_refilled_by_the_next_collection(store):
    im = imitation(date(2026, 7, 25), NOW.date())
    run(im, store, NOW, month=AUG)
    day = busy_day(im, AUG)
    lost = [n for n in LLM if n != "openrouter"]  # OpenRouter's /activity no longer reaches August
    want = {n: ledger_daily(im, n, AUG, month_end(AUG), NOW.date()) for n in lost}
    assert all(want[n][day] == stored_daily(store, n, day, day)[day] for n in lost)
    deleted = lose(
        store, sa.delete(daily_costs).where(daily_costs.c.provider.in_(lost), daily_costs.c.day == day), day, day
    )
    assert deleted >= len(lost)
    before = {p.provider: p.cost_usd for p in monthly_report(store, AUG).providers}
    assert all(before[n] == sum((c for c, _ in want[n].values()), Decimal(0)) - want[n][day][0] for n in lost)

    result = run(im, store, NOW)  # a default collection: this month and the last, plus what went missing
    assert {n: result.outcomes[n].refilled for n in lost} == dict.fromkeys(lost, (day,))
    assert result.outcomes["openrouter"].refilled == () and result.outcomes["apify"].refilled == ()
    assert AUG in result.months
    for name in lost:
        assert stored_daily(store, name, AUG, month_end(AUG)) == want[name], name
    report = {p.provider: p.cost_usd for p in monthly_report(store, AUG).providers}
    assert {n: report[n] for n in lost} == {n: c for n, c in month_cost(im, AUG, NOW.date()).items() if n in lost}
    # The August snapshot follows the refilled figures; nothing is missing any more.
    assert {n: s.total_cost_usd for n, s in snapshots(store, AUG).items() if n in lost} == {n: report[n] for n in lost}
    again = run(im, store, NOW)
    assert all(o.refilled == () for o in again.outcomes.values())


def test_an_apify_day_whose_runs_were_deleted_is_refilled(store):
    im = imitation(date(2026, 7, 25), NOW.date())
    run(im, store, NOW, month=AUG)
    day = busy_day(im, AUG)
    ids = [r.id for r in im.ledger.runs_between(day, day)]
    assert lose(store, sa.delete(scraper_runs).where(scraper_runs.c.run_id.in_(ids)), day, day) == len(ids)
    assert day not in stored_daily(store, "apify", day, day)

    result = run(im, store, NOW)
    assert result.outcomes["apify"].refilled == (day,)
    assert all(result.outcomes[n].refilled == () for n in LLM)
    assert {runs.get_run(store, i).run_id for i in ids} == set(ids)
    assert stored_daily(store, "apify", AUG, month_end(AUG)) == ledger_daily(
        im, "apify", AUG, month_end(AUG), NOW.date()
    )
    report = {p.provider: p for p in monthly_report(store, AUG).providers}
    assert (report["apify"].cost_usd, report["apify"].requests) == (
        im.expected(AUG)["apify"].cost,
        im.expected(AUG)["apify"].requests,
    )


def test_a_price_with_more_decimals_than_stored_does_not_make_days_look_missing(store):
    im = imitation(date(2026, 7, 25), NOW.date(), usd_per_1k_credits=Decimal("0.18333"))
    run(im, store, NOW, month=AUG, providers=["elevenlabs"])
    result = run(im, store, NOW, providers=["elevenlabs"])
    assert result.outcomes["elevenlabs"].refilled == ()


def test_days_never_collected_since_the_first_collected_day_are_filled_in(store):
    im = imitation(date(2026, 6, 25), NOW.date())
    run(im, store, NOW, month=date(2026, 7, 1), providers=["openai"])  # July, and the last three days
    assert ledger.lines_between(store, AUG, month_end(AUG), "openai") == []  # nobody asked for August

    result = run(im, store, NOW, providers=["openai"])  # September to today, plus August: never collected
    assert result.outcomes["openai"].refilled == tuple(AUG + timedelta(days=i) for i in range(31))
    assert stored_daily(store, "openai", AUG, month_end(AUG)) == ledger_daily(im, "openai", AUG, month_end(AUG), None)


# ---------------------------------------------------------------- closed months that change

SENT_ON = datetime(2026, 9, 5, 12, tzinfo=UTC)  # the default window still covers August, which is closed


@pytest.fixture
def august(store):
    """August collected on September 5 (so it is closed and within the window), and its totals."""
    im = imitation(date(2026, 7, 28), SENT_ON.date())
    run(im, store, SENT_ON)
    return im


def test_a_restated_day_in_a_closed_month_that_was_emailed_marks_it_revised(august, store):
    im = august
    settings = mail_settings(im, store)
    before = month_cost(im, AUG, SENT_ON.date())
    client = RecordingResendClient()
    sent = send_report(settings, store, AUG, http_client=client)
    assert sent.sent and len(client.calls) == 1
    emailed = get_summary(store, AUG).email_total_usd
    assert emailed == sum(before.values(), Decimal(0))

    run(im, store, SENT_ON)  # nothing changed upstream: not a revision
    summary = get_summary(store, AUG)
    assert (summary.revised_at, summary.revised_from_usd) == (None, None)
    assert all(s.revised_from_usd is None for s in snapshots(store, AUG).values())

    im.ledger.restate("openai", date(2026, 8, 30))
    im.ledger.restate("deepgram", date(2026, 8, 12), "0.5")
    after = month_cost(im, AUG, SENT_ON.date())
    assert after["openai"] != before["openai"] and after["deepgram"] != before["deepgram"]
    run(im, store, SENT_ON)

    summary = get_summary(store, AUG)
    assert summary.revised_at is not None and summary.revised_from_usd == emailed
    assert summary.total_cost_usd == sum(after.values(), Decimal(0)) != emailed
    snaps = snapshots(store, AUG)
    moved = {n: s.revised_from_usd for n, s in snaps.items() if s.revised_from_usd is not None}
    assert moved == {"openai": before["openai"], "deepgram": before["deepgram"]}
    assert {n: s.total_cost_usd for n, s in snaps.items()} == after
    report = monthly_report(store, AUG)
    assert (report.revised_at, report.revised_from_usd) == (summary.revised_at, emailed)
    assert {p.provider: p.revised_from_usd for p in report.providers if p.revised_from_usd is not None} == moved

    # A second restatement: still measured against what people were told first.
    first_revision = summary.revised_at
    im.ledger.restate("openai", date(2026, 8, 29))
    im.ledger.restate("anthropic", date(2026, 8, 3))
    run(im, store, SENT_ON)
    summary = get_summary(store, AUG)
    assert summary.revised_from_usd == emailed and summary.revised_at >= first_revision
    moved = {n: s.revised_from_usd for n, s in snapshots(store, AUG).items() if s.revised_from_usd is not None}
    assert moved == {"openai": before["openai"], "deepgram": before["deepgram"], "anthropic": before["anthropic"]}


def test_a_month_archived_to_notion_is_marked_revised_from_its_archived_total(august, store):
    im = august
    archived = get_summary(store, AUG).total_cost_usd
    with store.engine.begin() as conn:
        conn.execute(
            notion_pages.insert().values(
                data_source_id="ds-summaries", month=AUG, provider="", page_id="page-aug", synced_at=SENT_ON
            )
        )
    im.ledger.restate("anthropic", date(2026, 8, 20))
    run(im, store, SENT_ON)
    summary = get_summary(store, AUG)
    assert summary.revised_at is not None and summary.revised_from_usd == archived
    assert summary.email_sent_at is None


def test_a_month_never_emailed_or_archived_is_not_marked_revised(august, store):
    im = august
    before = get_summary(store, AUG).total_cost_usd
    im.ledger.restate("openai", date(2026, 8, 30))
    im.ledger.restate("apify", date(2026, 8, 30))
    run(im, store, SENT_ON)
    summary = get_summary(store, AUG)
    after = month_cost(im, AUG, SENT_ON.date())
    assert summary.total_cost_usd == sum(after.values(), Decimal(0)) != before
    assert (summary.revised_at, summary.revised_from_usd) == (None, None)
    assert all(s.revised_from_usd is None for s in snapshots(store, AUG).values())
    report = monthly_report(store, AUG)
    assert report.revised_at is None and all(p.revised_from_usd is None for p in report.providers)


def test_a_refilled_day_that_restores_the_emailed_figures_is_not_a_revision(store):
    im = imitation(date(2026, 7, 25), NOW.date())
    run(im, store, NOW, month=AUG)
    send_report(mail_settings(im, store), store, AUG, http_client=RecordingResendClient())
    emailed = get_summary(store, AUG).email_total_usd
    day = busy_day(im, AUG)
    execute(store, sa.delete(daily_costs).where(daily_costs.c.provider == "openai", daily_costs.c.day == day))

    result = run(im, store, NOW)
    assert result.outcomes["openai"].refilled == (day,)
    summary = get_summary(store, AUG)
    assert summary.total_cost_usd == emailed and (summary.revised_at, summary.revised_from_usd) == (None, None)


# ---------------------------------------------------------------- unpriced usage and coverage


def test_unpriced_elevenlabs_usage_is_kept_as_credits_never_as_spend(store):
    when = datetime(2026, 10, 3, 9, tzinfo=UTC)
    im = imitation(date(2026, 8, 28), when.date(), elevenlabs_plan="free")
    settings = im.settings(store.engine.url.render_as_string(hide_password=False), elevenlabs_usd_per_1k_credits=None)
    run(im, store, when, settings=settings, month=SEP)
    assert any(r.url.path == "/v1/user/subscription" for r in im.requests["elevenlabs"])  # asked, could not price
    assert collections.statuses(store)["elevenlabs"].status == OK

    credits = sum((e.credits for e in im.ledger.of("elevenlabs", SEP, month_end(SEP))), Decimal(0))
    lines = ledger.lines_between(store, SEP, month_end(SEP), "elevenlabs")
    assert lines and {(x.cost_source, x.cost_usd, x.unit) for x in lines} == {(UNPRICED, Decimal(0), "credits")}
    assert sum((x.quantity for x in lines), Decimal(0)) == credits

    report = monthly_report(store, SEP)
    eleven = {p.provider: p for p in report.providers}["elevenlabs"]
    assert eleven.cost_source == UNPRICED != PROVIDER_REPORTED
    assert (eleven.unpriced_quantity, eleven.unit, eleven.cost_usd) == (credits, "credits", Decimal(0))
    priced = {n: c for n, c in month_cost(im, SEP, when.date()).items() if n != "elevenlabs"}
    assert report.total_cost_usd == sum(priced.values(), Decimal(0))
    assert {p.provider: p.unpriced_quantity for p in report.providers if p.unpriced_quantity} == {"elevenlabs": credits}

    cov = report.coverage
    assert cov == coverage(store, SEP, month_end(SEP))
    assert cov.unpriced == {"elevenlabs": credits} and cov.units == {"elevenlabs": "credits"}
    assert cov.derived_prices == {} and not cov.by_source.get(DERIVED_FROM_CREDITS)
    assert cov.by_source[PROVIDER_REPORTED] == sum((c for n, c in priced.items() if n != "apify"), Decimal(0))
    assert cov.by_source[RUN_REPORTED] == priced["apify"]
    assert not cov.by_source.get(UNPRICED)
    line = describe(cov, Formats("en"), LABELS)
    assert f"ElevenLabs {credits:,.0f} credits" in line and "unpriced" in line
    assert "derived" not in line


@pytest.mark.parametrize("price", [Decimal("0.30"), Decimal("0.198")])
def test_coverage_shares_add_up_and_the_derived_price_is_the_configured_one(price, store):
    when = datetime(2026, 10, 3, 9, tzinfo=UTC)
    im = imitation(date(2026, 8, 28), when.date(), usd_per_1k_credits=price)
    run(im, store, when, month=SEP)
    want = month_cost(im, SEP, when.date())
    cov = coverage(store, SEP, month_end(SEP))
    assert cov.by_source == {
        PROVIDER_REPORTED: sum((want[n] for n in ("openai", "anthropic", "deepgram", "openrouter")), Decimal(0)),
        DERIVED_FROM_CREDITS: want["elevenlabs"],
        RUN_REPORTED: want["apify"],
    }
    assert cov.total_usd == sum(want.values(), Decimal(0))
    shares = [cov.share(s) for s in (PROVIDER_REPORTED, DERIVED_FROM_CREDITS, RUN_REPORTED)]
    assert all(s > 0 for s in shares) and abs(sum(shares) - 100) <= Decimal("0.15")
    for source, share in zip((PROVIDER_REPORTED, DERIVED_FROM_CREDITS, RUN_REPORTED), shares, strict=True):
        assert abs(share - cov.by_source[source] * 100 / cov.total_usd) <= Decimal("0.05")
    assert cov.derived_prices == {"elevenlabs": price} and cov.unpriced == {}
    assert cov.units == {"elevenlabs": "credits"}
    line = describe(cov, Formats("en"), LABELS)
    assert f"{cov.share(DERIVED_FROM_CREDITS)}%" in line and "ElevenLabs credits" in line and "unpriced" not in line
    # One provider only: all of Apify's spend is the sum of its runs.
    only = coverage(store, SEP, month_end(SEP), "apify")
    assert only.by_source == {RUN_REPORTED: want["apify"]} and only.share(RUN_REPORTED) == 100


# ---------------------------------------------------------------- OpenRouter forgets after 30 days


def test_openrouter_staleness_warns_after_25_days_without_a_successful_collection(store):
    when = datetime(2026, 10, 3, 9, tzinfo=UTC)
    im = imitation(date(2026, 9, 1), when.date())
    settings = im.settings(store.engine.url.render_as_string(hide_password=False))
    run(im, store, when, settings=settings, providers=["openrouter"])
    succeeded = collections.statuses(store)["openrouter"].succeeded_at
    assert openrouter_stale_days(settings, store, succeeded + timedelta(days=1)) is None

    im.down("openrouter")  # every later collection fails: the last success stays where it was
    failed = collect(settings, store, providers=["openrouter"], transports=im.transports(), policy=NO_SLEEP, now=when)
    assert failed.failed == ["openrouter"]
    assert collections.statuses(store)["openrouter"].succeeded_at == succeeded

    limit = timedelta(days=OPENROUTER_WARN_DAYS)
    assert openrouter_stale_days(settings, store, succeeded + limit + timedelta(hours=23)) is None
    assert openrouter_stale_days(settings, store, succeeded + limit + timedelta(days=1)) == OPENROUTER_WARN_DAYS + 1
    assert openrouter_stale_days(settings, store, succeeded + timedelta(days=40)) == 40
    unconfigured = im.settings(settings.database_url, openrouter_management_key=None)
    assert openrouter_stale_days(unconfigured, store, succeeded + timedelta(days=40)) is None
