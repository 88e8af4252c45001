"""AppTest: the report page's access rules, month switch, buttons and collection progress."""

import os
from datetime import UTC, date, datetime, timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.cli import main
from core.collect import history_start
from core.periods import last_complete_month, month_key, previous_month, utc_today
from tests.conftest import clean_app_env
from tests.fakes import FakeApify, collect_now_in_app, run_item
from tests.i18n_pages import unescape
from tests.imitation import Imitation, Ledger, populate

APP = "../streamlit_app.py"
TOKEN = "report-token-0123456789"


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    url = clean_app_env(monkeypatch, tmp_path, "RESEND_API_KEY")
    assert main(["demo"], environ={"DATABASE_URL": url}) == 0
    st.cache_data.clear()
    st.cache_resource.clear()
    yield monkeypatch
    st.cache_resource.clear()


def open_report(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["month"] = month_key(last_complete_month(date.today()))
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()  # first run lands on the default page; then go to the report like a link would
    at.switch_page("pages/report.py").run()
    return at


def shows_report(at: AppTest) -> bool:
    return any(m.label == "Total" for m in at.metric)


def shows_sign_in(at: AppTest) -> bool:
    """The sign-in screen: its title and the link to the password form, and nothing else of the app."""
    links = " ".join(m.value for m in at.markdown)
    return [t.value for t in at.title] == ["Sign in to Spendboard"] and 'href="/auth/password?next=' in links


def test_no_token_wrong_token_and_right_token(env):
    env.setenv("REPORT_SECRET_TOKEN", TOKEN)
    env.setenv("APP_PASSWORD", "pw-for-the-app")
    denied = open_report()  # no token: the way in is to sign in (or to open the emailed link)
    assert not shows_report(denied) and shows_sign_in(denied)
    assert any("report link" in c.value for c in denied.caption)
    wrong = open_report({"token": TOKEN[:-1] + "x"})
    assert not shows_report(wrong) and shows_sign_in(wrong)
    right = open_report({"token": TOKEN})
    assert not right.exception and shows_report(right)
    assert "token" not in right.query_params  # removed from the address bar once checked
    assert not [b for b in right.button if b.key in ("collect_now", "send_email")]  # a token opens the report only


def test_token_holder_cannot_reach_other_pages(env):
    env.setenv("REPORT_SECRET_TOKEN", TOKEN)
    env.setenv("APP_PASSWORD", "pw-for-the-app")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["token"] = TOKEN
    at.run()  # the overview: still behind the password
    assert not at.metric and shows_sign_in(at)


def test_password_mode_shows_only_the_way_to_the_password_form(env):
    # Signing in with the password happens at /auth/password (a cookie AppTest cannot carry): tests/test_web.py
    # and tests/browser/test_auth.py cover it. Here: nothing of the app shows before it, on any page.
    env.setenv("APP_PASSWORD", "pw-for-the-app")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.metric and shows_sign_in(at)
    assert "pw-for-the-app" not in " ".join(m.value for m in at.markdown)
    at.run()  # AppTest reruns the page file itself, so this exercises each page's own guard as well
    assert not at.metric and shows_sign_in(at)
    for page in ("pages/scraper_runs.py", "pages/settings.py", "pages/report.py"):
        at.switch_page(page).run()
        assert not at.exception and not at.dataframe and not at.metric and shows_sign_in(at), page


def test_open_app_without_token_configured_shows_the_report():
    at = open_report()
    assert shows_report(at)


def test_month_switch_changes_the_figures():
    at = open_report()
    first = at.metric[0].value
    month = last_complete_month(date.today())
    at.selectbox(key="report_month").set_value(previous_month(month)).run()
    assert at.metric[0].value != first
    assert at.query_params["month"] in (month_key(previous_month(month)), [month_key(previous_month(month))])


def test_malformed_month_parameter_falls_back_with_a_warning():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["month"] = "../../etc"
    at.run()
    at.switch_page("pages/report.py").run()
    assert not at.exception and shows_report(at)
    assert "month must be YYYY-MM" in at.warning[0].value or any("YYYY-MM" in w.value for w in at.warning)


def test_collect_now_shows_progress_and_records_the_last_status(env):
    now = datetime.now(UTC)
    fake = FakeApify([run_item(f"r{i}", now - timedelta(hours=i), 0.25) for i in range(5)])
    at = collect_now_in_app(env, fake)
    assert not at.exception
    (row,) = [unescape(p.proto.popover.label) for p in at.get("popover")]  # one line in the button row...
    assert row.startswith("1 provider collected · ") and row.endswith("in all")
    assert any("Apify: collected in" in unescape(m.value) for m in at.markdown)  # ...its details in a pop-over
    assert not at.success and not at.error  # no boxes pushing the figures down
    later = AppTest.from_file(APP, default_timeout=60).run()  # another session sees the recorded status
    assert any("Last collection:" in unescape(c.value) and "ok" in c.value for c in later.caption)


def test_an_enormous_or_hostile_token_is_simply_denied(env):
    env.setenv("REPORT_SECRET_TOKEN", TOKEN)
    env.setenv("APP_PASSWORD", "pw-for-the-app")
    for token in ("x" * 100_000, TOKEN + "\u0000", "' OR 1=1 --", "<script>alert(1)</script>"):
        at = open_report({"token": token})
        assert not at.exception and not shows_report(at) and shows_sign_in(at)


def test_a_month_a_provider_no_longer_serves_shows_not_available_and_every_empty_comparison_says_why(env):
    today = utc_today()
    first = history_start(today)  # the first month a first collection fetches
    im = Imitation(today, populate(Ledger(), first, today))
    with im.serve() as urls:
        assert main(["collect"], environ=im.environ(os.environ["DATABASE_URL"], urls)) == 0
    at = open_report({"month": month_key(first)})
    assert not at.exception
    openrouter = next(m for m in at.metric if m.label == "OpenRouter")
    assert openrouter.value == "not available"  # never $0.00
    captions = [unescape(c.value) for c in at.caption]
    assert any(c.startswith(f"Not available: OpenRouter can no longer serve {first:%B %Y}") for c in captions)
    before = f"{previous_month(first):%B %Y}"
    since = f"{first:%b} {first.day}, {first.year}"
    why = f"No change to show: nothing was collected for {before} (collection started on {since})."
    assert captions.count(why) == 1 + 5  # the total, and each provider that has a figure
