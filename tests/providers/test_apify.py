from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from core.config import Settings
from core.errors import ConfigError, ProviderAuthError, ProviderResponseError, ProviderUnavailable
from core.http import RetryPolicy
from core.providers import apify
from tests.conftest import NO_SLEEP, load_fixture
from tests.fakes import FakeApify, run_item

TOKEN = "apify_api_test_token_0000"
SETTINGS = Settings(apify_token=TOKEN, apify_base_url="https://apify.test")
SINCE = datetime(2026, 11, 1, tzinfo=UTC)


def _client(fake: FakeApify) -> httpx.Client:
    return apify.client(SETTINGS, fake.transport())


def test_get_run_parses_cost_breakdown_times_and_dataset_item_count():
    fake = FakeApify([load_fixture("apify", "run.json")["data"]])
    run = apify.get_run(_client(fake), "HG7ML7M8z78YcAPEB", source="app", policy=NO_SLEEP)
    assert run.cost_usd == Decimal("0.0761284")
    assert run.created_at == datetime(2026, 11, 20, 23, 30, 1, 125000, tzinfo=UTC)
    assert run.finished_at.tzinfo is not None
    assert run.item_count == 42
    assert run.usage_details["usageUsd"]["ACTOR_COMPUTE_UNITS"] == 0.0742925
    assert run.scraper_id == "HDSasDasz78YcAPEB" and run.origin == "API" and run.status == "SUCCEEDED"
    assert fake.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert fake.requests[0].url.path == "/v2/actor-runs/HG7ML7M8z78YcAPEB"


def test_missing_usage_total_is_unknown_not_zero():
    item = run_item("run1", datetime(2026, 11, 2, tzinfo=UTC), None, status="RUNNING")
    assert apify.parse_run(item, source="import").cost_usd is None


def test_list_follows_offset_pagination_with_maximum_page_size():
    runs = [run_item(f"r{i}", datetime(2026, 11, 1 + i % 20, i % 24, tzinfo=UTC), 0.001 * i) for i in range(2345)]
    fake = FakeApify(runs)
    pages = list(apify.iter_run_pages(_client(fake), SINCE, source="import", policy=NO_SLEEP))
    assert [len(p) for p, _ in pages] == [1000, 1000, 345]
    assert {r.run_id for p, _ in pages for r in p} == {r["id"] for r in runs}
    sent = [(r.url.params["offset"], r.url.params["limit"], r.url.params["desc"]) for r in fake.requests]
    assert sent == [("0", "1000", "1"), ("1000", "1000", "1"), ("2000", "1000", "1")]
    assert fake.requests[0].url.params["startedAfter"] == "2026-11-01T00:00:00.000Z"


def test_runs_outside_the_window_are_dropped_even_if_the_server_ignores_the_filter():
    runs = [run_item("old", datetime(2026, 10, 31, 23, 59, tzinfo=UTC), 5), run_item("new", SINCE, 1)]
    fake = FakeApify(runs)
    fake.hook = lambda req: httpx.Response(
        200, json={"data": {"total": 2, "offset": 0, "limit": 1000, "count": 2, "desc": False, "items": runs}}
    )
    pages = list(apify.iter_run_pages(_client(fake), SINCE, source="import", policy=NO_SLEEP))
    assert [r.run_id for p, _ in pages for r in p] == ["new"]


def test_429_waits_for_retry_after_then_succeeds():
    slept: list[float] = []
    fake = FakeApify([load_fixture("apify", "run.json")["data"]])
    fake.fail_next = [httpx.Response(429, headers={"Retry-After": "3"}, json=load_fixture("apify", "error_429.json"))]
    run = apify.get_run(_client(fake), "HG7ML7M8z78YcAPEB", source="app", policy=RetryPolicy(sleep=slept.append))
    assert run.cost_usd == Decimal("0.0761284")
    assert slept == [3.0]


def test_persistent_429_gives_up_after_bounded_attempts():
    fake = FakeApify([])
    fake.fail_next = [httpx.Response(429, json=load_fixture("apify", "error_429.json"))] * 10
    with pytest.raises(ProviderUnavailable, match="rate limited"):
        list(apify.iter_run_pages(_client(fake), SINCE, source="import", policy=NO_SLEEP))
    assert len(fake.requests) == NO_SLEEP.max_attempts


def test_401_is_an_auth_error_and_never_retried():
    fake = FakeApify([], token="another-token")
    with pytest.raises(ProviderAuthError, match="APIFY_TOKEN") as err:
        apify.get_run(_client(fake), "abc", source="app", policy=NO_SLEEP)
    assert len(fake.requests) == 1
    assert TOKEN not in str(err.value)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, content=b"<html>gateway</html>"),
        httpx.Response(200, json={"items": []}),
        httpx.Response(200, json={"data": {"items": "nope", "total": 1}}),
        httpx.Response(200, json={"data": {"total": 1, "items": [{"id": "x", "startedAt": "yesterday"}]}}),
        httpx.Response(
            200,
            json={
                "data": {
                    "total": 1,
                    "items": [{"id": "x", "startedAt": "2026-11-02T00:00:00Z", "usageTotalUsd": "lots"}],
                }
            },
        ),
        httpx.Response(
            200,
            json={
                "data": {"total": 1, "items": [{"id": "x", "startedAt": "2026-11-02T00:00:00Z", "usageTotalUsd": -1}]}
            },
        ),
    ],
)
def test_malformed_bodies_are_response_errors(response):
    fake = FakeApify([])
    fake.hook = lambda req: response
    with pytest.raises(ProviderResponseError):
        list(apify.iter_run_pages(_client(fake), SINCE, source="import", policy=NO_SLEEP))


def test_timeouts_are_retried_then_reported():
    fake = FakeApify([])
    fake.fail_next = [httpx.ReadTimeout("slow")] * 10
    with pytest.raises(ProviderUnavailable, match="timed out"):
        apify.get_run(_client(fake), "abc", source="app", policy=NO_SLEEP)


def test_missing_token_is_a_config_error():
    with pytest.raises(ConfigError, match="APIFY_TOKEN is not set"):
        apify.client(Settings())
