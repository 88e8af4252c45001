"""Money, numbers, percentages, dates and times in each language, from CLDR data."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.i18n.formats import (
    Formats,
    format_date,
    format_datetime,
    format_list,
    format_money,
    format_month,
    format_number,
    format_of_month,
    format_percent,
    month_name,
    plotly_separators,
)

NNBSP, NBSP = "\u202f", "\xa0"  # CLDR French: narrow no-break space between thousands, no-break before units


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("en", Decimal("75.58"), "$75.58"),
        ("fr", Decimal("75.58"), f"75,58{NBSP}$US"),
        ("en", Decimal("8745.565"), "$8,745.56"),  # half-even, to the cent
        ("fr", Decimal("8745.575"), f"8{NNBSP}745,58{NBSP}$US"),
        ("en", Decimal("-3.2"), "-$3.20"),
        ("fr", Decimal("-3.2"), f"-3,20{NBSP}$US"),
        ("en", None, "—"),
        ("en", 0, "$0.00"),
    ],
)
def test_money_follows_the_language(language, value, expected):
    assert format_money(value, language) == expected


def test_money_signs_and_exact_amounts():
    assert format_money(Decimal("3.2"), "en", signed=True) == "+$3.20"
    assert format_money(Decimal("3.2"), "fr", signed=True) == f"+3,20{NBSP}$US"
    assert format_money(Decimal("0"), "en", signed=True) == "$0.00"  # nothing to sign
    assert format_money(Decimal("0.0034215"), "en", exact=True) == "$0.003422"  # six decimals for a single run
    assert format_money(Decimal("1.5"), "fr", exact=True) == f"1,50{NBSP}$US"  # never fewer than cents
    assert format_money(Decimal("0.001"), "en") == "$0.00"


def test_numbers_and_percentages():
    assert format_number(8745, "en") == "8,745"
    assert format_number(8745, "fr") == f"8{NNBSP}745"
    assert format_number(Decimal("1234.5"), "fr") == f"1{NNBSP}234,5"
    assert format_number(None, "fr") == "—"
    assert format_percent(Decimal("80.2"), "en") == "80.2%"
    assert format_percent(Decimal("80.2"), "fr") == f"80,2{NBSP}%"
    assert format_percent(Decimal("12.345"), "fr", signed=True) == f"+12,3{NBSP}%"
    assert format_percent(Decimal("-8.84"), "en", signed=True, digits=2) == "-8.84%"
    assert format_percent(None, "en") == "—"


def test_dates_and_month_names_have_no_english_in_french():
    day = date(2026, 10, 20)
    assert format_date(day, "fr", "weekday") == "mar. 20 oct. 2026"
    assert format_date(day, "en", "weekday") == "Tue, Oct 20, 2026"
    assert format_date(day, "fr", "day") == "20 oct."
    assert format_date(day, "fr") == "20 oct. 2026"
    assert format_month(day, "fr") == "octobre 2026" and format_month(day, "en") == "October 2026"
    assert month_name(date(2026, 8, 1), "fr") == "août"
    assert format_of_month(date(2026, 10, 1), "fr") == "d'octobre 2026"
    assert format_of_month(date(2026, 3, 1), "fr") == "de mars 2026"
    assert format_of_month(date(2026, 3, 1), "en") == "March 2026"


def test_timestamps_in_the_viewers_zone_with_their_utc_twin():
    moment = datetime(2026, 10, 20, 14, 3, tzinfo=UTC)
    paris = ZoneInfo("Europe/Paris")
    assert format_datetime(moment, "fr", paris) == "20 oct. 2026, 16:03"
    assert format_datetime(moment, "fr", paris, utc_suffix=True) == "20 oct. 2026, 16:03 UTC+02:00"
    assert format_datetime(moment, "en", UTC, utc_suffix=True) == f"Oct 20, 2026, 2:03{NNBSP}PM UTC"
    naive = datetime(2026, 1, 5, 23, 30)  # the store's naive times are UTC
    assert format_datetime(naive, "fr", paris) == "6 janv. 2026, 00:30"
    f = Formats("fr", paris)
    assert f.datetime_utc(moment) == "20 oct. 2026, 14:03 UTC" and f.tz_name == "Europe/Paris"


def test_lists_and_chart_separators():
    assert format_list(["a", "b", "c"], "en") == "a, b, and c"
    assert format_list(["a", "b"], "fr") == "a et b"
    assert plotly_separators("en") == ".," and plotly_separators("fr") == f",{NNBSP}"


def test_translator_writes_numbers_the_languages_way_and_chooses_plurals():
    en, fr = Formats("en").t, Formats("fr").t
    assert en("vs_previous", count=1) == "vs the previous day"
    assert en("vs_previous", count=7) == "vs the previous 7 days"
    assert fr("vs_previous", count=1) == "par rapport à la veille"
    assert fr("vs_previous", count=30) == "par rapport aux 30 jours précédents"
    assert fr("range_days", count=1) == "1 jour" and en("range_days", count=1) == "1 day"
    assert fr("runs_count", count=0) == "0 exécution"  # French: 0 takes the singular
    assert en("runs_count", count=0) == "0 runs"
    assert en("runs_count", count=8745) == "8,745 runs"
    assert fr("runs_count", count=8745) == f"8{NNBSP}745 exécutions"
    assert fr("coverage_part", share=Decimal("78.8"), source="x") == "78,8 % x"
