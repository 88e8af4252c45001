"""In a real browser: French pages and charts, phones at 390 px (sidebar, table toolbars, chart mode bar), the
email on a phone, provider text that stays text, and every asset served by the app itself."""

import re
import threading
import time
import typing
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from core.config import Settings
from core.report import monthly_report
from core.report_email import render
from core.store.db import open_store
from tests.browser.conftest import collect_now, settle, shoot
from tests.fakes import FakeApify, run_item

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PAGES = ("/", "/runs", "/report?month=2026-10", "/settings")


def boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, timezone_id="Europe/Paris")
    yield context.new_page()
    context.close()


@pytest.fixture
def touch_phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Europe/Paris")
    yield context.new_page()
    context.close()


def test_every_asset_is_served_by_the_app_itself(start_app, page):
    mail = {"RESEND_API_KEY": "re_test_key", "REPORT_EMAIL_TO": "ana@example.com"}
    app = start_app(REPORT_EMAIL_FROM="Spend Bot <reports@example.com>", **mail)
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((app.url, "data:", "blob:")) else elsewhere.append(r.url))
    for path in PAGES:
        page.goto(app.url + path)
        settle(page)
    icon = page.locator('link[rel~="icon"]').first.get_attribute("href") or ""
    assert not icon.startswith("http") or icon.startswith(app.url), icon
    assert elsewhere == []
    expect(page.get_by_text("Spend Bot <reports@example.com>", exact=False)).to_be_visible()  # the settings page


def test_french_pages_in_both_widths(start_app, browser):
    app = start_app(APP_LANGUAGE="fr")
    for width, name in ((1400, "desktop"), (390, "phone")):
        context = browser.new_context(viewport={"width": width, "height": 1000}, timezone_id="Europe/Paris")
        page = context.new_page()
        page.goto(app.url)
        settle(page)
        expect(page.locator('[data-testid="stMetricLabel"]').first).to_have_text("Total dépensé", timeout=20_000)
        chart = page.locator(".js-plotly-plot").first
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible(timeout=20_000)
        ticks = chart.evaluate("el => el.layout.xaxis2.ticktext")
        assert ticks and all(
            any(
                m in t
                for m in (
                    "janv.",
                    "févr.",
                    "mars",
                    "avr.",
                    "mai",
                    "juin",
                    "juil.",
                    "août",
                    "sept.",
                    "oct.",
                    "nov.",
                    "déc.",
                )
            )
            for t in ticks
        ), ticks
        shoot(page, f"fr-overview-{name}")
        page.goto(f"{app.url}/report?month=2026-10")
        settle(page)
        expect(page.get_by_role("combobox", name="Mois")).to_have_value("octobre 2026", timeout=20_000)
        shoot(page, f"fr-report-{name}")
        context.close()


def test_the_sidebar_closes_after_choosing_a_page_on_a_narrow_screen(start_app, phone):
    app = start_app()
    phone.goto(app.url)
    settle(phone)
    sidebar = phone.locator('[data-testid="stSidebar"]')
    phone.locator('[data-testid="stExpandSidebarButton"]').click()
    expect(sidebar).to_have_attribute("data-collapsed", "false", timeout=10_000)
    phone.locator('[data-testid="stSidebarNavLink"]', has_text="Monthly report").click()
    settle(phone)
    expect(sidebar).to_have_attribute("data-collapsed", "true", timeout=10_000)
    expect(phone.locator('[data-testid="stMetricLabel"]').first).to_be_in_viewport()
    shoot(phone, "phone-report")


def test_table_toolbars_leave_the_caption_above_them_readable(start_app, touch_phone):
    app = start_app()
    touch_phone.goto(f"{app.url}/report?month=2026-10")
    settle(touch_phone)
    tables = touch_phone.locator('[data-testid="stDataFrame"]')
    expect(tables.first).to_be_visible(timeout=20_000)
    tables.first.scroll_into_view_if_needed()
    tables.first.tap()
    time.sleep(0.5)
    toolbars = touch_phone.locator('[data-testid="stElementToolbar"]')
    texts = touch_phone.locator(
        '[data-testid="stCaptionContainer"], [data-testid="stMarkdownContainer"], [data-testid="stMetric"]'
    )
    text_boxes = [b for b in (texts.nth(i).bounding_box() for i in range(texts.count())) if b]
    assert toolbars.count() >= 3
    for i in range(toolbars.count()):
        box = toolbars.nth(i).bounding_box()
        assert box and not [text for text in text_boxes if boxes_overlap(box, text)], (i, box)
    assert touch_phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("width", [1400, 390])
def test_the_chart_mode_bar_stays_clear_of_the_legend(start_app, browser, width):
    app = start_app()
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    page.goto(f"{app.url}/report?month=2026-10")
    settle(page)
    charts = page.locator(".js-plotly-plot")
    expect(charts.first).to_be_visible(timeout=20_000)
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        chart.hover()
        bar, legend = chart.locator(".modebar"), chart.locator(".legend")
        if not (bar.count() and legend.count()):
            continue
        for _ in range(10):  # measured once the chart has stopped resizing (a busy machine redraws late)
            time.sleep(0.5)
            if not boxes_overlap(bar.first.bounding_box(), legend.first.bounding_box()):
                break
        else:
            pytest.fail(f"chart {i}: the mode bar covers the legend")
    context.close()


def test_the_email_reads_on_a_phone_without_scrolling_sideways(tmp_path, phone):
    from core.cli import main

    url = f"sqlite:///{tmp_path / 'mail.db'}"
    assert main(["demo"], environ={"DATABASE_URL": url}) == 0
    store = open_store(url)
    for language in ("en", "fr"):
        settings = Settings(database_url=url, app_language=language, app_base_url="https://spend.example.com")
        mail = render(monthly_report(store, date(2026, 10, 1)), settings)
        phone.set_content(mail.html)
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], language
        phone.screenshot(path=str(tmp_path / f"email-{language}.png"), full_page=True)
        shoot(phone, f"email-{language}-phone")
    store.dispose()


class _Trap(BaseHTTPRequestHandler):
    hits: typing.ClassVar[list[str]] = []

    def do_GET(self):
        _Trap.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_providers_error_body_stays_text_in_the_browser(start_app, page):
    trap = ThreadingHTTPServer(("127.0.0.1", 0), _Trap)
    threading.Thread(target=trap.serve_forever, daemon=True).start()
    evil = f"http://127.0.0.1:{trap.server_port}/evil.png"
    hostile = f"![pixel]({evil}) <img src={evil}> :red[boom]"
    fake = FakeApify([run_item("b1", datetime.now(UTC) - timedelta(hours=1), 0.5)])
    fake.fail_next = [httpx.Response(401, json={"error": {"type": "token-not-valid", "message": hostile}})]
    try:
        collect_now(start_app, page, fake)
        summary = page.get_by_role("button", name=re.compile("^Nothing collected; failed: Apify"))
        expect(summary).to_be_visible(timeout=30_000)
        summary.click()
        expect(page.get_by_text(hostile, exact=False).first).to_be_visible(timeout=10_000)
        time.sleep(1)
        assert _Trap.hits == [] and page.locator(f'img[src="{evil}"]').count() == 0
        shoot(page, "collect-failed-details")
    finally:
        trap.shutdown()


# ---------------------------------------------------------------- every page, both languages, both widths

CHECKED = ", ".join(
    f'[data-testid="{testid}"]'
    for testid in (
        "stHeading",
        "stMetric",
        "stCaptionContainer",
        "stMarkdownContainer",
        "stAlert",
        "stButton",
        "stDownloadButton",
        "stPopover",
        "stSelectbox",
        "stDateInput",
        "stTextInput",
        "stDataFrame",
        "stPlotlyChart",
        "stCode",
        "stProgress",
    )
)
_OVERLAPS = """(selector) => {
    const shown = [...document.querySelectorAll(selector)].filter((e) => {
        const r = e.getBoundingClientRect(), s = getComputedStyle(e);
        return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
    });
    const found = [];
    for (let i = 0; i < shown.length; i++) {
        for (let j = i + 1; j < shown.length; j++) {
            const a = shown[i], b = shown[j];
            if (a.contains(b) || b.contains(a)) continue;
            const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
            const x = Math.min(p.right, q.right) - Math.max(p.left, q.left);
            const y = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
            if (x > 1 && y > 1) {
                found.push([a.dataset.testid, a.innerText.slice(0, 50), b.dataset.testid, b.innerText.slice(0, 50)]);
            }
        }
    }
    return found;
}"""


def english_only_phrases() -> list[str]:
    """Catalogue texts of two words or more that French words differently: none may show on a French page."""
    from core.i18n import catalogue

    en, fr = catalogue()["en"], catalogue()["fr"]
    french = " ".join(str(v) for v in fr.values())
    phrases = set()
    for value in en.values():
        for text in value.values() if isinstance(value, dict) else [value]:
            for part in re.split(r"\{[^}]*\}|[.:;()…—·\n]", text):
                part = part.strip(" ,'\"`")
                if len(part.split()) >= 2 and part not in french and not re.search(r"[A-Z_]{4,}|\.toml", part):
                    phrases.add(part)
    return sorted(phrases)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_in_both_widths_has_no_overlapping_elements(start_app, browser, language):
    app = start_app(APP_LANGUAGE=language)
    english = english_only_phrases() if language == "fr" else []
    for width in (1400, 390):
        context = browser.new_context(viewport={"width": width, "height": 1000}, timezone_id="Europe/Paris")
        page = context.new_page()
        for path in PAGES:
            page.goto(app.url + path)
            settle(page)
            expect(page.locator('[data-testid="stHeading"]').first).to_be_visible(timeout=20_000)
            if path in ("/", "/report?month=2026-10"):
                expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=20_000)
                time.sleep(1)  # Plotly lays its chart out once more after it appears
            name = path.strip("/").split("?")[0] or "overview"
            shoot(page, f"{language}-{name}-{width}")
            assert page.evaluate(_OVERLAPS, CHECKED) == [], (language, width, path)
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width, (language, width, path)
            text = page.locator('[data-testid="stMain"]').inner_text()
            assert [phrase for phrase in english if phrase in text] == [], (width, path)
            if language == "fr" and path != "/settings":
                assert "$US" in text and "$" not in text.replace("$US", ""), path  # money the French way
        context.close()
