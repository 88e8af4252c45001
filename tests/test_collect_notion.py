"""Collecting with Notion configured archives every collected month, once, and again without duplicates."""

from dataclasses import replace
from datetime import UTC, date, datetime

from core import notion
from core.collect import collect
from core.periods import month_key
from tests.conftest import NO_SLEEP
from tests.imitation import Imitation, Ledger, populate
from tests.notion_fake import TOKEN, FakeClock, FakeNotion

SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)


def test_two_collections_archive_one_page_per_month_and_provider(store):
    today = date(2026, 11, 5)
    im = Imitation(today, populate(Ledger(), SEP, today))
    fake, clock = FakeNotion(), FakeClock()
    base = im.settings(store.engine.url.render_as_string(hide_password=False), notion_api_key=TOKEN)
    snapshots_id, summaries_id = notion.setup(
        base, fake.parent_page, transport=fake.transport(), sleep=clock.sleep, clock=clock.now
    )
    settings = replace(base, notion_snapshots_db_id=snapshots_id, notion_summaries_db_id=summaries_id)
    transports = {**im.transports(), "notion": fake.transport()}
    now = datetime(2026, 11, 5, 12, tzinfo=UTC)
    for month in (SEP, OCT, OCT):  # the second October collection must update, never duplicate
        result = collect(
            settings, store, month=month, transports=transports, policy=NO_SLEEP, now=now, sleep=clock.sleep
        )
        assert result.archive is not None and result.archive.error is None
    pages = [fake.values(p) for p in fake.live_pages(snapshots_id)]
    keys = [(p["Month"], p["Provider"]) for p in pages]
    assert len(keys) == len(set(keys))
    for month in (SEP, OCT):
        want = im.expected(month)
        got = {p["Provider"]: p for p in pages if p["Month"] == month_key(month)}
        assert set(got) == set(want)  # OpenRouter's September too: archived as not available
        for name, page in got.items():
            if want[name].served:
                assert page["Total Cost USD"] == float(want[name].cost)
            else:
                assert (page["Total Cost USD"], page["Availability"]) == (None, "not_available"), name
    summaries = [fake.values(p)["Month"] for p in fake.live_pages(summaries_id)]
    assert sorted(summaries) == [month_key(SEP), month_key(OCT), month_key(date(2026, 11, 1))]
    assert notion.status(store).pending_months == []
