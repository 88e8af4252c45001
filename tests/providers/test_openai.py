"""OpenAI adapter against the imitation: recorded Costs / Completions-usage pages (``tests/fixtures/openai``) for
the parsing, the imitation's faults for the failures."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.config import Settings
from core.errors import ConfigError, InputError, ProviderAuthError, ProviderResponseError, ProviderUnavailable
from core.http import RetryPolicy
from core.models import PROVIDER_REPORTED
from core.providers import openai
from tests.imitation import KEYS, Imitation

FIXTURES = Path(__file__).parent.parent / "fixtures" / "openai"
KEY = KEYS["openai"]
FIRST, LAST = date(2026, 8, 1), date(2026, 8, 4)
COSTS = "/v1/organization/costs"
USAGE = "/v1/organization/usage/completions"
COSTS_CURSOR = "page_AAAAAGiL1zwAAAAA"
USAGE_CURSOR = "page_AAAAAGiMKDwAAAAA"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded(costs: Any = None, usage: Any = None) -> Imitation:
    """The imitation answering costs and completions usage with the recorded pages (two each; ``costs``/``usage``
    replace a first page); every other usage endpoint answers from its empty ledger: empty daily buckets."""
    im = Imitation(date(2026, 8, 31))
    im.replay("openai", COSTS, load("costs_page1.json") if costs is None else costs)
    im.replay("openai", COSTS, load("costs_page2.json"), page=COSTS_CURSOR)
    im.replay("openai", USAGE, load("usage_completions_page1.json") if usage is None else usage)
    im.replay("openai", USAGE, load("usage_completions_page2.json"), page=USAGE_CURSOR)
    return im


def sent(im: Imitation, path: str, *, first_pages: bool = False) -> list[httpx.Request]:
    return [r for r in im.requests["openai"] if r.url.path == path and not (first_pages and "page" in r.url.params)]


def fetch(im: Imitation, first: date = FIRST, last: date = LAST, sleeps: list[float] | None = None):
    policy = RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda s: None))
    return im.fetch("openai", first, last, policy=policy).lines


def by_key(lines) -> dict[tuple[date, str], Any]:
    return {(line.day, line.line_item): line for line in lines}


def fail(im: Imitation, exc_type, first: date = FIRST, last: date = LAST):
    """Run a fetch that must fail (one line, no key) and return the error."""
    return im.fetch_error("openai", exc_type, first, last)


# --- pagination and request details -------------------------------------------------------------------------------


def test_fetch_follows_next_page():
    im = recorded()
    lines = fetch(im)
    assert [r.url.params.get("page") for r in sent(im, COSTS)] == [None, COSTS_CURSOR]
    assert [r.url.params.get("page") for r in sent(im, USAGE)] == [None, USAGE_CURSOR]
    assert {line.day for line in lines} == {date(2026, 8, 1), date(2026, 8, 2), date(2026, 8, 4)}


def test_next_page_repeats_the_identical_query():
    im = recorded()
    fetch(im)
    for path in (COSTS, USAGE):
        first, second = sent(im, path)
        rest = [(k, v) for k, v in second.url.params.multi_items() if k != "page"]
        assert rest == list(first.url.params.multi_items())


def test_fetch_sends_admin_key_and_utc_window():
    im = recorded()
    fetch(im)
    for request in im.requests["openai"]:
        assert request.headers["Authorization"] == f"Bearer {KEY}"
        assert request.url.host == "api.openai.com"
        params = request.url.params
        assert params["start_time"] == "1785542400"  # 2026-08-01T00:00Z
        assert params["end_time"] == "1785888000"  # 2026-08-05T00:00Z: exclusive, so 08-04 is included
        assert params["bucket_width"] == "1d"
        assert params["limit"] == "31"
    assert sent(im, COSTS)[0].url.params.get_list("group_by") == ["line_item"]
    assert sent(im, USAGE)[0].url.params.get_list("group_by") == ["model"]


def test_long_range_is_split_into_windows_of_at_most_31_days():
    im = Imitation(date(2026, 3, 31))  # nothing recorded: an empty ledger lists every day as an empty bucket
    assert fetch(im, date(2026, 1, 1), date(2026, 3, 15)) == []
    costs = sent(im, COSTS, first_pages=True)
    windows = [(int(r.url.params["start_time"]), int(r.url.params["end_time"])) for r in costs]
    day = 86400
    jan1, feb1, mar4, mar16 = 1767225600, 1769904000, 1769904000 + 31 * day, 1769904000 + 43 * day
    assert windows == [(jan1, feb1), (feb1, mar4), (mar4, mar16)]
    assert all(end - start <= 31 * day for start, end in windows)
    assert len(sent(im, USAGE, first_pages=True)) == 3


def test_days_outside_the_requested_range_are_dropped():
    lines = fetch(recorded(), date(2026, 8, 2), date(2026, 8, 2))
    assert {line.day for line in lines} == {date(2026, 8, 2)}


def test_first_after_last_is_refused():
    with pytest.raises(InputError):
        fetch(recorded(), date(2026, 8, 5), date(2026, 8, 4))


# --- parsing --------------------------------------------------------------------------------------------------------


def test_amounts_are_exact_decimals_from_numbers_and_strings():
    lines = by_key(fetch(recorded()))
    assert lines[(date(2026, 8, 2), "gpt-4o-2024-08-06, input")].cost_usd == Decimal("12.50")  # sent as "12.50"
    assert lines[(date(2026, 8, 1), "gpt-4o-2024-08-06, input")].cost_usd == Decimal("0.06")
    assert lines[(date(2026, 8, 1), "gpt-4o-2024-08-06, output")].cost_usd == Decimal("1.2")
    assert sum(line.cost_usd for line in lines.values()) == Decimal("20.125")  # 1.275 + 16 + 2.85
    assert all(isinstance(line.cost_usd, Decimal) for line in lines.values())
    assert all(line.provider == "openai" and line.cost_source == PROVIDER_REPORTED for line in lines.values())


def test_empty_day_gives_no_lines():
    lines = fetch(recorded())
    assert not [line for line in lines if line.day == date(2026, 8, 3)]


def test_model_is_the_text_before_the_first_comma():
    lines = by_key(fetch(recorded()))
    assert lines[(date(2026, 8, 1), "gpt-4o-mini-2024-07-18, input")].model == "gpt-4o-mini-2024-07-18"
    assert lines[(date(2026, 8, 2), "Text tokens")].model == "Text tokens"


def test_null_line_item_is_unspecified():
    line = by_key(fetch(recorded()))[(date(2026, 8, 2), "(unspecified)")]
    assert line.model is None
    assert line.cost_usd == Decimal("0.5")


def test_unicode_and_html_line_items_are_kept_verbatim():
    lines = by_key(fetch(recorded()))
    html = lines[(date(2026, 8, 4), "<script>alert(1)</script>, input")]
    assert html.model == "<script>alert(1)</script>"
    assert html.requests == 2
    assert lines[(date(2026, 8, 4), "ünïcødé-模型-🚀, output")].model == "ünïcødé-模型-🚀"


def test_requests_per_day_equal_the_sum_of_num_model_requests():
    expected: dict[date, int] = defaultdict(int)
    for name in ("usage_completions_page1.json", "usage_completions_page2.json"):
        for bucket in load(name)["data"]:
            day = datetime.fromtimestamp(bucket["start_time"], UTC).date()
            expected[day] += sum(r["num_model_requests"] for r in bucket["results"])
    got: dict[date, int] = defaultdict(int)
    for line in fetch(recorded()):
        got[line.day] += line.requests or 0
    assert dict(got) == {d: n for d, n in expected.items() if n}
    assert got[date(2026, 8, 1)] == 17


def test_requests_go_to_the_first_line_of_their_model():
    lines = by_key(fetch(recorded()))
    assert lines[(date(2026, 8, 1), "gpt-4o-2024-08-06, input")].requests == 5
    assert lines[(date(2026, 8, 1), "gpt-4o-2024-08-06, output")].requests == 0
    assert lines[(date(2026, 8, 2), "Text tokens")].requests is None  # no usage endpoint counts it: unknown


def test_requests_without_a_cost_line_get_a_zero_cost_line():
    line = by_key(fetch(recorded()))[(date(2026, 8, 2), "o3-mini-2025-01-31 (requests)")]
    assert (line.cost_usd, line.requests, line.model) == (Decimal(0), 7, "o3-mini-2025-01-31")


# --- malformed payloads ---------------------------------------------------------------------------------------------


def _costs_with(change: Callable[[dict], Any]) -> dict:
    page = load("costs_page1.json")
    change(page)
    return page


@pytest.mark.parametrize(
    "page",
    [
        pytest.param({"object": "page", "has_more": False}, id="missing-data"),
        pytest.param([], id="not-an-object"),
        pytest.param(_costs_with(lambda p: p["data"][0].update(results={"a": 1})), id="results-not-a-list"),
        pytest.param(_costs_with(lambda p: p["data"][0].update(start_time="2026-08-01")), id="bucket-time-text"),
        pytest.param(_costs_with(lambda p: p["data"][0].update(start_time=None)), id="bucket-time-missing"),
        pytest.param(_costs_with(lambda p: p["data"][0]["results"][0]["amount"].update(value="12,50")), id="amount"),
        pytest.param(_costs_with(lambda p: p["data"][0]["results"][0]["amount"].update(value=None)), id="amount-null"),
        pytest.param(_costs_with(lambda p: p["data"][0]["results"][0].pop("amount")), id="amount-missing"),
        pytest.param(_costs_with(lambda p: p.update(next_page=None)), id="has-more-without-next-page"),
        pytest.param(_costs_with(lambda p: p.update(has_more="yes")), id="has-more-not-bool"),
    ],
)
def test_malformed_cost_page_is_a_response_error(page):
    fail(recorded(costs=page), ProviderResponseError)


def test_non_usd_currency_is_refused():
    page = _costs_with(lambda p: p["data"][0]["results"][0]["amount"].update(currency="eur"))
    error = fail(recorded(costs=page), ProviderResponseError)
    assert "eur" in str(error)


def test_malformed_usage_page_is_a_response_error():
    page = load("usage_completions_page1.json")
    del page["data"][0]["results"][0]["num_model_requests"]
    fail(recorded(usage=page), ProviderResponseError)


def test_malformed_json_is_a_response_error():
    im = recorded()
    im.malformed("openai")
    fail(im, ProviderResponseError)


def test_repeated_cursor_is_a_response_error():
    im = recorded()
    looping = load("costs_page2.json") | {"has_more": True, "next_page": COSTS_CURSOR}
    im.replay("openai", COSTS, looping, page=COSTS_CURSOR)
    error = fail(im, ProviderResponseError)
    assert "twice" in str(error)
    assert len(sent(im, COSTS)) == 2


# --- HTTP failures --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failure_is_not_retried(status):
    im = recorded()
    im.fail_once("openai", status)
    error = fail(im, ProviderAuthError)
    assert len(im.requests["openai"]) == 1
    assert "OPENAI_ADMIN_KEY" in str(error) and "sk-admin-" in str(error)


def test_rate_limit_waits_retry_after_then_returns_the_data():
    im = recorded()
    im.fail_once("openai", 429, retry_after="7")
    sleeps: list[float] = []
    lines = fetch(im, sleeps=sleeps)
    assert sleeps == [7.0]
    assert len(sent(im, COSTS)) == 3  # 429, page 1 again, page 2
    assert lines == fetch(recorded())


def test_server_errors_give_up_after_bounded_attempts():
    im = recorded()
    im.down("openai")
    sleeps: list[float] = []
    with pytest.raises(ProviderUnavailable) as info:
        fetch(im, sleeps=sleeps)
    assert len(im.requests["openai"]) == RetryPolicy().max_attempts
    assert len(sleeps) == RetryPolicy().max_attempts - 1
    assert KEY not in str(info.value)


def test_timeout_is_unavailable():
    im = recorded()
    im.hang("openai")
    fail(im, ProviderUnavailable)
    assert len(im.requests["openai"]) == RetryPolicy().max_attempts


def test_usage_failure_fails_the_whole_fetch():
    im = recorded()
    im.down("openai", after=2, status=503)  # both pages of costs answer, then usage is unavailable
    fail(im, ProviderUnavailable)
    assert len(sent(im, COSTS)) == 2 and sent(im, USAGE)  # costs were read, but nothing returns without counts


# --- the real forms (issue 12) ---------------------------------------------------------------------------------------

REAL_DAY = date(2026, 8, 1)


def real_forms(costs: Any = None) -> Imitation:
    im = recorded(costs=costs or load("costs_real_forms.json"), usage=load("usage_real_completions.json"))
    for kind in ("embeddings", "images", "file_search_calls", "code_interpreter_sessions"):
        im.replay("openai", f"/v1/organization/usage/{kind}", load(f"usage_real_{kind}.json"))
    return im


def test_a_line_item_split_per_project_is_summed_exactly_even_with_odd_amount_strings():
    lines = by_key(fetch(real_forms(), REAL_DAY, date(2026, 8, 2)))
    # 0.06 + "0.0400000000000000000000000000000000000001" (39 decimals); "0E-6176" is zero
    assert lines[(REAL_DAY, "gpt-4o-2024-08-06, input")].cost_usd == Decimal("0.1000000000000000000000000000")
    assert lines[(REAL_DAY, "gpt-4o-2024-08-06, output")].cost_usd == 0


def test_request_counts_come_from_every_usage_endpoint_that_has_them():
    im = real_forms()
    lines = by_key(fetch(im, REAL_DAY, date(2026, 8, 2)))
    assert lines[(REAL_DAY, "text-embedding-3-small")].requests == 250  # embeddings
    assert lines[(REAL_DAY, "dall-e-3, 1024x1024 standard")].requests == 1  # images
    assert lines[(REAL_DAY, "assistants api | file search")].requests == 6  # file_search_calls num_requests
    assert lines[(REAL_DAY, "assistants api | code interpreter")].requests == 2  # code_interpreter_sessions
    asked = {r.url.path.rsplit("/", 1)[1] for r in im.requests["openai"] if "/usage/" in r.url.path}
    assert asked == {
        "completions",
        "embeddings",
        "moderations",
        "images",
        "audio_speeches",
        "audio_transcriptions",
        "code_interpreter_sessions",
        "file_search_calls",
    }


def test_real_line_item_forms_are_attributed_to_their_model():
    lines = by_key(fetch(real_forms(), REAL_DAY, date(2026, 8, 2)))
    fine_tuned = lines[(REAL_DAY, "ft-gpt-4o-2024-08-06, input")]
    assert (fine_tuned.model, fine_tuned.requests) == ("ft-gpt-4o-2024-08-06", 4)  # usage "ft:gpt-4o-...:acme::id"
    evals = lines[(REAL_DAY, "evals | gpt-4o-mini-2024-07-18, input")]
    plain = lines[(REAL_DAY, "gpt-4o-mini-2024-07-18, input")]
    assert evals.model == plain.model == "gpt-4o-mini-2024-07-18"
    assert (plain.requests, evals.requests) == (11, 0)  # the plain model line carries the model's count once
    assert lines[(REAL_DAY, "gpt-4o-2024-08-06, input")].requests == 9


def test_a_line_no_endpoint_counts_has_unknown_requests_not_zero():
    lines = by_key(fetch(real_forms(), REAL_DAY, date(2026, 8, 2)))
    assert lines[(REAL_DAY, "Text tokens")].requests is None
    assert sum(line.requests or 0 for line in lines.values()) == 9 + 4 + 11 + 250 + 1 + 6 + 2


def test_a_listing_that_stops_short_of_the_window_fails():
    page = load("costs_real_forms.json")
    page["data"].pop()  # 2026-08-02 is missing although the cursor says there is nothing more
    error = fail(real_forms(costs=page), ProviderResponseError, REAL_DAY, date(2026, 8, 2))
    assert "stopped short" in str(error) and "2026-08-02" in str(error)


# --- configuration --------------------------------------------------------------------------------------------------


def test_missing_key_is_a_config_error():
    assert not openai.configured(Settings())
    assert openai.configured(Settings(openai_admin_key=KEY))
    with pytest.raises(ConfigError, match="OPENAI_ADMIN_KEY is not set"):
        openai.client(Settings())


def test_base_url_comes_from_settings():
    im, hosts = recorded(), []

    def proxy(request: httpx.Request) -> httpx.Response:  # the proxy forwards /openai/v1/... to the API's /v1/...
        hosts.append(request.url.host)
        assert request.url.path.startswith("/openai/v1/")
        path = request.url.raw_path.removeprefix(b"/openai")
        return im.handler("openai")(
            httpx.Request(request.method, request.url.copy_with(raw_path=path), headers=request.headers)
        )

    settings = Settings(openai_admin_key=KEY, openai_base_url="https://proxy.example.com/openai/v1")
    http = openai.client(settings, transport=httpx.MockTransport(proxy))
    assert openai.fetch(http, FIRST, LAST, settings, policy=RetryPolicy(sleep=lambda s: None))
    assert set(hosts) == {"proxy.example.com"}
