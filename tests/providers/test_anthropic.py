"""Anthropic adapter against the imitation: recorded cost_report pages (``tests/fixtures/anthropic``) for the
parsing, the imitation's faults for the failures."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings
from core.errors import ConfigError, InputError, ProviderAuthError, ProviderResponseError, ProviderUnavailable
from core.http import RetryPolicy
from core.models import PROVIDER_REPORTED
from core.providers import anthropic
from tests.imitation import KEYS, Imitation

FIXTURES = Path(__file__).parent.parent / "fixtures" / "anthropic"
KEY = KEYS["anthropic"]
FIRST, LAST = date(2026, 8, 1), date(2026, 8, 4)
COSTS = "/v1/organizations/cost_report"
CURSOR = "page_MjAyNi0wOC0wM1QwMDowMDowMFo="
SONNET_INPUT = "Claude Sonnet 4 Usage - Input Tokens"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded(first_page: Any = None, second_page: Any = None) -> Imitation:
    """The imitation answering the cost report with the two recorded pages (or the ones given)."""
    im = Imitation(date(2026, 8, 31))
    im.replay("anthropic", COSTS, load("cost_report_page1.json") if first_page is None else first_page)
    im.replay("anthropic", COSTS, load("cost_report_page2.json") if second_page is None else second_page, page=CURSOR)
    return im


def fetch(im: Imitation, first: date = FIRST, last: date = LAST, sleeps: list[float] | None = None):
    policy = RetryPolicy(sleep=(sleeps.append if sleeps is not None else lambda s: None))
    return im.fetch("anthropic", first, last, policy=policy).lines


def by_key(lines) -> dict[tuple[date, str], Any]:
    return {(line.day, line.line_item): line for line in lines}


def fail(im: Imitation, exc_type):
    """Run a fetch that must fail (one line, no key) and return the error."""
    return im.fetch_error("anthropic", exc_type, FIRST, LAST)


# --- pagination and request details -------------------------------------------------------------------------------


def test_fetch_follows_next_page():
    im = recorded()
    lines = fetch(im)
    assert [r.url.params.get("page") for r in im.requests["anthropic"]] == [None, CURSOR]
    assert {line.day for line in lines} == {date(2026, 8, 1), date(2026, 8, 2), date(2026, 8, 4)}


def test_next_page_repeats_the_identical_query():
    im = recorded()
    fetch(im)
    first, second = im.requests["anthropic"]
    assert [(k, v) for k, v in second.url.params.multi_items() if k != "page"] == list(first.url.params.multi_items())


def test_fetch_sends_admin_key_version_and_utc_window():
    im = recorded()
    fetch(im)
    request = im.requests["anthropic"][0]
    assert request.headers["x-api-key"] == KEY
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in request.headers
    assert str(request.url).startswith("https://api.anthropic.com/v1/organizations/cost_report?")
    params = request.url.params
    assert params["starting_at"] == "2026-08-01T00:00:00Z"
    assert params["ending_at"] == "2026-08-05T00:00:00Z"  # exclusive, so 08-04 is included
    assert params["bucket_width"] == "1d"
    assert params["limit"] == "31"
    assert params.get_list("group_by[]") == ["description"]
    assert "group_by%5B%5D=description" in str(request.url)  # the key really carries the brackets


def test_long_range_is_split_into_windows_of_at_most_31_days():
    im = Imitation(date(2026, 3, 31))  # nothing recorded: an empty ledger lists every day as an empty bucket
    assert fetch(im, date(2026, 1, 1), date(2026, 3, 15)) == []
    first_pages = [r for r in im.requests["anthropic"] if "page" not in r.url.params]
    windows = [(r.url.params["starting_at"], r.url.params["ending_at"]) for r in first_pages]
    assert windows == [
        ("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
        ("2026-02-01T00:00:00Z", "2026-03-04T00:00:00Z"),
        ("2026-03-04T00:00:00Z", "2026-03-16T00:00:00Z"),
    ]


def test_days_outside_the_requested_range_are_dropped():
    lines = fetch(recorded(), date(2026, 8, 2), date(2026, 8, 2))
    assert {line.day for line in lines} == {date(2026, 8, 2)}


def test_first_after_last_is_refused():
    with pytest.raises(InputError):
        fetch(recorded(), date(2026, 8, 5), date(2026, 8, 4))


# --- parsing --------------------------------------------------------------------------------------------------------


def test_anthropic_amount_is_cents():
    lines = by_key(fetch(recorded()))
    assert lines[(date(2026, 8, 1), "Claude Sonnet 4 Usage - Output Tokens")].cost_usd == Decimal("1.2378912")
    assert lines[(date(2026, 8, 2), "Web Search Usage")].cost_usd == Decimal("10")
    assert lines[(date(2026, 8, 2), "Claude Opus 4.6 Usage - Input Tokens")].cost_usd == Decimal("0.005")


def test_results_with_the_same_description_add_up_on_one_line():
    line = by_key(fetch(recorded()))[(date(2026, 8, 1), SONNET_INPUT)]
    assert line.cost_usd == Decimal("148.45")  # "12345.00" + "2500.00" cents
    assert line.model == "claude-sonnet-4-20250514"


def test_total_is_exact():
    lines = fetch(recorded())
    assert all(isinstance(line.cost_usd, Decimal) for line in lines)
    # cents: 12345 + 2500 + 123.78912 + 0.5 + 1000 + 42 + 7.5 + 3 = 16021.78912
    assert sum(line.cost_usd for line in lines) == Decimal("160.2178912")
    assert all(line.provider == "anthropic" and line.cost_source == PROVIDER_REPORTED for line in lines)


def test_requests_are_unknown_not_zero():
    lines = fetch(recorded())
    assert lines and all(line.requests is None for line in lines)


def test_empty_day_gives_no_lines():
    assert not [line for line in fetch(recorded()) if line.day == date(2026, 8, 3)]


def test_line_item_falls_back_to_model_and_token_type_then_cost_type():
    lines = by_key(fetch(recorded()))
    by_model = lines[(date(2026, 8, 4), "claude-sonnet-4-20250514 / cache_read_input_tokens")]
    assert (by_model.model, by_model.cost_usd) == ("claude-sonnet-4-20250514", Decimal("0.075"))
    code = lines[(date(2026, 8, 4), "code_execution")]
    assert (code.model, code.cost_usd) == (None, Decimal("0.03"))
    assert lines[(date(2026, 8, 2), "Web Search Usage")].model is None


def test_unicode_and_html_names_are_kept_verbatim():
    line = by_key(fetch(recorded()))[(date(2026, 8, 4), "<script>alert(1)</script>")]
    assert line.model == "claude-ünïcødé-模型-🚀"
    assert line.cost_usd == Decimal("0.42")


def test_missing_everything_is_unspecified():
    page = {
        "data": [
            {
                "starting_at": "2026-08-01T00:00:00Z",
                "ending_at": "2026-08-02T00:00:00Z",
                "results": [
                    {
                        "amount": "1",
                        "currency": "USD",
                        "description": None,
                        "cost_type": None,
                        "model": None,
                        "token_type": None,
                    }
                ],
            }
        ],
        "has_more": False,
        "next_page": None,
    }
    [line] = fetch(recorded(first_page=page), FIRST, FIRST)
    assert (line.line_item, line.model, line.cost_usd) == ("(unspecified)", None, Decimal("0.01"))


# --- malformed payloads ---------------------------------------------------------------------------------------------


def _page_with(change: Callable[[dict], Any]) -> dict:
    page = load("cost_report_page1.json")
    change(page)
    return page


@pytest.mark.parametrize(
    "page",
    [
        pytest.param({"has_more": False, "next_page": None}, id="missing-data"),
        pytest.param({"data": {"0": []}}, id="data-not-a-list"),
        pytest.param(_page_with(lambda p: p["data"][0].update(results=None)), id="results-not-a-list"),
        pytest.param(_page_with(lambda p: p["data"][0].update(starting_at="yesterday")), id="bucket-time"),
        pytest.param(_page_with(lambda p: p["data"][0].update(starting_at=1785542400)), id="bucket-time-number"),
        pytest.param(_page_with(lambda p: p["data"][0]["results"][0].update(amount="12,345.00")), id="amount"),
        pytest.param(_page_with(lambda p: p["data"][0]["results"][0].update(amount="NaN")), id="amount-nan"),
        pytest.param(_page_with(lambda p: p["data"][0]["results"][0].pop("amount")), id="amount-missing"),
        pytest.param(_page_with(lambda p: p["data"][0]["results"][0].update(model=42)), id="model-not-text"),
        pytest.param(_page_with(lambda p: p.update(next_page="")), id="has-more-without-next-page"),
    ],
)
def test_malformed_page_is_a_response_error(page):
    fail(recorded(first_page=page), ProviderResponseError)


def test_non_usd_currency_is_refused():
    page = _page_with(lambda p: p["data"][1]["results"][0].update(currency="EUR"))
    assert "EUR" in str(fail(recorded(first_page=page), ProviderResponseError))


def test_malformed_json_is_a_response_error():
    im = recorded()
    im.malformed("anthropic")
    fail(im, ProviderResponseError)


def test_repeated_cursor_is_a_response_error():
    im = recorded(second_page=load("cost_report_page2.json") | {"has_more": True, "next_page": CURSOR})
    assert "twice" in str(fail(im, ProviderResponseError))
    assert len(im.requests["anthropic"]) == 2


# --- HTTP failures --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])  # authentication_error, permission_error
def test_auth_failure_is_not_retried(status):
    im = recorded()
    im.fail_once("anthropic", status)
    error = fail(im, ProviderAuthError)
    assert len(im.requests["anthropic"]) == 1
    assert "ANTHROPIC_ADMIN_KEY" in str(error) and "sk-ant-admin01-" in str(error)


def test_rate_limit_waits_retry_after_then_returns_the_data():
    im = recorded()
    im.fail_once("anthropic", 429, retry_after="7")
    sleeps: list[float] = []
    lines = fetch(im, sleeps=sleeps)
    assert sleeps == [7.0]
    assert len(im.requests["anthropic"]) == 3  # 429, page 1 again, page 2
    assert lines == fetch(recorded())


@pytest.mark.parametrize("status", [500, 529])
def test_server_errors_give_up_after_bounded_attempts(status):
    im = recorded()
    im.down("anthropic", status=status)
    sleeps: list[float] = []
    with pytest.raises(ProviderUnavailable) as info:
        fetch(im, sleeps=sleeps)
    assert len(im.requests["anthropic"]) == RetryPolicy().max_attempts
    assert len(sleeps) == RetryPolicy().max_attempts - 1
    assert KEY not in str(info.value)


def test_timeout_is_unavailable():
    im = recorded()
    im.hang("anthropic")
    fail(im, ProviderUnavailable)
    assert len(im.requests["anthropic"]) == RetryPolicy().max_attempts


def test_failure_on_a_later_page_returns_nothing():
    im = recorded()
    im.down("anthropic", after=1)  # the first page answers, the second never does
    fail(im, ProviderUnavailable)
    assert [r.url.params.get("page") for r in im.requests["anthropic"]][:2] == [None, CURSOR]


# --- configuration --------------------------------------------------------------------------------------------------


def test_missing_key_is_a_config_error():
    assert not anthropic.configured(Settings())
    assert anthropic.configured(Settings(anthropic_admin_key=KEY))
    with pytest.raises(ConfigError, match="ANTHROPIC_ADMIN_KEY is not set"):
        anthropic.client(Settings())


def test_a_cost_report_that_stops_short_of_the_window_fails():
    page = load("cost_report_page2.json")
    page["data"] = page["data"][:1]  # the last day is missing although has_more is false
    error = fail(recorded(second_page=page), ProviderResponseError)
    assert "stopped short" in str(error) and "2026-08-04" in str(error)
