"""Deepgram adapter against the imitation: recorded billing (USD) and usage (requests) breakdowns of two projects
(``tests/fixtures/deepgram``) for the parsing, the imitation's faults for the failures."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from core.config import Settings
from core.errors import ConfigError, ProviderAuthError, ProviderError, ProviderResponseError, ProviderUnavailable
from core.http import RetryPolicy
from core.models import PROVIDER_REPORTED
from core.providers import deepgram
from tests.conftest import NO_SLEEP
from tests.imitation import KEYS, Imitation

FIXTURES = Path(__file__).parent.parent / "fixtures" / "deepgram"
KEY = KEYS["deepgram"]
FIRST, LAST = date(2026, 8, 18), date(2026, 8, 21)
PROJECTS = "/v1/projects"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded(overrides: dict[str, object] | None = None) -> Imitation:
    """The imitation answering the project list and both projects' breakdowns with the recorded pages, by URL path;
    ``overrides`` replace some answers."""
    im = Imitation(date(2026, 8, 31))
    table: dict[str, object] = {
        PROJECTS: load("projects.json"),
        "/v1/projects/proj-a/billing/breakdown": load("billing_proj_a.json"),
        "/v1/projects/proj-b/billing/breakdown": load("billing_proj_b.json"),
        "/v1/projects/proj-a/usage/breakdown": load("usage_proj_a.json"),
        "/v1/projects/proj-b/usage/breakdown": load("usage_proj_b.json"),
    }
    for path, answer in (table | (overrides or {})).items():
        im.replay("deepgram", path, answer)
    return im


def run(im: Imitation, *, settings: Settings | None = None, policy: RetryPolicy = NO_SLEEP, first=FIRST, last=LAST):
    """Fetch from the imitation; returns ``(lines, requests seen)``."""
    return im.fetch("deepgram", first, last, settings, policy).lines, im.requests["deepgram"]


def fail(im: Imitation, error: type[Exception], **kw) -> tuple[Exception, list[httpx.Request]]:
    """A fetch that must fail (one line, no key): the error and the requests seen."""
    return im.fetch_error("deepgram", error, FIRST, LAST, **kw), im.requests["deepgram"]


def answering(response: httpx.Response | dict, path: str = PROJECTS) -> Imitation:
    """The recorded imitation, but ``path`` (by default the first request) answers ``response``."""
    return recorded({path: response})


def by_item(lines):
    return {(line.day, line.line_item): line for line in lines}


# --- sums, models, counts ---------------------------------------------------------------------------------------


def test_fetch_sums_two_projects_into_one_line_per_day_and_line_item():
    lines = by_item(run(recorded())[0])
    nova = lines[(date(2026, 8, 18), "streaming::nova-3")]
    assert nova.cost_usd == Decimal("0.75")  # 0.25 (proj-a) + "0.5" (proj-b)
    assert nova.model == "nova-3"
    assert nova.provider == "deepgram" and nova.cost_source == PROVIDER_REPORTED


def test_dollars_given_as_strings_or_floats_add_up_exactly():
    lines = by_item(run(recorded())[0])
    assert lines[(date(2026, 8, 18), "sync::aura-2")].cost_usd == Decimal("0.3")  # 0.1 + 0.2, not 0.30000000000000004
    assert lines[(date(2026, 8, 20), "streaming::Nova-2-Médical-日本")].cost_usd == Decimal("0.125")


def test_unicode_and_html_looking_line_items_are_kept_verbatim():
    lines = by_item(run(recorded())[0])
    html = lines[(date(2026, 8, 19), "batch::<img src=x onerror=alert(1)>")]
    assert html.model == "<img src=x onerror=alert(1)>"
    assert html.requests == 3
    unicode = lines[(date(2026, 8, 20), "streaming::Nova-2-Médical-日本")]
    assert unicode.model == "nova-2-médical-日本"
    assert unicode.requests == 5


def test_usage_model_names_match_line_models_case_insensitively():
    lines = by_item(run(recorded())[0])
    assert lines[(date(2026, 8, 18), "streaming::nova-3")].requests == 42  # "Nova-3": 40 (proj-a) + 2 (proj-b)


def test_usage_names_of_a_billed_model_family_count_on_its_line_item():
    lines = run(recorded())[0]
    assert sum(line.requests for line in lines) == 40 + 7 + 3 + 2 + 5
    # usage says "aura-2-thalia-en" (a voice of Aura-2), billing says "sync::aura-2": one line, no zero-cost extra
    assert by_item(lines)[(date(2026, 8, 18), "sync::aura-2")].requests == 7
    assert not [line for line in lines if line.line_item.endswith("(requests)")]


def test_usage_display_names_match_billing_line_items():
    usage = load("usage_display_names.json")
    billing = load("billing_display_names.json")
    empty = load("empty_breakdown.json")
    table = {
        "/v1/projects/proj-a/usage/breakdown": usage,
        "/v1/projects/proj-a/billing/breakdown": billing,
        "/v1/projects/proj-b/usage/breakdown": empty,
        "/v1/projects/proj-b/billing/breakdown": empty,
    }
    lines = by_item(run(recorded(table))[0])
    day = date(2026, 8, 18)
    assert lines[(day, "streaming::nova-3")].requests == 120  # usage "Nova 3"
    assert lines[(day, "async::nova-2")].requests == 30  # usage "Nova-2 General"
    assert lines[(day, "sync::aura-2")].requests == 8  # usage "Aura -2"
    assert len(lines) == 3


def test_rows_outside_the_window_are_dropped():
    lines = run(recorded())[0]
    assert {line.day for line in lines} == {date(2026, 8, 18), date(2026, 8, 19), date(2026, 8, 20)}
    assert sum(line.cost_usd for line in lines) == Decimal("1.225")  # not the 1.00 of 08-17 nor the 9.99 of 08-22


def test_empty_days_give_no_lines():
    empty = load("empty_breakdown.json")
    overrides = {
        f"/v1/projects/{p}/{kind}/breakdown": empty for p in ("proj-a", "proj-b") for kind in ("billing", "usage")
    }
    assert run(recorded(overrides))[0] == []


def test_a_window_with_no_rows_inside_gives_no_lines():
    assert run(recorded(), first=date(2026, 8, 21), last=date(2026, 8, 21))[0] == []


# --- what is sent -----------------------------------------------------------------------------------------------


def test_fetch_sends_token_header_and_day_window_with_groupings():
    seen = run(recorded())[1]
    assert [r.url.path for r in seen] == [
        "/v1/projects",
        "/v1/projects/proj-a/billing/breakdown",
        "/v1/projects/proj-b/billing/breakdown",
        "/v1/projects/proj-a/usage/breakdown",
        "/v1/projects/proj-b/usage/breakdown",
    ]
    assert all(r.headers["Authorization"] == f"Token {KEY}" for r in seen)
    assert all(r.url.host == "api.deepgram.com" for r in seen)
    billing, usage = dict(seen[1].url.params), dict(seen[3].url.params)
    # `end` may be exclusive (undocumented), so one more day is asked for and rows past `last` are dropped.
    assert billing == {"start": "2026-08-18", "end": "2026-08-22", "grouping": "line_item"}
    assert usage == {"start": "2026-08-18", "end": "2026-08-22", "grouping": "models"}


def test_configured_project_ids_skip_the_project_list_and_are_deduplicated():
    im = recorded()
    lines, seen = run(im, settings=im.settings(deepgram_project_ids=("proj-b", "proj-b")))
    assert [r.url.path for r in seen] == [
        "/v1/projects/proj-b/billing/breakdown",
        "/v1/projects/proj-b/usage/breakdown",
    ]
    assert by_item(lines)[(date(2026, 8, 18), "streaming::nova-3")].cost_usd == Decimal("0.5")


def test_a_project_listed_twice_is_fetched_and_counted_once():
    lines, seen = run(recorded({PROJECTS: load("projects_duplicate.json")}))
    assert [r.url.path for r in seen].count("/v1/projects/proj-a/billing/breakdown") == 1
    assert by_item(lines)[(date(2026, 8, 18), "streaming::nova-3")].cost_usd == Decimal("0.25")


# --- failures ---------------------------------------------------------------------------------------------------


def test_missing_key_raises_config_error_naming_the_variable():
    with pytest.raises(ConfigError, match=r"DEEPGRAM_API_KEY.*console\.deepgram\.com"):
        deepgram.client(Settings())
    assert not deepgram.configured(Settings())
    assert deepgram.configured(Settings(deepgram_api_key=KEY))


def test_401_raises_auth_error_after_one_request():
    im = recorded()
    im.rotate_key("deepgram")  # the imitation answers 401 "Invalid credentials." in Deepgram's error shape
    exc, seen = fail(im, ProviderAuthError)
    assert len(seen) == 1
    assert "DEEPGRAM_API_KEY" in str(exc) and "Invalid credentials" in str(exc)


def test_billing_403_says_the_key_needs_billing_read_access():
    im = answering(httpx.Response(403, json=load("error_category.json")), "/v1/projects/proj-a/billing/breakdown")
    exc, seen = fail(im, ProviderAuthError, settings=im.settings(deepgram_project_ids=("proj-a",)))
    assert len(seen) == 1
    assert "billing read access" in str(exc)
    assert "billing:read' scope. Ask an owner" in str(exc)  # the vendor's two-line message, flattened


def test_429_waits_for_retry_after_then_succeeds():
    sleeps: list[float] = []
    im = recorded()
    im.fail_once("deepgram", 429, retry_after="7")
    lines, seen = run(im, policy=RetryPolicy(sleep=sleeps.append))
    assert sleeps == [7.0]
    assert len(seen) == 6  # the list was asked twice, then four breakdowns
    assert sum(line.requests for line in lines) == 57


def test_500_every_time_raises_unavailable_after_bounded_attempts():
    im = recorded()
    im.down("deepgram")
    exc, seen = fail(im, ProviderUnavailable)
    assert len(seen) == NO_SLEEP.max_attempts
    assert "HTTP 500" in str(exc)


def test_timeout_raises_unavailable():
    im = recorded()
    im.hang("deepgram")
    _, seen = fail(im, ProviderUnavailable)
    assert len(seen) == NO_SLEEP.max_attempts


def test_malformed_json_raises_response_error():
    im = recorded()
    im.malformed("deepgram")
    exc, _ = fail(im, ProviderResponseError)
    assert "malformed JSON" in str(exc)


@pytest.mark.parametrize(
    ("path", "payload", "reason"),
    [
        ("/v1/projects", {"projects": "proj-a"}, "no projects list"),
        ("/v1/projects", {"projects": [{"name": "no id"}]}, "without a project_id"),
        ("/v1/projects/proj-a/billing/breakdown", {"results": [{"dollars": 1}]}, "without a grouping"),
        (
            "/v1/projects/proj-a/billing/breakdown",
            {"results": [{"dollars": None, "grouping": {"start": "2026-08-18", "line_item": "streaming::nova-3"}}]},
            "expected a number",
        ),
        (
            "/v1/projects/proj-a/billing/breakdown",
            {"results": [{"dollars": "1,5", "grouping": {"start": "2026-08-18", "line_item": "streaming::nova-3"}}]},
            "expected a decimal number",
        ),
        (
            "/v1/projects/proj-a/billing/breakdown",
            {"results": [{"dollars": 1, "grouping": {"start": "2026-08-01", "end": "2026-08-31", "line_item": "x"}}]},
            "spanning",
        ),
        (
            "/v1/projects/proj-a/billing/breakdown",
            {"resolution": {"units": "month", "amount": 1}, "results": []},
            "expected 1 day",
        ),
        (
            "/v1/projects/proj-a/usage/breakdown",
            {"results": [{"requests": "many", "grouping": {"start": "2026-08-18", "models": ["Nova-3"]}}]},
            "expected a count",
        ),
    ],
)
def test_unexpected_payload_shapes_raise_response_error(path, payload, reason):
    exc, _ = fail(answering(payload, path), ProviderResponseError)
    assert reason in str(exc)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(400, text="Bad Request: grouping\nis invalid"), "HTTP 400 from GET /v1/projects"),
        (httpx.Response(400, json=load("error_legacy.json")), "Invalid value for 'grouping'. Expected one of"),
        (httpx.Response(400, json={"category": "INVALID_QUERY", "message": f"bad key {KEY}\r\nretry"}), "bad key ***"),
    ],
    ids=["plain-text", "err_code-err_msg", "category-message"],
)
def test_error_bodies_of_all_three_shapes_give_a_one_line_message(response, expected):
    exc, seen = fail(answering(response), ProviderError)
    assert expected in str(exc)
    assert len(seen) == 1  # a 400 is not retried
