"""Hostile provider payloads: each gives one clear error line, never a stored figure."""

import json
from datetime import date
from decimal import Decimal

import httpx
import pytest

from core.config import Settings
from core.errors import ProviderResponseError
from core.providers import openai
from tests.conftest import NO_SLEEP

SETTINGS = Settings(openai_admin_key="sk-admin-test-0000000000000000")
DAY = date(2026, 10, 1)


def costs_page(amount) -> dict:
    result = {
        "object": "organization.costs.result",
        "amount": {"value": amount, "currency": "usd"},
        "line_item": "gpt-4o, input",
        "project_id": None,
        "api_key_id": None,
    }
    bucket = {"object": "bucket", "start_time": 1790812800, "end_time": 1790899200, "results": [result]}
    return {"object": "page", "data": [bucket], "has_more": False, "next_page": None}


@pytest.mark.parametrize(
    "amount",
    ["NaN", "Infinity", "1e15", -1e12, "12,50", None, [1], {"v": 1}, True],
    ids=["nan", "inf", "absurd", "absurd-negative", "comma", "null", "list", "object", "bool"],
)
def test_malformed_amounts_are_refused_in_one_line(amount):
    def handler(request: httpx.Request) -> httpx.Response:
        body = (
            costs_page(amount)
            if request.url.path.endswith("/costs")
            else {"object": "page", "data": [], "has_more": False, "next_page": None}
        )
        return httpx.Response(200, content=json.dumps(body, allow_nan=True))

    with openai.client(SETTINGS, httpx.MockTransport(handler)) as http, pytest.raises(ProviderResponseError) as err:
        openai.fetch(http, DAY, DAY, SETTINGS, NO_SLEEP)
    assert "\n" not in str(err.value) and "sk-admin" not in str(err.value)


def test_a_huge_page_is_parsed_without_losing_a_cent():
    page = costs_page("0.000001")
    page["data"][0]["results"] = [
        {**page["data"][0]["results"][0], "line_item": f"model-{i}, input"} for i in range(20_000)
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/costs"):
            return httpx.Response(200, json=page)
        empty_day = [{**page["data"][0], "results": []}]  # usage lists the day too, with nothing in it
        return httpx.Response(200, json={"object": "page", "data": empty_day, "has_more": False, "next_page": None})

    with openai.client(SETTINGS, httpx.MockTransport(handler)) as http:
        lines = openai.fetch(http, DAY, DAY, SETTINGS, NO_SLEEP).lines
    assert len(lines) == 20_000
    assert sum(x.cost_usd for x in lines) == Decimal("0.02")  # 20,000 x $0.000001, exactly
