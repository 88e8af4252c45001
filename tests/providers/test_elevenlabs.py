"""ElevenLabs adapter against the imitation: recorded usage tables, request counts and subscriptions
(``tests/fixtures/elevenlabs``) for the parsing and the price, the imitation's faults for the failures."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from core.config import Settings
from core.errors import ConfigError, ProviderAuthError, ProviderError, ProviderResponseError, ProviderUnavailable
from core.http import RetryPolicy
from core.models import DERIVED_FROM_CREDITS
from core.providers import elevenlabs
from tests.conftest import NO_SLEEP
from tests.imitation import KEYS, Imitation

FIXTURES = Path(__file__).parent.parent / "fixtures" / "elevenlabs"
KEY = KEYS["elevenlabs"]
FIRST, LAST = date(2026, 8, 1), date(2026, 8, 3)
USAGE = "/v1/workspace/analytics/query/usage-by-product-over-time"
SUBSCRIPTION = "/v1/user/subscription"
STATS = "/v1/usage/character-stats"
PRICED = Settings(elevenlabs_api_key=KEY, elevenlabs_usd_per_1k_credits=Decimal("0.30"))
UNPRICED = Settings(elevenlabs_api_key=KEY)


def load(name: str):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def api(usage="usage_by_product", stats="character_stats", subscription="subscription_creator") -> Imitation:
    """The imitation answering usage, request counts and the subscription with recorded answers (a fixture name,
    a body, a response, or a list of them served in turn)."""
    im = Imitation(date(2026, 8, 31))
    for path, answer in ((USAGE, usage), (STATS, stats), (SUBSCRIPTION, subscription)):
        answers = answer if isinstance(answer, list) else [answer]
        im.replay("elevenlabs", path, *(load(a) if isinstance(a, str) else a for a in answers))
    return im


def run(im: Imitation, settings: Settings = PRICED, policy: RetryPolicy = NO_SLEEP):
    return im.fetch("elevenlabs", FIRST, LAST, settings, policy).lines


def price(im: Imitation, settings: Settings = UNPRICED):
    with im.client("elevenlabs", settings) as http:
        return elevenlabs.price_per_1k_credits(http, settings, NO_SLEEP)


def paths(im: Imitation) -> list[str]:
    return [r.url.path for r in im.requests["elevenlabs"]]


def by_item(lines) -> dict:
    return {(line.day, line.line_item): line for line in lines}


def table(rows, units=("s", "", "", "credits")) -> dict:
    return {
        "columns": ["timestamp", "product_type", "model", "credits_used"],
        "column_types": ["DateTime", "String", "String", "Float"],
        "column_units": list(units),
        "rows": rows,
    }


# --- configuration and client ---------------------------------------------------------------------------------


def test_configured_only_when_key_is_set():
    assert elevenlabs.configured(PRICED)
    assert not elevenlabs.configured(Settings())


def test_client_sends_key_in_xi_api_key_header():
    im = api()
    run(im)
    assert {r.headers["xi-api-key"] for r in im.requests["elevenlabs"]} == {KEY}
    assert all(str(r.url).startswith("https://api.elevenlabs.io/v1/") for r in im.requests["elevenlabs"])


def test_missing_key_raises_config_error_naming_the_variable():
    with pytest.raises(ConfigError, match="ELEVENLABS_API_KEY"):
        elevenlabs.client(Settings())


# --- what is sent -----------------------------------------------------------------------------------------------


def test_usage_query_sends_utc_millisecond_window_daily_grouped_by_product_and_model():
    im = api()
    run(im)
    [query] = [r for r in im.requests["elevenlabs"] if r.url.path == USAGE]
    assert query.method == "POST"
    assert json.loads(query.content) == {
        "start_time": 1785542400000,  # 2026-08-01T00:00:00Z
        "end_time": 1785801600000,  # 2026-08-04T00:00:00Z, the day after LAST
        "interval_seconds": 86400,
        "group_by": ["product_type", "model"],
        "time_zone": "UTC",
    }


def test_request_counts_are_asked_per_day_and_model_in_milliseconds():
    im = api()
    run(im)
    [stats] = [r for r in im.requests["elevenlabs"] if r.url.path == STATS]
    assert dict(stats.url.params) == {
        "start_unix": "1785542400000",
        "end_unix": "1785801599999",  # 2026-08-03T23:59:59.999Z
        "aggregation_interval": "day",
        "breakdown_type": "model",
        "metric": "request_count",
        "include_workspace_metrics": "true",  # the whole workspace, like the credits; default is the key's user
    }


# --- cost lines -------------------------------------------------------------------------------------------------


def test_configured_price_turns_credits_into_exact_usd_without_asking_the_subscription():
    im = api()
    lines = by_item(run(im))
    line = lines[(date(2026, 8, 1), "eleven_multilingual_v2 / text-to-speech")]
    assert line.cost_usd == Decimal("0.03765")  # 125.5 credits x $0.30 / 1000
    assert line.cost_source == DERIVED_FROM_CREDITS
    assert line.model == "eleven_multilingual_v2"
    assert SUBSCRIPTION not in paths(im)


def test_rows_outside_the_window_are_dropped():
    lines = run(api())
    assert {line.day for line in lines} <= {FIRST, date(2026, 8, 2), LAST}
    assert sum(line.cost_usd for line in lines) == Decimal("0.36165")  # (125.5 + 50 + 1000 + 10 + 20) x 0.30 / 1000


def test_day_without_usage_rows_has_no_cost_lines():
    lines = [line for line in run(api()) if line.day == date(2026, 8, 2)]
    # Only the request count the deprecated endpoint reported, as a zero-cost line.
    assert [(line.line_item, line.cost_usd, line.requests) for line in lines] == [
        ("eleven_flash_v2_5 (requests)", Decimal(0), 5)
    ]


def test_empty_table_and_zero_counts_give_no_lines():
    assert run(api(usage="usage_by_product_empty", stats="character_stats_empty")) == []


def test_unicode_and_html_looking_model_names_are_kept_verbatim():
    name = "voix-française-√ <b>v2</b>"
    line = by_item(run(api()))[(LAST, f"{name} / text-to-speech")]
    assert line.model == name
    assert line.cost_usd == Decimal("0.003")
    assert line.requests == 2


@pytest.mark.parametrize(
    ("model", "product", "item"),
    [
        (None, "sound-effects", "sound-effects"),
        ("", "dubbing", "dubbing"),
        ("m1", None, "m1"),
        (None, "", "unattributed"),
    ],
)
def test_line_item_falls_back_when_model_or_product_is_missing(model, product, item):
    lines = run(api(usage=table([["2026-08-02T00:00:00Z", product, model, "10"]]), stats="character_stats_empty"))
    [line] = lines
    assert (line.line_item, line.model, line.cost_usd) == (item, model or None, Decimal("0.003"))


def test_request_counts_are_attached_to_the_matching_day_and_model():
    lines = by_item(run(api()))
    assert lines[(FIRST, "eleven_multilingual_v2 / text-to-speech")].requests == 12
    assert lines[(FIRST, "scribe_v1 / speech-to-text")].requests == 4
    assert lines[(LAST, "eleven_multilingual_v2 / text-to-speech")].requests == 30
    assert lines[(LAST, "sound-effects")].requests is None  # no model, so no count can match: unknown, not 0


@pytest.mark.parametrize("status", [404, 410])
def test_retired_character_stats_leaves_requests_unknown_not_zero(status):
    lines = run(api(stats=httpx.Response(status, json={"detail": "Not Found"})))
    assert lines and all(line.requests is None for line in lines)
    assert sum(line.cost_usd for line in lines) == Decimal("0.36165")


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, ProviderAuthError), (403, ProviderAuthError), (503, ProviderUnavailable), (422, ProviderError)],
)
def test_other_character_stats_failures_fail_the_whole_fetch(status, error):
    with pytest.raises(error) as caught:
        run(api(stats=httpx.Response(status, json={"detail": "nope"})))
    assert type(caught.value) is error


def test_credits_column_is_found_by_unit_even_when_renamed_and_reordered():
    lines = run(api(usage="usage_by_product_renamed", stats="character_stats_empty"))
    assert [(line.day, line.line_item, line.cost_usd) for line in lines] == [
        (FIRST, "eleven_turbo_v2_5 / text-to-speech", Decimal("0.060")),  # 200 credits, not the 0.75 "credits" ratio
        (LAST, "eleven_turbo_v2_5 / text-to-speech", Decimal("0.01215")),
    ]


@pytest.mark.parametrize(
    ("stamp", "unit"),
    [
        (1785715200, "s"),
        ("1785715200", "s"),
        (1785715200000, "ms"),
        ("2026-08-03 00:00:00", None),
        ("2026-08-03T02:00:00+02:00", "s"),
    ],
)
def test_timestamps_may_be_iso_strings_or_epoch_numbers_per_column_unit(stamp, unit):
    usage = table([[stamp, "text-to-speech", "m1", 1.5]], units=(unit, None, None, "credits"))
    [line] = run(api(usage=usage, stats="character_stats_empty"))
    assert (line.day, line.cost_usd) == (LAST, Decimal("0.00045"))


# --- price ------------------------------------------------------------------------------------------------------


def test_price_is_derived_from_the_subscription_invoice_when_not_configured():
    im = api()
    assert price(im) == (Decimal("0.22"), "subscription: creator plan $22.00 / 100,000 credits")
    line = by_item(run(im, settings=UNPRICED))[(FIRST, "eleven_multilingual_v2 / text-to-speech")]
    assert line.cost_usd == Decimal("0.02761")  # 125.5 x 0.22 / 1000


def test_price_is_what_the_invoice_charges_after_discounts_before_tax():
    # subtotal $22.00 before a 10% discount; $19.80 after it, plus $3.96 VAT: $23.76 due
    usd, why = price(api(subscription="subscription_discounted"))
    assert usd == Decimal("0.198")  # 1980 cents / 100,000 credits, not the undiscounted 2200
    assert why == "subscription: creator plan $19.80 / 100,000 credits"


@pytest.mark.parametrize(
    "change", [{"amount_due_cents": None}, {"amount_due_cents": "2200"}, {"tax_cents": -1}], ids=["none", "text", "neg"]
)
def test_an_invoice_amount_that_is_not_whole_cents_fails_naming_the_field(change):
    sub = _creator(**{f"invoice_{k}": v for k, v in change.items()})
    with pytest.raises(ProviderResponseError, match=f"next_invoice.{next(iter(change))}"):
        price(api(subscription=sub))


def test_a_subscription_in_another_currency_fails_the_fetch_instead_of_storing_unpriced_credits():
    with pytest.raises(ProviderResponseError, match="currency is 'eur'"):
        run(api(subscription=_creator(currency="eur")), settings=UNPRICED)


def test_price_uses_the_setting_and_names_it():
    assert price(api(), PRICED) == (Decimal("0.30"), "ELEVENLABS_USD_PER_1K_CREDITS")


def test_price_falls_back_to_amount_due_when_subtotal_is_missing():
    sub = load("subscription_creator")
    sub["next_invoice"].update(subtotal_cents=None, amount_due_cents=9900)
    sub.update(tier="pro", character_limit=500000)
    assert price(api(subscription=sub)) == (Decimal("0.198"), "subscription: pro plan $99.00 / 500,000 credits")


def test_annual_invoice_is_spread_over_its_monthly_credit_refills():
    sub = load("subscription_creator")
    sub["billing_period"] = "annual_period"
    sub["next_invoice"].update(subtotal_cents=26400, amount_due_cents=26400)
    usd, why = price(api(subscription=sub))
    assert usd == Decimal("0.22")
    assert why == "subscription: creator plan $264.00 / 1,200,000 credits"


def _creator(**changes) -> dict:
    sub = copy.deepcopy(load("subscription_creator"))
    for key, value in changes.items():
        if key.startswith("invoice_"):
            sub["next_invoice"][key.removeprefix("invoice_")] = value
        else:
            sub[key] = value
    return sub


@pytest.mark.parametrize(
    "subscription",
    [
        "subscription_free",
        _creator(character_limit=0),
        _creator(next_invoice=None),
        _creator(currency="eur"),
        _creator(invoice_subtotal_cents=0, invoice_amount_due_cents=0),
    ],
    ids=["free-tier", "zero-limit", "no-invoice", "not-usd", "zero-invoice"],
)
def test_unpriceable_subscription_asks_for_the_price_setting(subscription):
    with pytest.raises(ProviderResponseError, match="ELEVENLABS_USD_PER_1K_CREDITS") as caught:
        price(api(subscription=subscription))
    assert "cannot price ElevenLabs credits" in str(caught.value)


@pytest.mark.parametrize("subscription", ["subscription_free", _creator(next_invoice=None)], ids=["free", "no-invoice"])
def test_unpriceable_usage_is_stored_as_unpriced_credits_never_as_zero_spend(subscription):
    priced = run(api())
    unpriced = run(api(subscription=subscription), settings=UNPRICED)
    assert [(x.day, x.line_item) for x in unpriced] == [(x.day, x.line_item) for x in priced]
    assert {x.cost_source for x in unpriced} == {"unpriced"}
    assert all(x.cost_usd == 0 and x.unit == "credits" for x in unpriced)
    assert [x.quantity for x in unpriced] == [x.quantity for x in priced]
    assert sum(x.quantity for x in unpriced) > 0


def test_derived_lines_carry_their_credits_so_the_price_can_be_shown():
    lines = run(api())
    for line in lines:
        if line.quantity:
            assert line.cost_usd == line.quantity * PRICED.elevenlabs_usd_per_1k_credits / 1000


# --- failures ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_fail_after_one_request_without_leaking_the_key(status):
    im = api()
    im.fail_once("elevenlabs", status)  # the usage query, the first request when a price is set
    with pytest.raises(ProviderAuthError, match="ELEVENLABS_API_KEY") as caught:
        run(im)
    assert paths(im) == [USAGE]
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)


def test_rate_limit_honours_retry_after_then_succeeds():
    slept: list[float] = []
    im = api()
    im.fail_once("elevenlabs", 429, retry_after="7")  # answered in ElevenLabs' shape: {"detail": {"system_busy"}}
    lines = run(im, policy=RetryPolicy(sleep=slept.append))
    assert slept == [7.0]
    assert paths(im).count(USAGE) == 2
    assert sum(line.cost_usd for line in lines) == Decimal("0.36165")


def test_repeated_server_errors_become_unavailable_after_bounded_retries():
    slept: list[float] = []
    im = api()
    im.down("elevenlabs")
    with pytest.raises(ProviderUnavailable) as caught:
        run(im, policy=RetryPolicy(sleep=slept.append))
    assert paths(im) == [USAGE] * 4 and len(slept) == 3
    assert KEY not in str(caught.value)


def test_timeout_becomes_unavailable():
    im = api()
    im.hang("elevenlabs")
    with pytest.raises(ProviderUnavailable, match="timed out"):
        run(im)


def test_malformed_json_is_a_response_error():
    im = api()
    im.malformed("elevenlabs")
    with pytest.raises(ProviderResponseError, match="malformed JSON"):
        run(im)


@pytest.mark.parametrize(
    ("usage", "message"),
    [
        ([1, 2], "not an object"),
        (table([], units=("s", "", "", "")), "no column in credits"),
        ({**table([]), "column_units": None}, "column_units"),
        ({**table([]), "rows": {"0": []}}, "rows is not a list"),
        (table(["2026-08-01T00:00:00Z"]), "not a list of 4 values"),
        (table([["2026-08-01T00:00:00Z", "tts", "m1"]]), "not a list of 4 values"),
        (table([["2026-08-01T00:00:00Z", "tts", "m1", "12,5"]]), "expected a decimal number"),
        (table([["2026-08-01T00:00:00Z", "tts", "m1", "NaN"]]), "finite"),
        (table([["2026-08-01T00:00:00Z", "tts", "m1", "-3"]]), "negative credits"),
        (table([["yesterday", "tts", "m1", "3"]]), "neither ISO 8601 nor epoch"),
    ],
    ids=[
        "not-object",
        "no-credits-unit",
        "no-units",
        "rows-not-list",
        "row-not-list",
        "short-row",
        "comma-number",
        "nan",
        "negative",
        "bad-timestamp",
    ],
)
def test_malformed_usage_table_is_a_one_line_response_error(usage, message):
    with pytest.raises(ProviderResponseError, match=message) as caught:
        run(api(usage=usage))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("stats", "message"),
    [
        ({"time": [1785542400000], "usage": {"m1": [1, 2]}}, "do not match"),
        ({"time": [1785542400000], "usage": {"m1": [-1]}}, "whole number"),
        ({"time": [1785542400000], "usage": {"m1": [1.5]}}, "whole number"),
        ({"time": "today", "usage": {}}, "did not return"),
    ],
    ids=["length-mismatch", "negative", "fractional", "not-a-list"],
)
def test_malformed_request_counts_fail_the_fetch(stats, message):
    with pytest.raises(ProviderResponseError, match=message):
        run(api(stats=stats))
