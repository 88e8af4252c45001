"""Charts speak the app's language: French days and numbers, axis titles, one date per hover, every day labelled
on a week, the last day always labelled; one colour-blind-safe colour per provider, shared with the email."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from core import charts
from core.i18n.formats import Formats
from core.models import ChartPoint
from core.palette import PROVIDER_COLOURS, colour
from core.providers import NAMES

ENGLISH_DATE_WORDS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b")
FR = Formats("fr")


def points(n: int, last: date = date(2026, 10, 20)) -> list[ChartPoint]:
    return [
        ChartPoint(last - timedelta(days=n - 1 - i), Decimal("1234.5") + i, i, None if i % 2 else 8745)
        for i in range(n)
    ]


def spec(fig) -> dict:
    return json.loads(fig.to_json())


def test_french_chart_has_no_english_date_names_and_french_numbers():
    fig = spec(charts.spending_area(points(30), FR))
    text = json.dumps(fig, ensure_ascii=False)
    assert not ENGLISH_DATE_WORDS.search(text), ENGLISH_DATE_WORDS.search(text)
    assert fig["layout"]["separators"] == ",\u202f"
    assert fig["layout"]["xaxis2"]["title"]["text"] == "Jour (UTC)"
    assert fig["layout"]["yaxis"]["title"]["text"] == "Coût (USD)"
    hover = fig["data"][0]["customdata"][0]
    assert hover == "Coût : 1\u202f234,50\xa0$US<br>Exécutions : 0<br>Requêtes : 8\u202f745"


def test_one_date_per_hover_the_days_title():
    fig = spec(charts.spending_area(points(7), FR))
    assert fig["layout"]["hovermode"] == "x unified"  # the day is the hover's title...
    assert fig["data"][0]["x"][-1] == "mar. 20 oct. 2026"
    assert "%{x" not in fig["data"][0]["hovertemplate"]  # ...and not repeated in its lines
    assert not any(re.search(r"\d{4}", h) for h in fig["data"][0]["customdata"])


@pytest.mark.parametrize("n", [7, 30, 90])
def test_the_last_day_is_always_labelled_and_every_day_on_a_week(n):
    fig = spec(charts.spending_area(points(n), Formats("en")))
    axis = fig["layout"]["xaxis2"]  # the tick labels' axis, laid over the data's (whose hover titles stay full dates)
    assert "tickvals" not in fig["layout"]["xaxis"] and axis["overlaying"] == "x" and axis["matches"] == "x"
    assert axis["tickvals"][-1] == fig["data"][0]["x"][-1] == "Tue, Oct 20, 2026"
    assert axis["ticktext"][-1] == "Oct 20"
    if n == 7:
        assert axis["tickvals"] == fig["data"][0]["x"]  # every day of a week
    assert 5 <= len(axis["tickvals"]) <= 8  # readable on a phone


def test_provider_daily_lists_each_provider_once_per_day_in_french():
    days = [date(2026, 10, 1) + timedelta(days=i) for i in range(31)]
    series = {"anthropic": [Decimal("8.2")] * 31, "apify": [Decimal(0)] * 31}
    fig = spec(charts.provider_daily(days, series, {"anthropic": "Anthropic", "apify": "Apify"}, FR))
    anthropic = fig["data"][0]
    assert anthropic["customdata"][19] == "8,20\xa0$US" and anthropic["x"][19] == "mar. 20 oct. 2026"
    assert anthropic["hovertemplate"] == "Anthropic : %{customdata}<extra></extra>"
    assert anthropic["marker"]["color"] == colour("anthropic") != fig["data"][1]["marker"]["color"]
    assert fig["layout"]["xaxis2"]["tickvals"][-1] == "sam. 31 oct. 2026"
    ticks_trace = fig["data"][-1]  # feeds the tick axis; never hovered, never in the legend
    assert ticks_trace["xaxis"] == "x2" and ticks_trace["hoverinfo"] == "skip" and not ticks_trace["showlegend"]
    assert fig["layout"]["legend"]["y"] < 0  # legends sit under the plot, clear of the mode bar


def test_donut_percentages_and_hover_in_french():
    costs = {"anthropic": Decimal("130.03"), "openai": Decimal("97.65")}
    fig = spec(charts.provider_share(costs, {"anthropic": "Anthropic", "openai": "OpenAI"}, FR))
    pie = fig["data"][0]
    assert pie["text"] == ["57,1\xa0%", "42,9\xa0%"] and pie["textinfo"] == "text"
    assert pie["customdata"][0] == "130,03\xa0$US (57,1\xa0%)"
    assert pie["marker"]["colors"] == [colour("anthropic"), colour("openai")]
    assert fig["layout"]["legend"]["orientation"] == "h"


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def test_each_provider_has_its_own_colour_far_from_the_others():
    assert set(PROVIDER_COLOURS) == set(NAMES)
    assert len(set(PROVIDER_COLOURS.values())) == len(NAMES)
    for a, b in (("anthropic", "apify"), ("openai", "deepgram")):  # the pairs people mixed up
        distance = sum((x - y) ** 2 for x, y in zip(_rgb(colour(a)), _rgb(colour(b)), strict=True)) ** 0.5
        assert distance > 150, (a, b, distance)
