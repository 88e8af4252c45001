"""Sample data never touches real data (issue 10): refused on real figures, removed without touching them, cleared
by the first real collection, and never archived to Notion; on SQLite and PostgreSQL, from the command line and the
app's buttons."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from core import jsonout, notion
from core.cli import main as cli
from core.collect import collect
from core.demo import has_sample_data
from core.periods import month_key
from core.report import monthly_report
from core.store import ledger, runs, spend
from core.store.db import open_store
from core.store.schema import daily_costs, daily_totals, scraper_runs
from tests.conftest import NO_SLEEP, clean_app_env
from tests.imitation import Imitation, Ledger, populate
from tests.notion_fake import TOKEN, FakeClock, FakeNotion

SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)
NOW = datetime(2026, 11, 5, 12, tzinfo=UTC)
APP = "../streamlit_app.py"


def everything(store) -> tuple:
    """Every stored figure, to compare before and after."""
    with store.engine.connect() as conn:
        lines = conn.execute(
            sa.select(daily_costs).order_by(daily_costs.c.provider, daily_costs.c.day, daily_costs.c.item_key)
        ).all()
        totals = conn.execute(sa.select(daily_totals).order_by(*daily_totals.primary_key)).all()
        run_rows = conn.execute(sa.select(scraper_runs).order_by(scraper_runs.c.run_id)).all()
    reports = [jsonout.dumps(jsonout.report_json(monthly_report(store, m))) for m in (SEP, OCT)]
    return lines, totals, run_rows, reports


def figures(state: tuple) -> tuple:
    """September's money and counts in ``everything``, without the times a re-collection moves (a re-collection also
    fills the days after September that the first one never saw)."""
    lines, _, run_rows, reports = state
    september = json.loads(reports[0])
    return (
        [(x.provider, x.day, x.item_key, x.cost_usd, x.requests) for x in lines if x.day.month == SEP.month],
        [(r.run_id, r.cost_usd, r.created_at, r.status, r.user_id) for r in run_rows if r.created_at.month == 9],
        {k: v for k, v in september.items() if k != "providers"},
        [{k: v for k, v in p.items() if k != "collected_at"} for p in september["providers"]],
    )


def archived(fake: FakeNotion, source: str, month: date) -> list[tuple[str, dict]]:
    """The month's live pages (id and values, without the collection time)."""
    pages = []
    for page in fake.live_pages(source):
        values = {k: v for k, v in fake.values(page).items() if k != "Collected At"}
        if values["Month"] == month_key(month):
            pages.append((page["id"], values))
    return sorted(pages, key=lambda p: p[0])


def september_with_notion(store, database_url):
    """The six providers' imitation (September to today) and a Notion archive, and a collection of September
    through both: ``(im, fake Notion, snapshots data source id, collect_september)``."""
    im = Imitation(NOW.date(), populate(Ledger(), SEP, NOW.date()))
    fake, clock = FakeNotion(), FakeClock()
    base = im.settings(database_url, notion_api_key=TOKEN)
    snapshots_id, summaries_id = notion.setup(
        base, fake.parent_page, transport=fake.transport(), sleep=clock.sleep, clock=clock.now
    )
    settings = replace(base, notion_snapshots_db_id=snapshots_id, notion_summaries_db_id=summaries_id)
    transports = {**im.transports(), "notion": fake.transport()}

    def collect_september():
        return collect(settings, store, month=SEP, transports=transports, policy=NO_SLEEP, now=NOW, sleep=clock.sleep)

    return im, fake, snapshots_id, collect_september


def test_collect_then_sample_then_remove_then_collect_changes_no_real_figure_nor_the_archive(
    store, database_url, capsys
):
    _, fake, snapshots_id, collect_once = september_with_notion(store, database_url)

    def collect_september():
        result = collect_once()
        assert result.archive is not None and result.archive.error is None
        return result

    collect_september()
    before, pages, version = everything(store), archived(fake, snapshots_id, SEP), store.version()
    capsys.readouterr()

    assert cli(["demo"], environ={"DATABASE_URL": database_url}) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "real figures" in err
    assert everything(store) == before and store.version() == version and not has_sample_data(store)

    assert cli(["demo", "--remove"], environ={"DATABASE_URL": database_url}) == 0
    assert "no sample data" in capsys.readouterr()[1]
    assert everything(store) == before and store.version() == version

    result = collect_september()
    assert not result.sample_removed
    again, first = figures(everything(store)), figures(before)
    for part in range(len(first)):
        assert again[part] == first[part], ("lines", "runs", "reports", "providers")[part]
    assert archived(fake, snapshots_id, SEP) == pages  # the same pages, updated in place with the same figures


def test_the_first_real_collection_removes_sample_data_and_archives_only_real_figures(store, database_url):
    assert cli(["demo"], environ={"DATABASE_URL": database_url}) == 0
    assert has_sample_data(store)
    im, fake, snapshots_id, collect_september = september_with_notion(store, database_url)
    result = collect_september()
    assert result.sample_removed and not has_sample_data(store)
    want = im.expected(SEP)
    report = {p.provider: p.cost_usd for p in monthly_report(store, SEP).providers}
    assert {k: v for k, v in report.items() if v} == {name: e.cost for name, e in want.items() if e.days}
    pages = [fake.values(p) for p in fake.live_pages(snapshots_id)]
    assert {p["Month"] for p in pages} <= {month_key(SEP), month_key(OCT), month_key(date(2026, 11, 1))}
    assert all(p["Cost Source"] != "demo" for p in pages)
    assert all(not x.line_item.startswith("demo/") for x in ledger.lines_between(store, SEP, NOW.date()))


def test_removing_sample_data_leaves_an_empty_database(store, database_url):
    assert cli(["demo"], environ={"DATABASE_URL": database_url}) == 0
    assert cli(["demo", "--remove"], environ={"DATABASE_URL": database_url}) == 0
    assert spend.first_activity(store) is None and runs.count_runs(store) == 0


def test_the_app_loads_sample_data_on_an_empty_database_and_removes_it(monkeypatch, tmp_path):
    url = clean_app_env(monkeypatch, tmp_path)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.button(key="load_demo").click().run()
    assert not at.exception
    assert at.metric[0].label == "Total spent" and "sample data" in at.warning[0].value
    at.button(key="remove_sample").click().run()
    assert not at.exception
    assert at.subheader[0].value == "No spending recorded yet"
    store = open_store(url)
    assert spend.first_activity(store) is None and runs.count_runs(store) == 0
    store.dispose()
