"""Signing in, in a real browser (Chromium via Playwright) against ``streamlit run``: single sign-on with a local
OpenID Connect provider, the team password, roles, report links. Run alone with ``pytest -m browser``."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from core.models import ScraperRun
from core.store import people as people_store
from core.store import runs as run_store
from core.store.db import open_store
from tests.browser.conftest import settle, shoot
from tests.oidc_provider import OIDCProvider

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright.expect

pytestmark = pytest.mark.browser
PASSWORD = "browser-password-42"
TOKEN = "browser-report-token-42"
ADMIN, VIEWER = "admin@example.com", "viewer@example.com"
AUTH = """
[auth]
redirect_uri = "{url}/oauth2callback"
cookie_secret = "browser-test-cookie-secret-0123456789abcdef"
client_id = "spendboard-test"
client_secret = "spendboard-test-secret"
server_metadata_url = "%s"
"""


def shows(page, first_metric: str) -> bool:
    """Wait until the page's first metric is ``first_metric`` ("Total spent": Overview, "Total": the report)."""
    expect(page.locator('[data-testid="stMetricLabel"]').first).to_have_text(first_metric, timeout=30_000)
    return True


def buttons(page) -> set[str]:
    """The labels of the page's buttons (without their icon's name)."""
    return {b.strip().split("\n")[-1] for b in page.locator('[data-testid="stButton"] button').all_inner_texts()}


def sso_sign_in(page, url: str, email: str) -> None:
    page.goto(url)
    settle(page)
    page.get_by_role("button", name="Sign in with 127.0.0.1").click()
    page.wait_for_url("**/authorize?**", timeout=30_000)  # the identity provider's page
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{url}/", timeout=30_000)  # back from /oauth2callback
    settle(page)


def test_single_sign_on_lasts_across_reloads_and_tabs_and_gives_each_role_its_own_view(start_app, browser):
    with OIDCProvider(client_id="spendboard-test", client_secret="spendboard-test-secret") as idp:
        app = start_app(secrets=AUTH % idp.metadata_url, ADMIN_EMAILS=ADMIN, REPORT_SECRET_TOKEN=TOKEN)
        store = open_store(app.env["DATABASE_URL"])
        people_store.set_owners(store, VIEWER, ["u-viewer"], by="test")
        with store.engine.begin() as conn:  # one run launched by the viewer, among the sample data's
            run = ScraperRun(
                "viewer-run-1", "maps", datetime.now(UTC), "SUCCEEDED", Decimal("1.25"), user_id="u-viewer"
            )
            run_store.upsert_runs(store, conn, [run], keep_labels=False)
        store.dispose()

        # Nobody signed in: only the sign-in screen, and the metrics endpoint is closed.
        anonymous = browser.new_context()
        page = anonymous.new_page()
        page.goto(app.url)
        settle(page)
        expect(page.get_by_text("Sign in to Spendboard")).to_be_visible(timeout=20_000)
        assert page.locator('[data-testid="stMetricValue"]').count() == 0
        assert page.request.get(f"{app.url}/_stcore/metrics").status == 404
        anonymous.close()

        # An admin signs in; reloads, new tabs and the report without a token keep them in.
        admin = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = admin.new_page()
        sso_sign_in(page, app.url, ADMIN)
        assert shows(page, "Total spent")
        assert "Collect now" in buttons(page)
        expect(page.get_by_text(f"Signed in as {ADMIN} (admin)")).to_be_visible()
        shoot(page, "sso-admin")
        page.reload()
        settle(page)
        assert shows(page, "Total spent") and "Collect now" in buttons(page)
        tab = admin.new_page()
        tab.goto(f"{app.url}/report?month=2026-10")  # no token: being signed in is enough
        settle(tab)
        assert shows(tab, "Total")
        assert page.request.get(f"{app.url}/_stcore/metrics").status == 200
        assert idp.signed_in == [ADMIN]  # one sign-in at the provider for all of it

        # Sign out ends it: the sign-in screen, also after a reload.
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_load_state()
        settle(page)
        page.goto(app.url)
        settle(page)
        expect(page.get_by_text("Sign in to Spendboard")).to_be_visible(timeout=20_000)
        assert page.locator('[data-testid="stMetricValue"]').count() == 0
        admin.close()

        # A viewer: the figures (their own runs), no action anywhere.
        viewer = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = viewer.new_page()
        sso_sign_in(page, app.url, VIEWER)
        assert shows(page, "Total spent")
        expect(page.get_by_text("Showing your scraper runs (u-viewer).", exact=False)).to_be_visible()
        assert not {"Collect now", "Load sample data"} & buttons(page)
        assert page.locator("text=Send report email").count() == 0
        shoot(page, "sso-viewer")
        page.goto(f"{app.url}/runs")
        settle(page)
        expect(page.get_by_text(", $1.25 in total", exact=False)).to_be_visible(timeout=20_000)  # their run only
        assert page.get_by_text("Back-fill", exact=False).count() == 0
        page.goto(f"{app.url}/settings")
        settle(page)
        expect(page.get_by_text("Settings & status").first).to_be_visible(timeout=20_000)
        assert page.get_by_text("People and their scraper runs").count() == 0
        viewer.close()


def test_password_sign_in_lasts_across_reloads_and_wrong_passwords_slow_down(start_app, browser):
    app = start_app(APP_PASSWORD=PASSWORD, REPORT_SECRET_TOKEN=TOKEN)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(app.url)
    page.wait_for_url("**/auth/password?next=/")  # a page load without a sign-in lands on the password form
    field = page.get_by_label("Password")
    for _ in range(5):
        field.fill("not-it")
        field.press("Enter")
        expect(page.get_by_role("alert")).to_have_text("Wrong password.")
    field = page.get_by_label("Password")
    field.fill(PASSWORD)  # the right one, too soon: refused unchecked
    field.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("Too many wrong passwords. Wait 1 second, then try again.")
    shoot(page, "password-slowdown")
    time.sleep(1.2)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{app.url}/")
    settle(page)
    assert shows(page, "Total spent") and "Collect now" in buttons(page)
    assert PASSWORD not in page.url and all(PASSWORD not in c["value"] for c in context.cookies())

    page.reload()
    settle(page)
    assert shows(page, "Total spent")
    tab = context.new_page()
    tab.goto(f"{app.url}/report?month=2026-10")
    settle(tab)
    assert shows(tab, "Total")
    assert tab.request.get(f"{app.url}/_stcore/metrics").status == 200

    copied = [c for c in context.cookies() if c["name"] == "spendboard_session"]
    page.get_by_role("button", name="Sign out").click()
    settle(page)
    expect(page.get_by_text("Sign in to Spendboard")).to_be_visible(timeout=20_000)
    page.reload()
    page.wait_for_url("**/auth/password?next=/")
    # The cookie as it was before signing out opens nothing any more.
    other = browser.new_context()
    other.add_cookies(copied)
    assert other.new_page().request.get(f"{app.url}/_stcore/metrics").status == 404
    other.close()
    context.close()


def back(page) -> None:
    """History's Back; the address is what counts. Streamlit's own client-side navigation (and the gate's redirects)
    can abort the page load that Back starts, which Playwright reports as an error although the history moved."""
    with contextlib.suppress(playwright.Error):
        page.go_back(wait_until="commit", timeout=15_000)
    page.wait_for_load_state()
    page.wait_for_timeout(300)  # Streamlit answers a popstate by rewriting the address: read it once that is done


def test_a_report_link_lets_its_reader_reload_and_switch_months_without_the_token_in_history(start_app, page):
    app = start_app(APP_PASSWORD=PASSWORD, REPORT_SECRET_TOKEN=TOKEN)
    page.goto(f"{app.url}/report?month=2026-10")  # no token, not signed in: the password form
    page.wait_for_url("**/auth/password?**")
    page.wait_for_load_state("load")  # a navigation started while a page still loads replaces its history entry
    page.goto(f"{app.url}/report?month=2026-10&token={TOKEN}")
    settle(page)
    assert shows(page, "Total")
    assert TOKEN not in page.url and TOKEN not in page.content()
    assert page.locator('[data-testid="stSidebarNavLink"]').count() == 0  # the report only
    assert page.get_by_role("button", name="Collect now").count() == 0
    first = page.locator('[data-testid="stMetricValue"]').first.inner_text()

    page.reload()
    settle(page)
    assert shows(page, "Total")
    page.get_by_role("combobox", name="Month").click()
    page.get_by_role("option", name="September 2026", exact=True).click()
    settle(page)
    assert "month=2026-09" in page.url
    expect(page.locator('[data-testid="stMetricValue"]').first).not_to_have_text(first, timeout=20_000)

    # Back never returns to the address that held the token: walk the whole history back to where the tab began.
    visited = []
    for _ in range(8):
        back(page)
        visited.append(page.url)
        if "/auth/password" in page.url or page.url == "about:blank":
            break
    assert urlsplit(visited[-1]).path != "/report", visited  # it did walk back past the report
    assert not any(TOKEN in url for url in visited), visited
    assert page.request.get(f"{app.url}/_stcore/metrics").status == 404  # a report reader is not signed in
    page.goto(app.url)
    page.wait_for_url("**/auth/password?next=/")  # the rest of the app still needs a sign-in
