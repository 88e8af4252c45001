"""The one spend ledger, on SQLite and PostgreSQL: Apify's lines always equal its runs' sums, the rollup always
equals the ledger, no two line items merge, and a write anywhere moves the data version caches key on."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.collect import OK, collect
from core.demo import load_demo_data, remove_sample_data
from core.errors import ProviderError
from core.models import DEMO, RUNS, UNKNOWN_OWNER
from core.scraper_runs import backfill, record_scraper_run
from core.store import ledger, runs, spend
from core.store.schema import daily_costs, daily_totals
from tests.conftest import NO_SLEEP
from tests.imitation import Imitation, Ledger, populate


def settings_for(im: Imitation, store):
    return im.settings(store.engine.url.render_as_string(hide_password=False))


def assert_consistent(store) -> None:
    """Apify's ledger lines are exactly the sums of the stored runs, and the rollup exactly sums the ledger."""
    expected: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0])
    for r in runs.list_runs(store, limit=10_000).items:
        key = (r.created_at.date(), r.scraper_id, r.user_id or UNKNOWN_OWNER, r.source == DEMO)
        expected[key][0] += r.cost_usd or 0
        expected[key][1] += 1
    lines = ledger.lines_between(store, date(2000, 1, 1), date(2100, 1, 1))
    got = {
        (x.day, x.line_item, x.owner, x.cost_source == DEMO): [x.cost_usd, x.requests]
        for x in lines
        if x.provider == "apify"
    }
    assert got == dict(expected)
    with store.engine.connect() as conn:
        rollup = {
            (r.provider, r.day, r.owner, r.cost_source): (r.cost_usd, r.count, r.lines)
            for r in conn.execute(sa.select(daily_totals))
        }
    summed: dict[tuple, list] = defaultdict(lambda: [Decimal(0), None, 0])
    for x in lines:
        entry = summed[(x.provider, x.day, x.owner, x.cost_source)]
        entry[0] += x.cost_usd
        entry[1] = entry[1] if x.requests is None else (entry[1] or 0) + x.requests
        entry[2] += 1
    assert rollup == {k: tuple(v) for k, v in summed.items()}


@pytest.fixture
def im(today):
    first = today - timedelta(days=45)
    return Imitation(today, populate(Ledger(), first, today))


def test_collecting_writes_apify_lines_equal_to_its_runs(im, store, today):
    result = collect(settings_for(im, store), store, transports=im.transports(), policy=NO_SLEEP)
    assert {o.status for o in result.outcomes.values()} == {OK}
    assert_consistent(store)
    apify_lines = [x for x in ledger.lines_between(store, today - timedelta(days=60), today) if x.provider == "apify"]
    assert apify_lines and all(x.requests and x.owner for x in apify_lines)
    with store.engine.connect() as conn:
        units = conn.execute(sa.select(daily_costs.c.provider, daily_costs.c.count_unit).distinct()).all()
    assert {p: u for p, u in units}["apify"] == RUNS
    assert {u for p, u in units if p != "apify"} == {"requests"}


def test_recording_a_run_rewrites_its_day_with_its_owner(im, store, today):
    collect(settings_for(im, store), store, transports=im.transports(), policy=NO_SLEEP)
    run = im.ledger.runs[-1]
    before = spend.totals(store, None, today)
    record_scraper_run(
        settings_for(im, store), store, run.id, user_id="alice", transport=im.transports()["apify"], policy=NO_SLEEP
    )
    assert_consistent(store)
    assert spend.totals(store, None, today) == before  # the same run, now owned by alice: same money
    alice = spend.summary(store, "all", today, owners=("alice",))
    nobody = spend.summary(store, "all", today, owners=())
    assert alice.total_runs == 1 and nobody.total_runs == 0
    assert alice.total_cost_usd - nobody.total_cost_usd == (run.usd or 0)
    assert nobody.total_requests == before[2]  # LLM requests are the team's: in every view


@pytest.mark.parametrize("reset", [False, True])
def test_backfill_keeps_the_ledger_equal_to_the_runs(im, store, today, reset):
    settings = settings_for(im, store)
    old = datetime.combine(today - timedelta(days=200), time(9), tzinfo=UTC)
    im.ledger.add_run("ancient", "actOld", old, Decimal("5"))  # imported once, outside a 30-day back-fill
    backfill(settings, store, days=250, transport=im.transports()["apify"], policy=NO_SLEEP)
    im.ledger.runs = [r for r in im.ledger.runs if r.id != "ancient"]  # gone from Apify since
    result = backfill(settings, store, days=30, reset=reset, transport=im.transports()["apify"], policy=NO_SLEEP)
    assert_consistent(store)
    kept = runs.get_run(store, "ancient")
    assert (kept is None) == reset and result.deleted == (len(im.ledger.runs_between(old.date(), today)) + 1) * reset
    ancient_day = spend.totals(store, old.date(), old.date(), "apify")
    assert ancient_day[0] == (Decimal(0) if reset else Decimal(5))


def test_a_backfill_that_fails_half_way_changes_nothing(im, store, today):
    settings = settings_for(im, store)
    collect(settings, store, transports=im.transports(), policy=NO_SLEEP)
    with store.engine.connect() as conn:
        before = (
            conn.execute(sa.select(daily_costs).order_by(daily_costs.c.id)).all(),
            conn.execute(sa.select(daily_totals).order_by(*daily_totals.primary_key)).all(),
        )
    version = store.version()
    im.down("apify", after=2)  # two pages, then the API fails for good
    with pytest.raises(ProviderError):
        backfill(settings, store, days=45, reset=True, transport=im.transports()["apify"], policy=NO_SLEEP)
    with store.engine.connect() as conn:
        after = (
            conn.execute(sa.select(daily_costs).order_by(daily_costs.c.id)).all(),
            conn.execute(sa.select(daily_totals).order_by(*daily_totals.primary_key)).all(),
        )
    assert after == before and store.version() == version
    assert_consistent(store)


def test_sample_data_loads_and_goes_without_touching_anything_else(store, today):
    now = datetime.combine(today, time(12), tzinfo=UTC)
    load_demo_data(store, now)
    assert_consistent(store)
    assert spend.summary(store, "all", today).total_cost_usd > 0
    assert remove_sample_data(store) is True
    assert_consistent(store)
    assert spend.first_activity(store) is None and runs.count_runs(store) == 0
    assert remove_sample_data(store) is False


@pytest.mark.parametrize("length", [513, 5000])
def test_long_line_items_sharing_a_prefix_never_merge(im, store, today, length):
    day = today - timedelta(days=1)
    prefix = "ft-gpt-4o-2024-08-06:" + "x" * length
    im.ledger.add("openai", day, prefix + ", input", Decimal("3.12"), 1, model="gpt-4o")
    im.ledger.add("openai", day, prefix + ", output", Decimal("1.00"), 1, model="gpt-4o")
    result = collect(settings_for(im, store), store, providers=["openai"], transports=im.transports(), policy=NO_SLEEP)
    assert result.outcomes["openai"].status == OK, result.outcomes["openai"].error
    stored = {x.line_item: x.cost_usd for x in ledger.lines_between(store, day, day, "openai")}
    assert stored[prefix + ", input"] == Decimal("3.12") and stored[prefix + ", output"] == Decimal("1.00")
    want = sum((e.cost for e in im.ledger.of("openai", day, day)), Decimal(0))
    assert spend.totals(store, day, day, "openai")[0] == want


def test_every_write_moves_the_data_version(im, store, today):
    settings = settings_for(im, store)
    seen = [store.cache_key()]
    collect(settings, store, providers=["openai"], transports=im.transports(), policy=NO_SLEEP)
    seen.append(store.cache_key())
    record_scraper_run(settings, store, im.ledger.runs[0].id, transport=im.transports()["apify"], policy=NO_SLEEP)
    seen.append(store.cache_key())
    backfill(settings, store, days=3, transport=im.transports()["apify"], policy=NO_SLEEP)
    seen.append(store.cache_key())
    assert len(set(seen)) == len(seen)
    assert store.cache_key() == seen[-1]  # reading changes nothing
