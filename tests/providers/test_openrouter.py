"""OpenRouter adapter: ``/activity`` rows summed per (date, model), over a MockTransport."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from core.config import Settings
from core.errors import ConfigError, ProviderAuthError, ProviderResponseError, ProviderUnavailable
from core.http import RetryPolicy
from core.models import PROVIDER_REPORTED
from core.providers import openrouter

FIXTURES = Path(__file__).parent.parent / "fixtures" / "openrouter"
KEY = "sk-or-v1-management-test-0123456789abcdef"
FIRST, LAST = date(2026, 8, 18), date(2026, 8, 21)
NO_SLEEP = RetryPolicy(sleep=lambda s: None)


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def run(answer, *, policy: RetryPolicy = NO_SLEEP, first=FIRST, last=LAST, settings: Settings | None = None):
    """Fetch with every request answered by ``answer`` (a dict, a Response or a handler); returns (lines, seen)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = answer(request) if callable(answer) else answer
        return reply if isinstance(reply, httpx.Response) else httpx.Response(200, json=reply)

    settings = settings or Settings(openrouter_management_key=KEY)
    with openrouter.client(settings, transport=httpx.MockTransport(handler)) as http:
        return openrouter.fetch(http, first, last, settings, policy=policy).lines, seen


def fail(answer, error: type[Exception], **kw) -> tuple[Exception, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request):
        seen.append(request)
        return answer(request) if callable(answer) else answer

    with pytest.raises(error) as info:
        run(recording, **kw)
    message = str(info.value)
    assert KEY not in message
    assert "\n" not in message
    return info.value, seen


def by_item(lines):
    return {(line.day, line.line_item): line for line in lines}


# --- sums, models, counts ---------------------------------------------------------------------------------------


def test_one_model_on_two_endpoints_is_summed_into_one_line():
    gpt = by_item(run(load("activity.json"))[0])[(date(2026, 8, 18), "openai/gpt-4.1")]
    assert gpt.cost_usd == Decimal("0.020")  # 0.015 (OpenAI) + "0.005" (Azure); BYOK 0.012 is not billed
    assert gpt.requests == 8
    assert (gpt.provider, gpt.model, gpt.cost_source) == ("openrouter", "openai/gpt-4.1", PROVIDER_REPORTED)


def test_byok_usage_is_not_counted_as_spend():
    claude = by_item(run(load("activity.json"))[0])[(date(2026, 8, 20), "anthropic/claude-sonnet-4.5")]
    assert claude.cost_usd == Decimal("0.2")  # its byok_usage_inference of 5.0 was paid on the customer's own key


def test_string_usage_amounts_are_accepted_exactly():
    rows = [
        {**load("activity.json")["data"][1], "usage": "0.1"},
        {**load("activity.json")["data"][2], "usage": 0.2},
    ]
    assert run({"data": rows})[0][0].cost_usd == Decimal("0.3")


def test_datetime_dates_are_read_as_their_utc_day():
    lines = by_item(run(load("activity.json"))[0])
    assert (date(2026, 8, 20), "anthropic/claude-sonnet-4.5") in lines  # sent as "2026-08-20 00:00:00"
    row = {**load("activity.json")["data"][1], "date": "2026-08-19T00:00:00Z"}
    assert [line.day for line in run({"data": [row]})[0]] == [date(2026, 8, 19)]


def test_unicode_and_html_looking_model_names_are_kept_verbatim():
    lines = by_item(run(load("activity.json"))[0])
    html = lines[(date(2026, 8, 19), "<img src=x onerror=alert(1)>")]
    assert (html.model, html.cost_usd, html.requests) == ("<img src=x onerror=alert(1)>", Decimal("0.2"), 1)
    assert lines[(date(2026, 8, 19), "mistralai/médium-日本")].model == "mistralai/médium-日本"


def test_request_counts_are_exact_including_free_models():
    lines = run(load("activity.json"))[0]
    assert sum(line.requests for line in lines) == 5 + 3 + 2 + 1 + 6 + 10 + 4
    free = by_item(lines)[(date(2026, 8, 19), "meta-llama/llama-3.3-70b-instruct:free")]
    assert (free.cost_usd, free.requests) == (Decimal(0), 10)


def test_only_days_inside_the_window_are_returned():
    lines = run(load("activity.json"))[0]
    assert {line.day for line in lines} == {date(2026, 8, 18), date(2026, 8, 19), date(2026, 8, 20)}
    assert sum(line.cost_usd for line in lines) == Decimal("0.820")  # not 2026-07-25's 1.5 nor 2026-08-22's 7.0


def test_days_the_api_no_longer_covers_yield_nothing_not_zeros():
    assert run(load("activity.json"), first=date(2026, 7, 1), last=date(2026, 7, 20))[0] == []


def test_empty_activity_gives_no_lines():
    assert run(load("activity_empty.json"))[0] == []


# --- what is sent -----------------------------------------------------------------------------------------------


def test_fetch_calls_activity_once_without_date_with_bearer_management_key():
    seen = run(load("activity.json"))[1]
    assert len(seen) == 1
    request = seen[0]
    assert (request.method, str(request.url)) == ("GET", "https://openrouter.ai/api/v1/activity")
    assert request.headers["Authorization"] == f"Bearer {KEY}"


# --- failures ---------------------------------------------------------------------------------------------------


def test_missing_key_raises_config_error_pointing_to_management_keys():
    with pytest.raises(ConfigError, match=r"OPENROUTER_MANAGEMENT_KEY.*openrouter\.ai/settings/management-keys"):
        openrouter.client(Settings())
    assert not openrouter.configured(Settings())
    assert openrouter.configured(Settings(openrouter_management_key=KEY))


def test_401_raises_auth_error_after_one_request():
    exc, seen = fail(httpx.Response(401, json=load("error_unauthorized.json")), ProviderAuthError)
    assert len(seen) == 1
    assert "No auth credentials found" in str(exc)


def test_403_for_an_inference_key_says_to_create_a_management_key():
    exc, seen = fail(httpx.Response(403, json=load("error_not_management_key.json")), ProviderAuthError)
    assert len(seen) == 1
    message = str(exc)
    assert "Only management keys can perform this operation" in message
    assert "openrouter.ai/settings/management-keys" in message and "OPENROUTER_MANAGEMENT_KEY" in message


def test_429_waits_for_retry_after_then_succeeds():
    sleeps: list[float] = []
    answers = [
        load("activity.json"),
        httpx.Response(429, headers={"Retry-After": "7"}, json=load("error_rate_limited.json")),
    ]
    lines, seen = run(lambda r: answers.pop(), policy=RetryPolicy(sleep=sleeps.append))
    assert sleeps == [7.0]
    assert len(seen) == 2
    assert len(lines) == 6


def test_500_every_time_raises_unavailable_after_bounded_attempts():
    exc, seen = fail(lambda r: httpx.Response(500, json=load("error_server.json")), ProviderUnavailable)
    assert len(seen) == NO_SLEEP.max_attempts
    assert "Internal Server Error" in str(exc)


def test_timeout_raises_unavailable():
    def handler(request: httpx.Request):
        raise httpx.ReadTimeout("timed out", request=request)

    fail(handler, ProviderUnavailable)


def test_malformed_json_raises_response_error():
    exc, _ = fail(httpx.Response(200, text='{"data": [{"date": '), ProviderResponseError)
    assert "malformed JSON" in str(exc)


def test_error_message_is_one_line_and_never_echoes_the_key():
    body = {"error": {"code": 401, "message": f"Key {KEY} is\ndisabled"}}
    exc, _ = fail(httpx.Response(401, json=body), ProviderAuthError)
    assert "Key *** is disabled" in str(exc)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ([], 'a {"data": [...]} object'),
        ({"data": {"date": "2026-08-18"}}, 'a {"data": [...]} object'),
        ({"data": ["row"]}, "not an object"),
        ({"data": [{"date": "2026-08-18", "usage": 1, "requests": 1}]}, "without a model"),
        ({"data": [{"date": "18/08/2026", "model": "m", "usage": 1, "requests": 1}]}, "expected YYYY-MM-DD"),
        ({"data": [{"date": "2026-08-18", "model": "m", "usage": None, "requests": 1}]}, "expected a number"),
        ({"data": [{"date": "2026-08-18", "model": "m", "usage": "NaN", "requests": 1}]}, "finite"),
        ({"data": [{"date": "2026-08-18", "model": "m", "usage": 1, "requests": -1}]}, "expected a count"),
    ],
)
def test_unexpected_payload_shapes_raise_response_error(payload, reason):
    exc, _ = fail(lambda r: httpx.Response(200, json=payload), ProviderResponseError)
    assert reason in str(exc)


# --- the independent total: every workspace's keys (issue 12) ------------------------------------------------------

WS_DEFAULT, WS_RESEARCH = "0df9e665-d932-5740-b2c7-b52af166bc11", "550e8400-e29b-41d4-a716-446655440000"
EMPTY = {"data": []}


def keys_api(workspaces: bool | httpx.Response = True):
    """/workspaces in two pages; /keys per workspace (the default one without workspace_id), each ending empty."""

    def answer(request: httpx.Request):
        q = request.url.params
        if request.url.path.endswith("/workspaces"):
            if isinstance(workspaces, httpx.Response):
                return workspaces
            return load("workspaces_page1.json" if q.get("offset") == "0" else "workspaces_page2.json")
        if q.get("offset") != "0":
            return EMPTY
        return load("keys_research.json") if q.get("workspace_id") == WS_RESEARCH else load("keys_default.json")

    return answer


def total(answer):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = answer(request)
        return reply if isinstance(reply, httpx.Response) else httpx.Response(200, json=reply)

    today = datetime.now(UTC).date()
    settings = Settings(openrouter_management_key=KEY)
    with openrouter.client(settings, transport=httpx.MockTransport(handler)) as http:
        return openrouter.independent_total(http, today.replace(day=1), today, settings, NO_SLEEP), seen


def test_the_total_adds_up_the_keys_of_every_workspace():
    found, seen = total(keys_api())
    # Production 25.5 - 1.5, the disabled "Old laptop" "0.25", Research's Notebook 10.125 - 0.125
    assert found.usd == Decimal("34.25") and found.scope is None
    asked = {r.url.params.get("workspace_id") for r in seen if r.url.path.endswith("/keys")}
    assert asked == {None, WS_DEFAULT, WS_RESEARCH}
    assert all(r.url.params["include_disabled"] == "true" for r in seen if r.url.path.endswith("/keys"))


def test_without_access_to_workspaces_the_total_says_it_covers_the_default_one_only():
    refused = httpx.Response(403, json={"error": {"code": 403, "message": "Forbidden"}})
    found, _ = total(keys_api(workspaces=refused))
    assert found.usd == Decimal("24.25") and found.scope == "default workspace only"


def test_a_workspace_listing_short_of_its_total_count_fails():
    def answer(request):
        if request.url.path.endswith("/workspaces"):
            return (
                load("workspaces_page1.json") if request.url.params["offset"] == "0" else {"data": [], "total_count": 2}
            )
        return keys_api()(request)

    with pytest.raises(ProviderResponseError, match="stopped short: 1 of the 2 workspaces"):
        total(answer)


def test_a_keys_listing_that_ignores_offset_fails_instead_of_ending_early():
    def answer(request):
        if request.url.path.endswith("/keys"):
            return load("keys_default.json")  # the same page whatever the offset
        return keys_api()(request)

    with pytest.raises(ProviderResponseError, match="ignored offset 2"):
        total(answer)
