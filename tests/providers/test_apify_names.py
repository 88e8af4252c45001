"""Apify: a short listing fails instead of replacing stored runs; Actor and task names; item counts (issue 10, 12)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest

from core.config import Settings
from core.errors import ProviderResponseError
from core.providers import apify
from core.providers.contract import Label
from core.scraper_runs import backfill
from core.store import actors, runs
from tests.conftest import NO_SLEEP, load_fixture
from tests.fakes import FakeApify, run_item

TOKEN = "apify_api_test_token_0000"
SETTINGS = Settings(apify_token=TOKEN, apify_base_url="https://apify.test")
DAY = date(2026, 11, 20)


def fake_with_names() -> FakeApify:
    plain = run_item("run-plain", datetime(2026, 11, 19, 10, tzinfo=UTC), 0.5, act="nwua9Gu5YrADL7ZDj")
    tasked = run_item("run-with-task", datetime(2026, 11, 20, 23, 30, tzinfo=UTC), 0.25, act="nwua9Gu5YrADL7ZDj")
    tasked["actorTaskId"] = "zdc3Pyhyz3m8vjDeM"
    gone = run_item("run-gone", datetime(2026, 11, 20, 8, tzinfo=UTC), 0.1, act="deletedActor00001")
    fake = FakeApify([plain, tasked, gone], token=TOKEN)
    answers = {
        "/v2/actors/nwua9Gu5YrADL7ZDj": load_fixture("apify", "actor.json"),
        "/v2/actor-tasks/zdc3Pyhyz3m8vjDeM": load_fixture("apify", "task.json"),
        "/v2/datasets": load_fixture("apify", "datasets.json"),
    }

    def hook(request: httpx.Request) -> httpx.Response | None:
        if request.url.path in answers:
            return httpx.Response(200, json=answers[request.url.path])
        if request.url.path.startswith("/v2/actors/"):
            return httpx.Response(404, json={"error": {"type": "record-not-found", "message": "Actor was not found"}})
        return None

    fake.hook = hook
    return fake


def fetch(fake: FakeApify):
    with apify.client(SETTINGS, fake.transport()) as http:
        return apify.fetch(http, date(2026, 11, 1), DAY, SETTINGS, NO_SLEEP)


def run_names(fake: FakeApify, known=frozenset()):
    with apify.client(SETTINGS, fake.transport()) as http:
        got = apify.fetch(http, date(2026, 11, 1), DAY, SETTINGS, NO_SLEEP)
        return apify.run_names(http, got.runs, known, NO_SLEEP)


def test_the_actors_and_tasks_of_the_runs_are_named():
    labels = run_names(fake_with_names())
    actor, task = labels["nwua9Gu5YrADL7ZDj"], labels["zdc3Pyhyz3m8vjDeM"]
    assert actor == "Google Search Results Scraper" and (actor.kind, actor.name) == ("actor", "google-search-scraper")
    assert task == "daily-serp-check" and (task.kind, task.title) == ("task", None)
    assert "deletedActor00001" not in labels  # Apify no longer has it (404): it keeps its id, the fetch goes on


def test_known_names_are_not_asked_again():
    fake = fake_with_names()
    labels = run_names(fake, known={"nwua9Gu5YrADL7ZDj", "deletedActor00001"})
    assert set(labels) == {"zdc3Pyhyz3m8vjDeM"}
    asked = [r.url.path for r in fake.requests if "/actors/" in r.url.path or "/actor-tasks/" in r.url.path]
    assert asked == ["/v2/actor-tasks/zdc3Pyhyz3m8vjDeM"]


def test_item_counts_come_from_the_dataset_listing_in_one_bounded_request():
    fake = fake_with_names()
    got = {r.run_id: r.item_count for r in fetch(fake).runs}
    assert got == {"run-plain": 0, "run-with-task": 7, "run-gone": None}
    [listing] = [r for r in fake.requests if r.url.path == "/v2/datasets"]
    assert (listing.url.params["desc"], listing.url.params["unnamed"], listing.url.params["limit"]) == (
        "1",
        "1",
        "1000",
    )


def test_names_of_the_wrong_shape_fail():
    fake = fake_with_names()
    inner = fake.hook
    fake.hook = lambda r: httpx.Response(200, json={"data": {"id": "x"}}) if "/actors/" in r.url.path else inner(r)
    with pytest.raises(ProviderResponseError, match="has no name"):
        run_names(fake)


def short_listing(fake: FakeApify) -> None:
    """``/actor-runs`` says there are more runs than it lists: pages after the first come back empty."""

    def hook(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == "/v2/actor-runs" and request.url.params.get("offset") != "0":
            data = {"total": 3, "offset": 2, "limit": 2, "count": 0, "desc": True, "items": []}
            return httpx.Response(200, json={"data": data})
        return None

    fake.hook = hook


def test_a_listing_that_stops_short_of_its_total_fails_naming_what_is_missing():
    fake = fake_with_names()
    short_listing(fake)
    with (
        apify.client(SETTINGS, fake.transport()) as http,
        pytest.raises(ProviderResponseError, match="listed 2 of the 3 runs"),
    ):
        list(apify.iter_run_pages(http, datetime(2026, 11, 1, tzinfo=UTC), source="import", page_size=2))


def test_a_backfill_over_a_short_listing_deletes_nothing(store):
    stored = [run_item(f"old{i}", datetime(2026, 11, 10, i, tzinfo=UTC), 1) for i in range(3)]
    settings = Settings(database_url="sqlite://", apify_token=TOKEN, apify_base_url="https://apify.test")
    backfill(
        settings,
        store,
        days=30,
        transport=FakeApify(stored, token=TOKEN).transport(),
        policy=NO_SLEEP,
        now=datetime(2026, 11, 20, 12, tzinfo=UTC),
    )
    fake = FakeApify(stored, token=TOKEN)
    fake.hook = lambda r: httpx.Response(
        200, json={"data": {"total": 3, "offset": 0, "limit": 1000, "count": 0, "desc": True, "items": []}}
    )
    with pytest.raises(ProviderResponseError, match="stopped short"):
        backfill(
            settings,
            store,
            days=30,
            reset=True,
            transport=fake.transport(),
            policy=NO_SLEEP,
            now=datetime(2026, 11, 20, 12, tzinfo=UTC),
        )
    assert {r.run_id for r in runs.list_runs(store).items} == {"old0", "old1", "old2"}


def test_names_are_remembered_and_updated_by_id(store):
    assert actors.remember(store, run_names(fake_with_names())) == 2
    assert actors.names(store) == {
        "nwua9Gu5YrADL7ZDj": "Google Search Results Scraper",
        "zdc3Pyhyz3m8vjDeM": "daily-serp-check",
    }
    with store.engine.begin() as conn:  # inside the caller's transaction, and a rename wins
        actors.remember(conn, {"zdc3Pyhyz3m8vjDeM": Label(kind="task", name="daily-serp-check", title="Daily SERP")})
    assert actors.names(store)["zdc3Pyhyz3m8vjDeM"] == "Daily SERP"
    assert actors.unknown(store, ["nwua9Gu5YrADL7ZDj", "deletedActor00001"]) == ["deletedActor00001"]
    assert actors.remember(store, {}) == 0
