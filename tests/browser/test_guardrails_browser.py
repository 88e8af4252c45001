"""The Overview's budget card in a real browser (Chromium via Playwright). Run alone with ``pytest -m browser``."""

import json
import re

import pytest

from core.cli import main as cli
from core.periods import month_end, utc_today
from tests.browser.conftest import settle, shoot

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = pytest.mark.browser


def test_overview_budget_card_shows_progress_forecast_and_days_left(start_app, page, capsys):
    app = start_app()
    env = {"DATABASE_URL": app.env["DATABASE_URL"]}
    assert cli(["budget", "set", "total", "300"], environ=env) == 0
    assert cli(["forecast", "--json"], environ=env) == 0
    f = json.loads(capsys.readouterr().out)
    page.goto(app.url)
    settle(page)
    card = page.locator(".st-key-budget_card")
    expect(card).to_be_visible(timeout=20_000)
    bar = card.locator('[data-testid="stProgress"]')
    expect(bar).to_be_visible(timeout=20_000)
    spent = float(f["month_to_date_usd"])
    expect(card).to_contain_text(f"${spent:,.2f} of $300.00 budget")
    expect(card).to_contain_text(re.compile(r"Forecast \$[\d,]+\.\d\d \(likely \$[\d,]+\.\d\d – \$[\d,]+\.\d\d\)"))
    left = f["days_in_month"] - f["days_elapsed"]
    expect(card).to_contain_text(f"{left} day{'s' if left != 1 else ''} left")
    assert "\\$" not in card.inner_text()  # Markdown escapes do not show
    if spent > 300:
        expect(card).to_contain_text("Over budget by")
    chart = page.locator(".js-plotly-plot")
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible(timeout=20_000)
    traces = page.evaluate("() => document.querySelector('.js-plotly-plot').data.map(t => t.name)")
    assert ("Forecast" in traces) == (utc_today() != month_end(utc_today()))
    shoot(page, "overview-budget")
