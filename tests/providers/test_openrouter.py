"""OpenRouter adapter against the imitation: recorded ``/activity`` rows summed per (date, model) and the keys of
every workspace (``tests/fixtures/openrouter``), the imitation's faults for the failures."""

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
from tests.conftest import NO_SLEEP
from tests.imitation import KEYS, Imitation

FIXTURES = Path(__file__).parent.parent / "fixtures" / "openrouter"
KEY = KEYS["openrouter"]
FIRST, LAST = date(2026, 8, 18), date(2026, 8, 21)
ACTIVITY, WORKSPACES, KEYS_PATH = "/api/v1/activity", "/api/v1/workspaces", "/api/v1/keys"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded(*answers) -> Imitation:
    """The imitation answering ``/activity`` with ``answers`` in turn (bodies, responses or handlers)."""
    im = Imitation(date(2026, 8, 22))
    im.replay("openrouter", ACTIVITY, *answers)
    return im


def run(answer, *, policy: RetryPolicy = NO_SLEEP, first=FIRST, last=LAST):
    """Fetch with ``/activity`` answered by ``answer`` (or an imitation already set up); returns (lines, seen)."""
    im = answer if isinstance(answer, Imitation) else recorded(answer)
    return im.fetch("openrouter", first, last, policy=policy).lines, im.requests["openrouter"]


def fail(answer, error: type[Exception]) -> tuple[Exception, list[httpx.Request]]:
    """A fetch that must fail (one line, no key): the error and the requests seen."""
    im = answer if isinstance(answer, Imitation) else recorded(answer)
    return im.fetch_error("openrouter", error, FIRST, LAST), im.requests["openrouter"]


def broken(fault: str, *args) -> Imitation:
    """The recorded imitation with one of its faults (``hang``, ``malformed``)."""
    im = recorded(load("activity.json"))
    getattr(im, fault)("openrouter", *args)
    return im


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
    limited = httpx.Response(429, headers={"Retry-After": "7"}, json=load("error_rate_limited.json"))
    lines, seen = run(recorded(limited, load("activity.json")), policy=RetryPolicy(sleep=sleeps.append))
    assert sleeps == [7.0]
    assert len(seen) == 2
    assert len(lines) == 6


def test_500_every_time_raises_unavailable_after_bounded_attempts():
    exc, seen = fail(httpx.Response(500, json=load("error_server.json")), ProviderUnavailable)
    assert len(seen) == NO_SLEEP.max_attempts
    assert "Internal Server Error" in str(exc)


def test_timeout_raises_unavailable():
    _, seen = fail(broken("hang"), ProviderUnavailable)
    assert len(seen) == NO_SLEEP.max_attempts


def test_malformed_json_raises_response_error():
    exc, _ = fail(broken("malformed"), ProviderResponseError)
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
    exc, _ = fail(httpx.Response(200, json=payload), ProviderResponseError)
    assert reason in str(exc)


# --- the independent total: every workspace's keys (issue 12) ------------------------------------------------------

WS_DEFAULT, WS_RESEARCH = "0df9e665-d932-5740-b2c7-b52af166bc11", "550e8400-e29b-41d4-a716-446655440000"
EMPTY = {"data": []}


def recorded_workspaces(request: httpx.Request):
    """/workspaces in two recorded pages."""
    return load("workspaces_page1.json" if request.url.params.get("offset") == "0" else "workspaces_page2.json")


def recorded_keys(request: httpx.Request):
    """/keys per workspace (the default one without workspace_id), each listing ending with an empty page."""
    q = request.url.params
    if q.get("offset") != "0":
        return EMPTY
    return load("keys_research.json") if q.get("workspace_id") == WS_RESEARCH else load("keys_default.json")


def total(workspaces=(recorded_workspaces,), keys=(recorded_keys,)):
    """The month-to-date total from the recorded workspaces and keys (or the answers given, in turn); returns it and
    the requests seen."""
    im = Imitation(datetime.now(UTC).date())
    im.replay("openrouter", WORKSPACES, *workspaces)
    im.replay("openrouter", KEYS_PATH, *keys)
    with im.client("openrouter") as http:
        found = openrouter.independent_total(http, im.today.replace(day=1), im.today, im.settings(), NO_SLEEP)
    return found, im.requests["openrouter"]


def test_the_total_adds_up_the_keys_of_every_workspace():
    found, seen = total()
    # Production 25.5 - 1.5, the disabled "Old laptop" "0.25", Research's Notebook 10.125 - 0.125
    assert found.usd == Decimal("34.25") and found.scope is None
    asked = {r.url.params.get("workspace_id") for r in seen if r.url.path.endswith("/keys")}
    assert asked == {None, WS_DEFAULT, WS_RESEARCH}
    assert all(r.url.params["include_disabled"] == "true" for r in seen if r.url.path.endswith("/keys"))


def test_without_access_to_workspaces_the_total_says_it_covers_the_default_one_only():
    refused = httpx.Response(403, json={"error": {"code": 403, "message": "Forbidden"}})
    found, _ = total(workspaces=(refused,))
    assert found.usd == Decimal("24.25") and found.scope == "default workspace only"


def test_a_workspace_listing_short_of_its_total_count_fails():
    with pytest.raises(ProviderResponseError, match="stopped short: 1 of the 2 workspaces"):
        total(workspaces=(load("workspaces_page1.json"), {"data": [], "total_count": 2}))


def test_a_keys_listing_that_ignores_offset_fails_instead_of_ending_early():
    with pytest.raises(ProviderResponseError, match="ignored offset 2"):
        total(keys=(load("keys_default.json"),))  # the same page whatever the offset
