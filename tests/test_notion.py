"""The Notion archive against an imitation of Notion (``tests.notion_fake``), on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import delete

from core import locks, notion
from core.archive import api as notion_api
from core.archive.properties import MAX_ITEMS, MAX_TEXT, breakdown_pieces, number, split_text
from core.config import Settings
from core.errors import ConfigError, NotifyError
from core.i18n.formats import Formats
from core.models import DailyCost, ScraperRun
from core.periods import month_end
from core.report import monthly_report
from core.revisions import save_month
from core.store import ledger, runs
from core.store import locks as lock_rows
from core.store.schema import notion_pages
from core.store.snapshots import get_snapshots, get_summary
from tests.notion_fake import TOKEN, FakeClock, FakeNotion

SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)
BASE_URL = "https://spend.example.com"
OPENAI_SECRET = "sk-admin-fake-openai-secret-value-0001"
REPORT_SECRET = "report-token-secret-value-0002"


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def add_lines(store, provider: str, month: date, items: list[tuple[str, str, int | None]], day: int = 5) -> None:
    lines = [
        DailyCost(provider, month.replace(day=day), model, model, Decimal(cost), requests)
        for model, cost, requests in items
    ]
    with store.engine.begin() as conn:
        ledger.replace_lines(conn, provider, month, month_end(month), lines)


def add_runs(store, month: date, costs_usd: list[str]) -> None:
    items = [
        ScraperRun(
            f"run-{month:%Y%m}-{i}",
            "actor/scraper",
            datetime(month.year, month.month, 3, i, tzinfo=UTC),
            "SUCCEEDED",
            Decimal(c),
        )
        for i, c in enumerate(costs_usd)
    ]
    runs.save_runs(store, items)


def save(store, *months: date) -> None:
    for m in months:
        save_month(store, monthly_report(store, m, BASE_URL))


def populate(store) -> None:
    add_lines(store, "openai", SEP, [("gpt-5", "10.50", 100), ("gpt-5-mini", "0.000000123", 7)])
    add_lines(store, "openai", OCT, [("gpt-5", "12.25", 120), ("o4", "3.100000001", 4)])
    add_lines(store, "anthropic", OCT, [("claude-opus-4", "8.75", None)])
    add_runs(store, OCT, ["0.40", "0.35"])
    save(store, SEP, OCT)


@pytest.fixture
def fake():
    return FakeNotion()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def base_settings():
    return Settings(
        database_url="postgresql+psycopg://spend:db-password-secret-0004@db.example/spend",
        app_base_url=BASE_URL,
        notion_api_key=TOKEN,
        openai_admin_key=OPENAI_SECRET,
        report_secret_token=REPORT_SECRET,
        app_password="app-password-secret-0003",
    )


@pytest.fixture
def cfg(base_settings, fake, clock):
    snapshots_id, summaries_id = notion.setup(
        base_settings, fake.parent_page, transport=fake.transport(), sleep=clock.sleep, clock=clock.now
    )
    return replace(base_settings, notion_snapshots_db_id=snapshots_id, notion_summaries_db_id=summaries_id)


def run_sync(cfg, store, fake, clock, months=None, transport=None):
    transport = transport or fake.transport()
    return notion.sync(cfg, store, months, transport=transport, sleep=clock.sleep, clock=clock.now)


def snapshot_pages(fake, cfg) -> dict[tuple[str, str], dict]:
    pages = [fake.values(p) for p in fake.live_pages(cfg.notion_snapshots_db_id)]
    keyed = {(p["Month"], p["Provider"]): p for p in pages}
    assert len(keyed) == len(pages), "duplicate snapshot pages"
    return keyed


def summary_pages(fake, cfg) -> dict[str, dict]:
    pages = [fake.values(p) for p in fake.live_pages(cfg.notion_summaries_db_id)]
    keyed = {p["Month"]: p for p in pages}
    assert len(keyed) == len(pages), "duplicate summary pages"
    return keyed


# ---- configuration and setup ---------------------------------------------------------------------------------
def test_unconfigured_notion_is_off_and_sync_is_skipped(store, fake, clock):
    off = Settings(notion_api_key=TOKEN, notion_snapshots_db_id="a" * 32)  # summaries id missing
    assert not notion.configured(off) and not notion.configured(Settings())
    result = run_sync(off, store, fake, clock, [OCT])
    assert result.skipped == "not configured" and result.error is None
    assert result.message == "Notion sync skipped: not configured"
    assert fake.requests == [] and notion.status(store).pending_months == []


def test_setup_creates_both_databases_with_the_columns(base_settings, fake, clock):
    snapshots_id, summaries_id = notion.setup(
        base_settings, fake.parent_page, transport=fake.transport(), sleep=clock.sleep, clock=clock.now
    )
    assert snapshots_id != summaries_id
    assert {fake.databases[i]["title"] for i in (snapshots_id, summaries_id)} == {
        "Provider Snapshots",
        "Monthly Summaries",
    }
    assert fake.columns(snapshots_id) == {
        "Month": {"title": {}},
        "Provider": {
            "select": {
                "options": [
                    {"name": n} for n in ("openai", "anthropic", "elevenlabs", "deepgram", "openrouter", "apify")
                ]
            }
        },
        "Total Cost USD": {"number": {"format": "dollar"}},
        "Availability": {"select": {"options": [{"name": n} for n in ("complete", "partial", "not_available")]}},
        "Requests": {"number": {"format": "number_with_commas"}},
        "Breakdown JSON": {"rich_text": {}},
        "Collected At": {"date": {}},
        "Cost Source": {"select": fake.columns(snapshots_id)["Cost Source"]["select"]},
        "Previous Month Cost": {"number": {"format": "dollar"}},
        "Change Percent": {"number": {"format": "number"}},
        "Revised": {"checkbox": {}},
        "Revised From USD": {"number": {"format": "dollar"}},
    }
    assert "run_reported" in [o["name"] for o in fake.columns(snapshots_id)["Cost Source"]["select"]["options"]]
    assert fake.columns(summaries_id) == {
        "Month": {"title": {}},
        "Total Cost USD": {"number": {"format": "dollar"}},
        "Previous Month Cost": {"number": {"format": "dollar"}},
        "Change Percent": {"number": {"format": "number"}},
        "Provider Count": {"number": {"format": "number"}},
        "Report URL": {"url": {}},
        "Revised": {"checkbox": {}},
        "Revised From USD": {"number": {"format": "dollar"}},
    }
    creates = [r for r in fake.requests if r.method == "POST" and r.path == "/v1/databases"]
    assert len(creates) == 2
    assert all("initial_data_source" in r.json and r.json["parent"]["page_id"] == fake.parent_page for r in creates)
    assert all(r.headers["notion-version"] == "2025-09-03" for r in fake.requests)


def test_setup_completes_hand_made_databases(base_settings, fake, clock):
    snapshots_id = fake.add_database(
        "API spend", {"Name": {"title": {}}, "Provider": {"select": {}}, "Total Cost USD": {"number": {}}}
    )
    summaries_id = fake.add_database("Months", {"Month": {"title": {}}, "Notes": {"rich_text": {}}})
    settings = replace(base_settings, notion_snapshots_db_id=snapshots_id.replace("-", ""))
    settings = replace(
        settings, notion_summaries_db_id=f"https://www.notion.so/team/Months-{summaries_id.replace('-', '')}?v=1"
    )
    ids = notion.setup(settings, None, transport=fake.transport(), sleep=clock.sleep, clock=clock.now)
    assert ids == (snapshots_id, summaries_id)
    assert len(fake.databases) == 2  # nothing created
    snap = fake.columns(snapshots_id)
    assert snap["Month"] == {"title": {}} and "Name" not in snap  # the title column renamed
    assert snap["Total Cost USD"] == {"number": {}}  # existing columns are left as they are
    assert {"Requests", "Breakdown JSON", "Collected At", "Cost Source", "Change Percent"} <= set(snap)
    summ = fake.columns(summaries_id)
    assert {
        "Total Cost USD",
        "Previous Month Cost",
        "Change Percent",
        "Provider Count",
        "Report URL",
        "Notes",
        "Revised",
        "Revised From USD",
    } == set(summ) - {"Month"}


def test_setup_names_a_column_of_the_wrong_type(base_settings, fake, clock):
    snapshots_id = fake.add_database("S", {"Month": {"title": {}}, "Requests": {"rich_text": {}}})
    summaries_id = fake.add_database("M", {"Month": {"title": {}}})
    settings = replace(base_settings, notion_snapshots_db_id=snapshots_id, notion_summaries_db_id=summaries_id)
    with pytest.raises(NotifyError, match=r"'Requests' .* rich_text column, Spendboard needs number"):
        notion.setup(settings, None, transport=fake.transport(), sleep=clock.sleep, clock=clock.now)


def test_setup_explains_unshared_page_bad_token_and_missing_parent(base_settings, fake, clock):
    kw = {"transport": fake.transport(), "sleep": clock.sleep, "clock": clock.now}
    with pytest.raises(NotifyError, match="share it with the integration") as exc:
        notion.setup(base_settings, "0123456789abcdef0123456789abcdef", **kw)
    assert "404" in str(exc.value)
    wrong = replace(base_settings, notion_api_key="ntn_wrong_secret_value_999")
    with pytest.raises(NotifyError, match="check NOTION_API_KEY") as exc:
        notion.setup(wrong, fake.parent_page, **kw)
    assert "ntn_wrong_secret_value_999" not in str(exc.value)
    with pytest.raises(ConfigError, match="--parent-page"):
        notion.setup(base_settings, None, **kw)
    with pytest.raises(ConfigError, match="Notion id"):
        notion.setup(base_settings, "not-a-page", **kw)
    with pytest.raises(ConfigError, match="NOTION_API_KEY"):
        notion.setup(replace(base_settings, notion_api_key=None), fake.parent_page, **kw)
    assert fake.databases == {}


def test_client_uses_the_configured_base_url_and_api_version():
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json={"object": "database", "id": "x", "data_sources": []})

    settings = Settings(notion_api_key=TOKEN, notion_base_url="https://notion.internal.example")
    client = notion.make_client(settings, httpx.MockTransport(handler))
    client.databases.retrieve("0123456789abcdef0123456789abcdef")
    assert str(seen[0].url) == "https://notion.internal.example/v1/databases/0123456789abcdef0123456789abcdef"
    assert seen[0].headers["Notion-Version"] == "2025-09-03"
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"


# ---- sync --------------------------------------------------------------------------------------------------
def test_first_sync_creates_one_page_per_month_and_provider_with_exact_figures(store, cfg, fake, clock):
    populate(store)
    result = run_sync(cfg, store, fake, clock, [SEP, OCT])
    assert (result.synced, result.pending, result.error) == (["2026-09", "2026-10"], [], None)
    assert result.message == "archived to Notion: September 2026 and October 2026"
    assert result.describe(Formats("fr")) == "archivé dans Notion : septembre 2026 et octobre 2026"

    snaps = snapshot_pages(fake, cfg)
    assert set(snaps) == {("2026-09", "openai"), ("2026-10", "openai"), ("2026-10", "anthropic"), ("2026-10", "apify")}
    for month in (SEP, OCT):
        for row in get_snapshots(store, month):
            page = snaps[(f"{month:%Y-%m}", row.provider)]
            assert page["Total Cost USD"] == float(row.total_cost_usd)
            assert page["Requests"] == row.requests
            assert json.loads(page["Breakdown JSON"]) == row.breakdown
            assert page["Cost Source"] == row.cost_source
            assert datetime.fromisoformat(page["Collected At"]) == row.collected_at.replace(microsecond=0)
    oct_openai = snaps[("2026-10", "openai")]
    assert oct_openai["Total Cost USD"] == 15.350000001
    assert oct_openai["Previous Month Cost"] == 10.500000123
    assert oct_openai["Change Percent"] == 46.19
    assert snaps[("2026-10", "anthropic")]["Requests"] is None
    assert snaps[("2026-10", "apify")]["Requests"] == 2 and snaps[("2026-10", "apify")]["Cost Source"] == "run_reported"

    summaries = summary_pages(fake, cfg)
    assert set(summaries) == {"2026-09", "2026-10"}
    oct_row = get_summary(store, OCT)
    assert summaries["2026-10"] == {
        "Month": "2026-10",
        "Total Cost USD": float(oct_row.total_cost_usd),
        "Previous Month Cost": float(oct_row.previous_month_cost_usd),
        "Change Percent": float(oct_row.change_percent),
        "Provider Count": 3,
        "Report URL": f"{BASE_URL}/report?month=2026-10",
        "Revised": False,
        "Revised From USD": None,
    }
    assert summaries["2026-10"]["Total Cost USD"] == 24.850000001
    assert summaries["2026-09"]["Previous Month Cost"] is None and summaries["2026-09"]["Change Percent"] is None
    for r in fake.requests:  # plain finite numbers only
        assert "NaN" not in r.body and "Infinity" not in r.body
    status = notion.status(store)
    assert status.pending_months == [] and status.last_error is None and status.last_sync_at is not None


def test_resync_updates_pages_in_place(store, cfg, fake, clock):
    populate(store)
    run_sync(cfg, store, fake, clock, [SEP, OCT])
    pages_before = set(fake.pages)
    add_lines(store, "openai", OCT, [("gpt-5", "20.00", 200)])  # restated: o4 gone, gpt-5 higher
    save(store, OCT)
    creates = fake.count("POST", "/v1/pages")
    result = run_sync(cfg, store, fake, clock, [OCT])
    assert result.synced == ["2026-10"] and result.error is None
    assert set(fake.pages) == pages_before and fake.count("POST", "/v1/pages") == creates
    page = snapshot_pages(fake, cfg)[("2026-10", "openai")]
    assert page["Total Cost USD"] == 20.0 and json.loads(page["Breakdown JSON"]) == [
        {"model": "gpt-5", "cost_usd": "20.000000", "requests": 200}
    ]
    assert summary_pages(fake, cfg)["2026-10"]["Total Cost USD"] == 29.5


def test_lost_page_ids_are_found_again_by_title_and_provider(store, cfg, fake, clock):
    populate(store)
    run_sync(cfg, store, fake, clock, [SEP, OCT])
    with store.engine.begin() as conn:
        conn.execute(delete(notion_pages))  # as after a crash between Notion's answer and our write
    result = run_sync(cfg, store, fake, clock, [SEP, OCT])
    assert result.error is None
    assert len(snapshot_pages(fake, cfg)) == 4 and len(summary_pages(fake, cfg)) == 2
    assert fake.count("POST", "/v1/data_sources/") >= 6  # one query per page


def test_a_create_whose_answer_was_lost_is_not_duplicated(store, cfg, fake, clock):
    populate(store)
    lost = []

    def flaky(request):
        response = fake.handle(request)
        if request.method == "POST" and request.url.path == "/v1/pages" and not lost:
            lost.append(response)  # Notion created the page, the answer never arrived
            return httpx.Response(
                500, json={"object": "error", "status": 500, "code": "internal_server_error", "message": "x"}
            )
        return response

    first = run_sync(cfg, store, fake, clock, [OCT], transport=httpx.MockTransport(flaky))
    assert first.pending == ["2026-10"] and "unavailable (HTTP 500)" in first.error
    assert fake.count("POST", "/v1/pages") == 1  # a create is not repeated after an ambiguous failure
    second = run_sync(cfg, store, fake, clock)
    assert second.synced == ["2026-10"] and second.pending == []
    assert len(snapshot_pages(fake, cfg)) == 3 and len(summary_pages(fake, cfg)) == 1


def test_overlapping_syncs_do_not_duplicate_nor_lose_a_restatement(store, cfg, fake, clock):
    populate(store)
    nested = []

    def collection_finishing_mid_sync(request):
        # The first sync has read October's rows and is sending them when a collection restates October.
        if request.method == "POST" and request.path == "/v1/pages" and '"2026-10"' in request.body and not nested:
            nested.append(None)
            add_lines(store, "openai", OCT, [("gpt-5", "99.00", 1)])
            save(store, OCT)
            nested[0] = run_sync(cfg, store, fake, clock, [OCT])

    fake.hook = collection_finishing_mid_sync
    result = run_sync(cfg, store, fake, clock, [SEP, OCT])
    fake.hook = None
    assert nested[0].skipped.startswith("another sync is running") and nested[0].pending == ["2026-10"]
    assert result.error is None and result.pending == [] and result.synced == ["2026-09", "2026-10"]
    assert len(snapshot_pages(fake, cfg)) == 4 and len(summary_pages(fake, cfg)) == 2
    assert snapshot_pages(fake, cfg)[("2026-10", "openai")]["Total Cost USD"] == 99.0  # sent again, not lost
    assert summary_pages(fake, cfg)["2026-10"]["Total Cost USD"] == float(get_summary(store, OCT).total_cost_usd)


def test_concurrent_syncs_from_two_threads_do_not_duplicate(store, cfg, fake, clock):
    populate(store)
    fake.latency = 0.003
    barrier = threading.Barrier(2)
    results = []

    def worker():
        barrier.wait()
        results.append(notion.sync(cfg, store, [SEP, OCT], transport=fake.transport(), sleep=lambda s: None))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 2 and all(r.error is None for r in results)
    assert len(snapshot_pages(fake, cfg)) == 4 and len(summary_pages(fake, cfg)) == 2
    assert notion.status(store).pending_months == []


def test_what_a_killed_sync_left_behind_does_not_block_the_next(store, cfg, fake, clock):
    populate(store)
    notion.mark_pending(store, [OCT])
    # the lock row of a sync killed a minute ago (its file or advisory lock died with it)
    lock_rows.record(
        store,
        {
            "name": locks.NOTION_SYNC,
            "token": "killed",
            "activity": "Notion sync",
            "holder": "python -m core notion sync",
            "host": "elsewhere",
            "pid": 999_999,
            "started_at": datetime.now(UTC) - timedelta(minutes=1),
        },
    )
    assert not notion.status(store).running
    assert run_sync(cfg, store, fake, clock).synced == ["2026-10"]


def test_a_live_sync_makes_the_next_skip_and_shows_as_running(store, cfg, fake, clock):
    populate(store)
    with locks.hold(store, locks.NOTION_SYNC, "Notion sync"):
        held = run_sync(cfg, store, fake, clock, [SEP])
        assert notion.status(store).running
    assert held.skipped.startswith("another sync is running") and held.pending == ["2026-09"]
    assert not notion.status(store).running
    assert run_sync(cfg, store, fake, clock).synced == ["2026-09"]


def test_a_provider_dropped_from_sql_is_trashed_in_notion(store, cfg, fake, clock):
    populate(store)
    run_sync(cfg, store, fake, clock, [OCT])
    with store.engine.begin() as conn:
        ledger.replace_lines(conn, "anthropic", OCT, month_end(OCT), [])
    save(store, OCT)
    assert run_sync(cfg, store, fake, clock, [OCT]).error is None
    assert set(snapshot_pages(fake, cfg)) == {("2026-10", "openai"), ("2026-10", "apify")}


def test_a_page_trashed_in_notion_is_created_again(store, cfg, fake, clock):
    populate(store)
    run_sync(cfg, store, fake, clock, [OCT])
    page = next(p for p in fake.live_pages(cfg.notion_summaries_db_id))
    page["in_trash"] = True
    assert run_sync(cfg, store, fake, clock, [OCT]).error is None
    assert len(summary_pages(fake, cfg)) == 1 and len(snapshot_pages(fake, cfg)) == 3


def test_months_missing_from_sql_are_reported_not_pending(store, cfg, fake, clock):
    result = run_sync(cfg, store, fake, clock, [date(2025, 1, 1)])
    assert result.missing == ["2025-01"] and result.synced == [] and result.pending == []
    assert fake.live_pages(cfg.notion_snapshots_db_id) == []


# ---- breakdown JSON ----------------------------------------------------------------------------------------
def test_split_text_keeps_every_character_and_the_limits():
    text = ("a" * 1999 + "😀") * 3 + "é<b>&amp;</b>" * 50
    pieces = split_text(text)
    assert "".join(pieces) == text and all(_units(p) <= MAX_TEXT for p in pieces)
    assert split_text("") == []


def test_numbers_sent_to_notion_are_plain_and_finite():
    assert number(Decimal("12.345678901")) == 12.345678901 and type(number(Decimal("1"))) is float
    assert number(Decimal("NaN")) is None and number(float("inf")) is None and number(None) is None
    assert number(7) == 7 and type(number(7)) is int


def _long_models(n: int, width: int) -> list[tuple[str, str, int]]:
    names = [f'<td class="m">modèle «{i:04d}» 😀 "quoted" \\ </td>' for i in range(n)]
    return [((name + "ß" * width)[:250], f"{(n - i) / 1000:.6f}", i) for i, name in enumerate(names)]


def test_a_breakdown_of_300_long_unicode_models_round_trips(store, cfg, fake, clock):
    add_lines(store, "openrouter", OCT, _long_models(300, 200))
    save(store, OCT)
    assert run_sync(cfg, store, fake, clock, [OCT]).error is None
    row = get_snapshots(store, OCT)[0]
    page = fake.live_pages(cfg.notion_snapshots_db_id)[0]
    items = page["properties"]["Breakdown JSON"]["rich_text"]
    assert 1 < len(items) <= MAX_ITEMS and all(_units(i["text"]["content"]) <= MAX_TEXT for i in items)
    joined = "".join(i["text"]["content"] for i in items)
    assert json.loads(joined) == row.breakdown and len(row.breakdown) == 300


def test_a_breakdown_too_long_for_notion_keeps_the_top_entries_and_says_so(store, cfg, fake, clock):
    add_lines(store, "openrouter", OCT, _long_models(1200, 250))
    save(store, OCT)
    assert run_sync(cfg, store, fake, clock, [OCT]).error is None
    row = get_snapshots(store, OCT)[0]
    page = fake.live_pages(cfg.notion_snapshots_db_id)[0]
    items = page["properties"]["Breakdown JSON"]["rich_text"]
    assert len(items) <= MAX_ITEMS and all(_units(i["text"]["content"]) <= MAX_TEXT for i in items)
    sent = json.loads("".join(i["text"]["content"] for i in items))
    assert sent["truncated"] is True and 0 < sent["shown"] < 1200
    assert sent["shown"] + sent["omitted"] == len(row.breakdown) == 1200
    assert sent["items"] == row.breakdown[: sent["shown"]]
    omitted = sum(Decimal(e["cost_usd"]) for e in row.breakdown[sent["shown"] :])
    assert Decimal(sent["omitted_cost_usd"]) == omitted


def test_truncation_is_as_large_as_fits():
    breakdown = [{"model": "m" * 240 + str(i), "cost_usd": "1.000000", "requests": 1} for i in range(2000)]
    pieces = breakdown_pieces(breakdown, lambda s: s)
    shown = json.loads("".join(pieces))["shown"]
    assert len(pieces) <= MAX_ITEMS
    entry = len(json.dumps(breakdown[1000], separators=(",", ":"))) + 1
    assert MAX_ITEMS * MAX_TEXT // entry - 3 <= shown  # no large margin wasted


# ---- outages, errors, secrets ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ((500, None), "Notion is unavailable (HTTP 500)"),
        ((529, 2), "Notion is overloaded (529 service_overload)"),
        ((429, 5), "Notion is rate limiting us (429)"),
        ("bad token", "check NOTION_API_KEY"),
    ],
)
def test_outage_keeps_months_pending_then_the_next_sync_catches_up(store, cfg, fake, clock, fault, expected):
    populate(store)
    broken = cfg
    if fault == "bad token":
        broken = replace(cfg, notion_api_key="ntn_revoked_secret_value_777")
    else:
        fake.go_down(fault[0], retry_after=fault[1])
    start, before = clock.now(), len(fake.requests)
    result = run_sync(broken, store, fake, clock, [SEP, OCT])
    assert result.synced == [] and result.pending == ["2026-09", "2026-10"]
    assert expected in result.error and "ntn_revoked" not in result.error
    assert len(fake.requests) - before <= notion_api.MAX_ATTEMPTS  # stops at the first hopeless call
    assert clock.now() - start <= notion_api.MAX_TOTAL_SECONDS
    if fault != "bad token" and fault[1]:
        assert fault[1] in clock.sleeps  # Retry-After honoured
    status = notion.status(store)
    assert status.pending_months == ["2026-09", "2026-10"] and expected in status.last_error
    assert all(expected in p.last_error and p.attempts == 1 for p in status.pending)
    assert fake.live_pages(cfg.notion_snapshots_db_id) == []

    fake.recover()
    caught_up = run_sync(cfg, store, fake, clock)  # no months given: every pending month
    assert caught_up.synced == ["2026-09", "2026-10"] and caught_up.pending == [] and caught_up.error is None
    assert len(snapshot_pages(fake, cfg)) == 4 and len(summary_pages(fake, cfg)) == 2
    assert notion.status(store).last_error is None


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.ConnectError("refused"), "cannot reach Notion at https://api.notion.com"),
        (httpx.ReadTimeout("slow"), "did not answer in time"),
    ],
)
def test_network_failures_keep_months_pending(store, cfg, fake, clock, failure, expected):
    populate(store)
    tried = []

    def broken(request):
        tried.append(request)
        raise failure

    result = run_sync(cfg, store, fake, clock, [OCT], transport=httpx.MockTransport(broken))
    assert result.pending == ["2026-10"] and expected in result.error
    assert len(tried) == notion_api.MAX_ATTEMPTS  # a read is retried, within bounds


def test_short_rate_limits_are_waited_out_and_requests_are_paced(store, cfg, fake, clock):
    populate(store)
    times = []
    fake.hook = lambda request: times.append(clock.now())
    fake.fail(429, times=2, retry_after=3)
    fake.fail(529, times=1, retry_after=1)
    result = run_sync(cfg, store, fake, clock, [OCT])
    assert result.error is None and result.synced == ["2026-10"]
    assert clock.sleeps.count(3) == 2 and 1 in clock.sleeps
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= notion_api.MIN_INTERVAL - 1e-9  # about 3 requests a second at most


def test_a_retry_after_beyond_the_budget_is_not_waited(store, cfg, fake, clock):
    populate(store)
    fake.fail(429, times=1, retry_after=600)
    result = run_sync(cfg, store, fake, clock, [OCT])
    assert result.pending == ["2026-10"] and "Notion asks to wait 600 s" in result.error
    assert max(clock.sleeps, default=0) < 600


def test_a_page_notion_rejects_does_not_block_other_months(store, cfg, fake, clock):
    populate(store)

    def reject_september(request):
        if request.method == "POST" and request.url.path == "/v1/pages" and b'"2026-09"' in request.content:
            body = {"object": "error", "status": 400, "code": "validation_error", "message": "Month is too odd."}
            return httpx.Response(400, json=body)
        return fake.handle(request)

    result = run_sync(cfg, store, fake, clock, [SEP, OCT], transport=httpx.MockTransport(reject_september))
    assert result.synced == ["2026-10"] and result.pending == ["2026-09"]
    assert "Notion rejected the 2026-09 openai page" in result.error and "Month is too odd." in result.error


def test_no_secret_reaches_notion_or_the_error_messages(store, cfg, fake, clock):
    add_lines(store, "openai", OCT, [(f"echo {OPENAI_SECRET} model", "1.00", 1)])  # a provider echoing a key
    save(store, OCT)
    assert run_sync(cfg, store, fake, clock, [OCT]).error is None
    sent = fake.sent()
    for secret in cfg.secret_values():
        assert secret not in sent
    assert "echo *** model" in sent

    def echoing(request):  # worst case: Notion's error message quotes what it was sent
        message = f"invalid value {OPENAI_SECRET} / {REPORT_SECRET} / {TOKEN}"
        return httpx.Response(
            400, json={"object": "error", "status": 400, "code": "validation_error", "message": message}
        )

    result = run_sync(cfg, store, fake, clock, [OCT], transport=httpx.MockTransport(echoing))
    for secret in cfg.secret_values():
        assert secret not in result.error and secret not in (notion.status(store).last_error or "")


def test_sync_reports_a_bad_database_id_without_raising(store, cfg, fake, clock):
    populate(store)
    result = run_sync(replace(cfg, notion_summaries_db_id="nonsense"), store, fake, clock, [OCT])
    assert result.pending == ["2026-10"] and "NOTION_SUMMARIES_DB_ID must be a Notion id" in result.error
    unknown = replace(cfg, notion_summaries_db_id="0123456789abcdef0123456789abcdef")
    result = run_sync(unknown, store, fake, clock)
    assert "Notion cannot find the Monthly Summaries database (NOTION_SUMMARIES_DB_ID)" in result.error
