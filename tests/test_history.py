"""History from day one (issue 12, item 3), against the imitation on SQLite and PostgreSQL.

A provider's first collection fetches three complete months back, ``since`` fetches every month to today, each
provider asks only for what its API still serves (OpenRouter: 30 days), and a month nothing could be collected for
is "not available" or "not collected" — in the report, its JSON, the email and Notion — never $0; an empty
comparison says why. Expectations come from the imitation's ledger.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from core import jsonout, notion
from core.collect import MONTH, MONTH_NOT_AVAILABLE, collect, history_start
from core.errors import InputError
from core.i18n import translator
from core.models import COMPLETE, NO_SPEND, NOT_AVAILABLE, NOT_COLLECTED, PARTIAL
from core.periods import month_end, previous_month
from core.report import monthly_report, provider_notes, report_notes
from core.report_email import render
from core.store import days
from tests.conftest import NO_SLEEP
from tests.imitation import PROVIDER_NAMES, Imitation, stored_daily
from tests.notion_fake import TOKEN, FakeClock, FakeNotion
from tests.test_collect import assert_days, assert_report, at, imitation_for, run

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
MAY, JUN, JUL, AUG, SEP, OCT, NOV = (date(2026, m, 1) for m in range(5, 12))
EN = translator("en")


@pytest.fixture
def im() -> Imitation:
    """Spend every day since May: more than any first collection fetches."""
    return imitation_for(MAY, TODAY, TODAY)


def windows_asked(im: Imitation, name: str) -> list[tuple[date, date]]:
    """The inclusive UTC days each cost request of OpenAI or Anthropic asked for (first pages only)."""
    asked = []
    for r in im.requests[name]:
        q = r.url.params
        if "page" in q:
            continue
        if name == "openai" and r.url.path.endswith("/costs"):
            start, end = (datetime.fromtimestamp(int(q[k]), UTC).date() for k in ("start_time", "end_time"))
        elif name == "anthropic":
            start, end = (date.fromisoformat(q[k][:10]) for k in ("starting_at", "ending_at"))
        else:
            continue
        asked.append((start, end - timedelta(days=1)))  # the end is exclusive
    return sorted(asked)


def reports(store, *months: date) -> dict[date, dict]:
    return {m: {p.provider: p for p in monthly_report(store, m, today=TODAY).providers} for m in months}


# ---------------------------------------------------------------- what is fetched


def test_a_first_collection_fetches_three_complete_months_back_each_provider_within_what_it_serves(im, store):
    result = run(im, store, now=at(im, NOW))

    assert history_start(TODAY) == AUG
    assert result.months == [AUG, SEP, OCT, NOV]
    assert result.failed == []
    for name in PROVIDER_NAMES:
        assert_days(store, im, name, AUG, TODAY)  # every day since August 1 (OpenRouter: its last 30)
        assert stored_daily(store, name, MAY, month_end(JUL)) == {}, name
    for month in (AUG, SEP, OCT):
        before = None if month == AUG else im.expected(previous_month(month))
        assert_report(monthly_report(store, month, today=TODAY), im.expected(month), before)
    for name in ("openai", "anthropic"):
        asked = windows_asked(im, name)
        assert asked[0][0] == AUG and asked[-1][1] == TODAY
        assert all((last - first).days < 31 and first.month == last.month for first, last in asked), asked
    # OpenRouter was asked only for the months it still serves (October's end, November), not for $0 months.
    assert len(im.requests["openrouter"]) == 2
    first, last = im.openrouter_days()
    assert days.collected_between(store, "openrouter", AUG, first - timedelta(days=1)) == 0
    assert days.collected_between(store, "openrouter", first, last) == (last - first).days + 1


def test_since_fetches_every_month_to_today_for_every_provider(im, store):
    run(im, store, now=at(im, NOW))  # every provider has been collected: a default collection fetches no history
    assert days.collected_between(store, "openai", JUN, JUL) == 0
    result = run(im, store, since=JUN, now=NOW)
    assert result.months == [JUN, JUL, AUG, SEP, OCT, NOV] and result.report.month == NOV
    for name in PROVIDER_NAMES:
        assert_days(store, im, name, JUN, TODAY)
        assert stored_daily(store, name, MAY, month_end(MAY)) == {}, name
    with pytest.raises(InputError, match="has not started"):
        run(im, store, since=date(2026, 12, 1), now=NOW)
    with pytest.raises(InputError, match="not both"):
        run(im, store, since=JUN, month=OCT, now=NOW)


def test_a_provider_added_later_gets_its_history_the_others_their_usual_months(im, store):
    run(im, store, settings=im.settings(openai_admin_key=None), now=at(im, NOW))
    assert not days.ever_collected(store, "openai")
    im.requests.clear()

    later = run(im, store, now=NOW)

    assert later.months == [AUG, SEP, OCT, NOV]
    assert_days(store, im, "openai", AUG, TODAY)
    assert stored_daily(store, "openai", MAY, month_end(JUL)) == {}
    assert windows_asked(im, "openai")[0][0] == AUG
    assert windows_asked(im, "anthropic")[0][0] == OCT  # this month and the previous one only


def test_a_month_provider_never_collected_only_gets_that_month(im, store):
    """An explicit month is what was asked for, even for a provider never collected (--since fetches history)."""
    result = run(im, store, month=OCT, now=at(im, NOW))
    assert result.months == [OCT, NOV]  # October, and the trailing days of November
    assert windows_asked(im, "openai")[0][0] == OCT


# ---------------------------------------------------------------- not available, never $0


def test_openrouter_months_it_no_longer_serves_are_not_available_and_partly_served_ones_say_so(im, store):
    run(im, store, now=at(im, NOW))
    got = reports(store, AUG, SEP, OCT, NOV)
    first, _ = im.openrouter_days()
    for month in (AUG, SEP):
        p = got[month]["openrouter"]
        assert (p.availability, p.has_figure, p.requests, p.change_percent) == (NOT_AVAILABLE, False, None, None)
        assert p.change_note == NOT_AVAILABLE
        assert got[month]["openai"].availability == COMPLETE
    october = got[OCT]["openrouter"]
    assert (october.availability, october.covered) == (PARTIAL, (first, month_end(OCT)))
    assert october.cost_usd == im.expected(OCT)["openrouter"].cost
    assert got[NOV]["openrouter"].availability == COMPLETE  # up to yesterday: OpenRouter never has today
    assert got[NOV]["openrouter"].previous_availability == PARTIAL
    label = "OpenRouter"
    assert provider_notes(got[SEP]["openrouter"], SEP, EN, label) == [
        "Not available: OpenRouter can no longer serve 2026-09 (its API only keeps recent history): its figure is "
        "unknown, not zero."
    ]
    assert provider_notes(october, OCT, EN, label) == [
        f"Partly available: collected from {first.isoformat()} to 2026-10-31 only.",
        "No change to show: OpenRouter can no longer serve 2026-09.",
    ]


def test_report_json_gives_no_figure_for_a_month_not_available(im, store):
    run(im, store, now=at(im, NOW))
    body = jsonout.report_json(monthly_report(store, SEP, today=TODAY))
    rows = {p["provider"]: p for p in json.loads(jsonout.dumps(body))["providers"]}
    keys = ("cost_usd", "requests", "availability", "change_note", "covered", "top_models")
    assert {k: rows["openrouter"][k] for k in keys} == {
        "cost_usd": None,
        "requests": None,
        "availability": "not_available",
        "change_note": "not_available",
        "covered": None,
        "top_models": [],
    }
    assert rows["openai"]["availability"] == "complete" and Decimal(rows["openai"]["cost_usd"]) > 0
    body = json.loads(jsonout.dumps(jsonout.report_json(monthly_report(store, OCT, today=TODAY))))
    october = {p["provider"]: p for p in body["providers"]}
    first, _ = im.openrouter_days()
    assert october["openrouter"]["availability"] == "partial"
    assert october["openrouter"]["covered"] == {"first": first.isoformat(), "last": "2026-10-31"}


def test_the_email_says_not_available_instead_of_zero(im, store):
    run(im, store, now=at(im, NOW))
    email = render(monthly_report(store, SEP, today=TODAY), im.settings())
    line = next(x for x in email.text.splitlines() if x.startswith("- OpenRouter:"))
    assert line.startswith("- OpenRouter: not available (Not available: OpenRouter can no longer serve September 2026")
    assert "$0" not in line and "requests: —" in line.lower()
    assert "n/a" not in email.text  # every empty comparison says why
    row = email.html.split("<strong>OpenRouter</strong>", 1)[1].split("</tr>", 1)[0]
    assert "not available" in row and "$0" not in row


def test_notion_archives_a_month_not_available_with_empty_figures(im, store):
    fake, clock = FakeNotion(), FakeClock()
    base = im.settings(store.engine.url.render_as_string(hide_password=False), notion_api_key=TOKEN)
    ids = notion.setup(base, fake.parent_page, transport=fake.transport(), sleep=clock.sleep, clock=clock.now)
    settings = replace(base, notion_snapshots_db_id=ids[0], notion_summaries_db_id=ids[1])
    transports = {**im.transports(), "notion": fake.transport()}
    at(im, NOW)
    result = collect(settings, store, transports=transports, now=NOW, sleep=clock.sleep, policy=NO_SLEEP)
    assert result.archive is not None and result.archive.error is None
    pages = {(p["Month"], p["Provider"]): p for p in map(fake.values, fake.live_pages(ids[0]))}
    for month in ("2026-08", "2026-09"):
        page = pages[(month, "openrouter")]
        assert (page["Total Cost USD"], page["Requests"], page["Change Percent"]) == (None, None, None)
        assert page["Availability"] == "not_available"
    october = pages[("2026-10", "openrouter")]
    assert october["Availability"] == "partial" and october["Previous Month Cost"] is None
    assert october["Total Cost USD"] == float(im.expected(OCT)["openrouter"].cost)
    assert pages[("2026-10", "openai")]["Availability"] == "complete"


# ---------------------------------------------------------------- the comparison explains itself


def test_an_empty_comparison_says_why(im, store):
    for e in im.ledger.of("deepgram", SEP, month_end(SEP)):  # Deepgram: nothing spent in September
        im.ledger.remove("deepgram", e.day)
    run(im, store, now=at(im, NOW))
    august, october = monthly_report(store, AUG, today=TODAY), monthly_report(store, OCT, today=TODAY)

    # The first month collected: July was never collected.
    assert august.previous_month_cost_usd is None and august.change_note == NOT_COLLECTED
    assert report_notes(august, EN) == [
        "No change to show: nothing was collected for 2026-07 (collection started on 2026-08-01)."
    ]
    openai = next(p for p in august.providers if p.provider == "openai")
    assert openai.change_note == NOT_COLLECTED
    assert provider_notes(openai, AUG, EN, "OpenAI") == [
        "No change to show: nothing was collected for 2026-07 (collection started on 2026-08-01)."
    ]
    # Genuinely no spend: September was collected, Deepgram spent nothing.
    deepgram = next(p for p in october.providers if p.provider == "deepgram")
    assert (deepgram.previous_cost_usd, deepgram.change_percent, deepgram.change_note) == (0, None, NO_SPEND)
    assert provider_notes(deepgram, OCT, EN, "Deepgram") == ["No change to show: there was no spend in 2026-09."]
    # October's total compares with a September that OpenRouter could not serve: said, with the change.
    assert october.change_percent is not None and october.previous_availability == PARTIAL
    assert report_notes(october, EN) == [
        "2026-09 is only partly collected (OpenRouter): the change compares with part of it."
    ]
    # A month before anything was collected: nothing at all, and it says so.
    july = {p.provider: p for p in monthly_report(store, JUL, today=TODAY).providers}
    assert {n: p.availability for n, p in july.items()} == {
        n: NOT_AVAILABLE if n == "openrouter" else NOT_COLLECTED for n in PROVIDER_NAMES
    }
    assert all(not p.has_figure and p.requests is None for p in july.values())


# ---------------------------------------------------------------- progress


def test_progress_reports_each_month_of_each_provider_in_order(im, store):
    events: list[tuple[str, str, str | None]] = []
    lock = threading.Lock()

    def progress(name: str, status: str, detail: str | None) -> None:
        with lock:
            events.append((name, status, detail))

    run(im, store, now=at(im, NOW), progress=progress)

    for name in PROVIDER_NAMES:
        mine = [(status, detail) for n, status, detail in events if n == name]
        served = MONTH_NOT_AVAILABLE if name == "openrouter" else MONTH
        assert mine == [
            ("running", None),
            (served, "2026-08 1/4"),
            (served, "2026-09 2/4"),
            (MONTH, "2026-10 3/4"),
            (MONTH, "2026-11 4/4"),
            ("ok", None),
        ], name
