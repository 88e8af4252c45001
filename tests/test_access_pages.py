"""AppTest with single sign-on configured: what the sign-in screen offers, what an admin and a viewer see and may
do, each person's own runs, and the settings page's people editor and record of actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.models import ScraperRun
from core.store import people as people_store
from core.store import runs as run_store
from core.store.db import open_store
from tests.conftest import clean_app_env
from tests.fakes import FakeApify, run_item, serve

APP = "../streamlit_app.py"
ADMIN, VIEWER = "ada@example.com", "vic@example.com"
AUTH = """
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "apptest-cookie-secret-0123456789abcdef"
client_id = "spendboard-test"
client_secret = "spendboard-test-secret"
server_metadata_url = "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration"
"""


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    """Single sign-on configured in the working directory's secrets.toml; Ada is the admin; a database with runs
    launched by three users (u-ada, u-vic, u-other) today."""
    url = clean_app_env(monkeypatch, tmp_path, "ADMIN_EMAILS", "VIEWER_EMAILS")
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(AUTH)
    monkeypatch.setenv("ADMIN_EMAILS", ADMIN)
    store = open_store(url)
    now = datetime.now(UTC).replace(hour=0, minute=0, second=1, microsecond=0)
    run_store.save_runs(
        store,
        [
            ScraperRun("r-ada", "maps", now, "SUCCEEDED", Decimal("1.10"), user_id="u-ada"),
            ScraperRun("r-vic", "maps", now, "SUCCEEDED", Decimal("2.20"), user_id="u-vic"),
            ScraperRun("r-vic2", "shop", now - timedelta(days=2), "SUCCEEDED", Decimal("0.05"), user_id="u-vic"),
            ScraperRun("r-other", "shop", now, "SUCCEEDED", Decimal("4.40"), user_id="u-other"),
        ],
    )
    people_store.set_owners(store, ADMIN, ["u-ada"], by="test")
    people_store.set_owners(store, VIEWER, ["u-vic"], by="test")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield store
    store.dispose()
    st.cache_resource.clear()


def as_user(email: str | None, **claims) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = {"is_logged_in": False} if email is None else {"is_logged_in": True, "email": email, **claims}
    return at


def button_keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}


def test_nobody_signed_in_sees_only_the_provider_button():
    at = as_user(None).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in to Spendboard"]
    assert [b.label for b in at.button] == ["Sign in with Microsoft"]
    assert not at.metric and not at.dataframe


def test_with_the_password_too_the_sign_in_screen_offers_both(monkeypatch):
    monkeypatch.setenv("APP_PASSWORD", "pw-for-the-app")
    at = as_user(None).run()
    assert [b.label for b in at.button] == ["Sign in with Microsoft"]
    assert any('href="/auth/password?next=/"' in m.value for m in at.markdown)


def test_an_admin_sees_the_actions_and_everyone_s_runs_on_request():
    at = as_user(ADMIN).run()
    assert not at.exception
    assert [c.value for c in at.sidebar.caption] == [f"Signed in as {ADMIN} (admin)"]
    assert {"collect_now", "send_email", "sign_out"} <= button_keys(at)
    assert at.segmented_control(key="whose_runs").value == "mine"
    at.selectbox(key="period").set_value("day").run()
    assert at.metric[0].value == "$1.10"  # Ada's own run
    assert any("Showing your scraper runs (u-ada)" in c.value and "team-wide" in c.value for c in at.caption)
    at.segmented_control(key="whose_runs").set_value("everyone").run()
    assert at.metric[0].value == "$7.70"
    assert any("Showing everyone's scraper runs." in c.value for c in at.caption)


def test_a_viewer_sees_their_own_figures_and_no_action():
    at = as_user(VIEWER).run()
    assert not at.exception
    assert not {"collect_now", "send_email", "load_demo"} & button_keys(at)
    assert not at.get("segmented_control")  # a viewer has no "Everyone"
    at.selectbox(key="period").set_value("day").run()
    assert at.metric[0].value == "$2.20"
    at.selectbox(key="period").set_value("week").run()
    assert at.metric[0].value == "$2.25"
    at.switch_page("pages/scraper_runs.py").run()
    assert not at.exception
    assert sorted(at.dataframe[0].value["Run"]) == ["r-vic", "r-vic2"]
    assert not at.get("form") and not at.number_input  # no back-fill
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    assert not at.text_input and not [s for s in at.subheader if s.value == "Recent actions"]
    assert any(f"You: {VIEWER} (viewer)." in c.value for c in at.caption)


def test_someone_without_a_linked_user_id_is_told_and_counts_no_run(env):
    at = as_user("newcomer@example.com").run()
    at.selectbox(key="period").set_value("day").run()
    assert at.metric[0].value == "$0.00"
    assert any("No scraper-run user id is linked to newcomer@example.com" in c.value for c in at.caption)


def test_a_click_sent_from_a_viewer_session_collects_nothing(env, monkeypatch):
    """Ada's page had the button; by the time the click arrives the session is Vic's (a forged click, or a role
    taken away while the page was open): nothing is fetched and nothing is recorded."""
    fake = FakeApify([run_item("n1", datetime.now(UTC), 0.5)])
    with serve(fake.handle) as url:
        monkeypatch.setenv("APIFY_TOKEN", "apify_api_test_token_0000")
        monkeypatch.setenv("APIFY_BASE_URL", url)
        at = as_user(ADMIN).run()
        collect = at.button(key="collect_now")
        at.user = {"is_logged_in": True, "email": VIEWER}
        collect.click().run()
    assert not at.exception
    assert fake.requests == []
    assert people_store.recent_actions(env) == []


def test_an_admin_collecting_is_recorded_with_their_name(env, monkeypatch):
    fake = FakeApify([run_item("n1", datetime.now(UTC), 0.5)])
    with serve(fake.handle) as url:
        monkeypatch.setenv("APIFY_TOKEN", "apify_api_test_token_0000")
        monkeypatch.setenv("APIFY_BASE_URL", url)
        at = as_user(ADMIN).run()
        at.button(key="collect_now").click().run()
    assert not at.exception and fake.requests
    [entry] = people_store.recent_actions(env)
    assert (entry.actor, entry.via, entry.action, entry.outcome) == (ADMIN, "web", "collect", "ok")


def test_an_admin_links_people_to_user_ids_and_the_change_is_recorded(env):
    at = as_user(ADMIN).run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    at.text_input(key="people_email").input(" Newcomer@Example.com ")
    at.text_input(key="people_user_ids").input("u-new, u-other")
    at.button[-1].click().run()  # the form's Save
    assert not at.exception
    assert any("Saved: newcomer@example.com → u-new, u-other." in s.value for s in at.success)
    assert people_store.owners_of(env, "newcomer@example.com") == ("u-new", "u-other")
    recorded = at.dataframe[-1].value
    assert list(recorded["Who"]) == [ADMIN] and list(recorded["Action"]) == ["settings"]
    assert "email=newcomer@example.com" in recorded["Details"][0]
    at.text_input(key="people_email").input("newcomer@example.com")
    at.text_input(key="people_user_ids").input("not valid!")
    at.button[-1].click().run()
    assert any("A user id is 1-128 letters" in e.value for e in at.error)
    assert people_store.owners_of(env, "newcomer@example.com") == ("u-new", "u-other")  # unchanged


def test_viewer_emails_keeps_strangers_out(monkeypatch):
    monkeypatch.setenv("VIEWER_EMAILS", "@example.com")
    at = as_user("mallory@elsewhere.example").run()
    assert not at.metric
    assert any("mallory@elsewhere.example may not use Spendboard" in e.value for e in at.error)
    assert as_user(VIEWER).run().metric  # a viewer at the allowed domain is in


def test_an_unverified_email_is_refused():
    at = as_user(ADMIN, email_verified=False).run()
    assert not at.metric and not button_keys(at) - {"sign_in_default"}
    assert any("has not verified" in e.value for e in at.error)


def test_a_signed_in_person_opens_the_report_without_a_token(monkeypatch):
    monkeypatch.setenv("REPORT_SECRET_TOKEN", "report-token-0123456789")
    at = as_user(VIEWER).run()
    at.switch_page("pages/report.py").run()
    assert not at.exception and any(m.label == "Total" for m in at.metric)


def _guarded_script():
    import streamlit as st

    from core.ui.auth import authorize
    from core.ui.services import services, t

    person = authorize(services().settings, t, "collect")
    st.text("acting as " + person.actor if person else "refused")


@pytest.mark.parametrize(("email", "outcome"), [(ADMIN, f"acting as {ADMIN}"), (VIEWER, "refused")])
def test_the_action_guard_itself_refuses_a_viewer(email, outcome):
    """The check every action handler makes when it runs, whatever the page showed."""
    at = AppTest.from_function(_guarded_script, default_timeout=60)
    at.user = {"is_logged_in": True, "email": email}
    at.run()
    assert not at.exception and at.text[0].value == outcome
    assert [e.value for e in at.error] == (
        [] if email == ADMIN else ["Only an admin can do this. Admins are named in ADMIN_EMAILS."]
    )
