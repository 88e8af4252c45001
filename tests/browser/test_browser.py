"""What a person sees in a real browser (Chromium via Playwright). Run alone with ``pytest -m browser``."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.conftest import collect_now, settle, shoot
from tests.fakes import FakeApify, run_item

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = pytest.mark.browser
TOKEN = "browser-report-token-42"
PASSWORD = "browser-password-42"


def metric_value(page) -> str:
    value = page.locator('[data-testid="stMetricValue"]').first
    expect(value).to_be_visible(timeout=20_000)
    return value.inner_text().strip()


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def sidebar_links(page) -> list[str]:
    return page.locator('[data-testid="stSidebarNavLink"] span[label]').evaluate_all(
        "els => els.map(e => e.getAttribute('label'))"
    )


def test_navigation_shows_exactly_the_intended_pages(start_app, page):
    app = start_app()
    page.goto(app.url)
    settle(page)
    expect(page.locator('[data-testid="stSidebarNavLink"]')).to_have_count(4, timeout=20_000)
    assert sidebar_links(page) == ["Overview", "Scraper runs", "Monthly report", "Settings & status"]
    shoot(page, "overview")


def test_a_deep_link_as_the_servers_first_visit_runs_through_the_entry_script(start_app, page):
    # Guards core.ui.services.leave_legacy_multipage_mode (a private Streamlit flag): without it, the first visit
    # of a fresh server to /report runs pages/report.py alone, with Streamlit's own list of the page files.
    app = start_app()
    page.goto(f"{app.url}/report?month=2026-10")
    settle(page)
    expect(page.locator('[data-testid="stSidebarNavLink"]')).to_have_count(4, timeout=20_000)
    assert sidebar_links(page) == ["Overview", "Scraper runs", "Monthly report", "Settings & status"]
    expect(page.get_by_role("heading", name="Monthly report").first).to_be_visible(timeout=20_000)


def test_total_spent_changes_with_the_period_and_the_chart_has_every_day(start_app, page):
    app = start_app()
    page.goto(app.url)
    settle(page)
    values = {}
    for option in ("Today", "Last 7 days", "Last 30 days", "All time"):
        choose(page, "Period", option)
        values[option] = metric_value(page)
    assert all(v.startswith("$") for v in values.values())
    assert len(set(values.values())) == 4, values
    for option, days in (("7 days", 7), ("30 days", 30), ("90 days", 90)):
        choose(page, "Range", option)
        points = page.evaluate("() => document.querySelector('.js-plotly-plot').data[0].x.length")
        assert points == days


def test_report_needs_the_token_and_shows_the_figures_with_it(start_app, page):
    app = start_app(REPORT_SECRET_TOKEN=TOKEN, APP_PASSWORD=PASSWORD)
    page.goto(f"{app.url}/report?month=2026-10")
    page.wait_for_url("**/auth/password?**")  # no token, not signed in: the way in is the password form
    assert page.locator('[data-testid="stMetricValue"]').count() == 0
    shoot(page, "report-denied")
    page.goto(f"{app.url}/report?month=2026-10&token={TOKEN}")
    settle(page)
    expect(page.locator('[data-testid="stMetricLabel"]').first).to_have_text("Total", timeout=20_000)
    assert metric_value(page).startswith("$")
    assert sidebar_links(page) == []  # the token opens the report only
    assert page.get_by_role("button", name="Collect now").count() == 0
    assert TOKEN not in page.url  # removed from the address bar
    assert TOKEN not in page.content()
    shoot(page, "report")


def test_password_gate(start_app, page):
    app = start_app(APP_PASSWORD=PASSWORD)
    page.goto(app.url)
    page.wait_for_url("**/auth/password?next=/")
    assert page.locator('[data-testid="stMetricValue"]').count() == 0
    field = page.get_by_role("textbox", name="Password")
    field.fill("not-it")
    field.press("Enter")
    expect(page.get_by_text("Wrong password.")).to_be_visible(timeout=20_000)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    expect(page.locator('[data-testid="stMetricLabel"]').first).to_have_text("Total spent", timeout=20_000)
    assert PASSWORD not in page.content()


def test_collect_button_shows_progress_and_the_result(start_app, page):
    now = datetime.now(UTC)
    fake = FakeApify([run_item(f"b{i}", now - timedelta(hours=i), 0.5) for i in range(4)])
    app = collect_now(start_app, page, fake)
    summary = page.get_by_role("button", name=re.compile("^1 provider collected"))  # one line, details on demand
    expect(summary).to_be_visible(timeout=30_000)
    summary.click()
    expect(page.get_by_text("Apify: collected")).to_be_visible(timeout=10_000)
    assert any(r.url.path == "/v2/actor-runs" for r in fake.requests)
    shoot(page, "collected")
    page.goto(app.url)  # a new session: the recorded status
    settle(page)
    assert "— ok" in page.get_by_text("Last collection:").inner_text()
