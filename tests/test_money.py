from decimal import Decimal

import pytest

from core.money import change_percent, format_json, format_usd, parse_usd


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0.1, "0.1"), ("12.50", "12.50"), (3, "3"), (0.0761284, "0.0761284"), ("1e-7", "1E-7"), (" 2.5 ", "2.5")],
)
def test_parse_usd_keeps_the_providers_digits(raw, expected):
    assert parse_usd(raw) == Decimal(expected)


@pytest.mark.parametrize("bad", [None, True, "abc", "NaN", "Infinity", float("nan"), [], {}, 1e15, "-1000000000"])
def test_parse_usd_rejects_non_numbers(bad):
    with pytest.raises(ValueError):
        parse_usd(bad)


def test_json_money_has_full_precision_and_at_least_six_decimals():
    assert format_json(Decimal("12.5")) == "12.500000"
    assert format_json(Decimal("0.0761284")) == "0.0761284"
    assert format_json(Decimal("0E-9")) == "0.000000"
    assert format_json(Decimal("1234567.123456789")) == "1234567.123456789"


def test_display_money_rounds_to_the_cent_only_for_display():
    assert format_usd(Decimal("1234.565")) == "$1,234.56"  # half-even
    assert format_usd(Decimal("-3.2"), signed=True) == "-$3.20"
    assert format_usd(Decimal("3.2"), signed=True) == "+$3.20"


def test_change_percent_is_null_without_a_previous_figure():
    assert change_percent(Decimal("112.34"), Decimal("100")) == Decimal("12.34")
    assert change_percent(Decimal("50"), Decimal("0")) is None
    assert change_percent(Decimal("50"), None) is None
    assert change_percent(Decimal("0"), Decimal("3")) == Decimal("-100.00")
