"""The HTTP layer in front of Streamlit (core.web), driven through Starlette's TestClient around a stand-in app:
the password form and its cookie, the slowdown after wrong passwords, report links swapped for a cookie, and
Streamlit's revealing endpoints closed to anyone not signed in."""

from __future__ import annotations

import json
import logging
import warnings
from datetime import timedelta

import pytest
import time_machine
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

with warnings.catch_warnings():  # "install httpx2": the TestClient works with the pinned httpx
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from core.config import Settings
from core.periods import utc_now
from core.store.db import open_store
from core.web import MIDDLEWARE, ROUTES, context
from core.web.context import Web
from core.web.keys import REPORT_COOKIE, SESSION_COOKIE
from core.web.sign_in import end_password_session
from core.web.throttle import FREE, MAX_DELAY, Throttle

PASSWORD = "correct horse battery staple"
TOKEN = "report-token-0123456789abcdef"
SECRET = "session-secret-for-tests-0123456789"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _app_page(request):
    return PlainTextResponse(f"the app at {request.url.path}")


@pytest.fixture
def make(tmp_path):
    made = []

    def make(*, base_url: str = "http://testserver", **overrides) -> tuple[TestClient, Clock, Web]:
        values = {"app_password": PASSWORD, "session_secret": SECRET, **overrides}
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'web.db'}", **values)
        clock = Clock()
        web = Web(settings, open_store(settings.database_url), Throttle(clock))
        made.append(web)
        context.use(web)
        app = Starlette(routes=[*ROUTES, Route("/{path:path}", _app_page)], middleware=MIDDLEWARE)
        return TestClient(app, base_url=base_url, follow_redirects=False), clock, web

    yield make
    context.use(None)
    for web in made:
        web.store.dispose()


def sign_in(client: TestClient, password: str = PASSWORD, next_: str = "/", **headers):
    return client.post("/auth/password", data={"password": password, "next": next_}, headers=headers)


def test_a_page_load_without_sign_in_goes_to_the_password_form_and_back(make):
    client, _, _ = make()
    first = client.get("/report?month=2026-10", headers={"accept": "text/html"})
    assert first.status_code == 303
    assert first.headers["location"] == "/auth/password?next=/report%3Fmonth%3D2026-10"
    form = client.get(first.headers["location"])
    assert form.status_code == 200 and 'type="password"' in form.text and 'value="/report?month=2026-10"' in form.text
    assert (
        form.headers["cache-control"] == "no-store"
        and "frame-ancestors 'none'" in form.headers["content-security-policy"]
    )
    done = sign_in(client, next_="/report?month=2026-10")
    assert done.status_code == 303 and done.headers["location"] == "/report?month=2026-10"
    cookie = done.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert f"Max-Age={7 * 86400}" in cookie and "Secure" not in cookie  # plain http here
    assert PASSWORD not in cookie and PASSWORD.replace(" ", "+") not in done.headers.get("location", "")
    assert client.get("/report?month=2026-10").text == "the app at /report"  # the cookie now lets the page load


def test_the_cookie_is_secure_behind_https(make):
    client, _, _ = make(base_url="https://spend.example.com")
    assert "Secure" in sign_in(client).headers["set-cookie"]


@pytest.mark.parametrize(
    ("next_", "expected"),
    [
        ("/settings", "/settings"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("/auth/password", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
    ],
)
def test_after_signing_in_only_a_path_on_this_site_is_followed(make, next_, expected):
    client, _, _ = make()
    assert sign_in(client, next_=next_).headers["location"] == expected


def test_a_wrong_password_says_so_and_sets_nothing(make, caplog):
    client, _, _ = make()
    caplog.set_level(logging.INFO, logger="spendboard.auth")
    wrong = sign_in(client, password="hunter2-the-attempt")
    assert wrong.status_code == 401 and "Wrong password." in wrong.text and "set-cookie" not in wrong.headers
    assert "hunter2-the-attempt" not in wrong.text
    assert "wrong password from testclient (1 in a row)" in caplog.text
    assert "hunter2" not in caplog.text  # the attempt itself is never logged


def test_wrong_passwords_meet_a_growing_delay_after_five(make):
    client, clock, _ = make()
    for _ in range(FREE):
        assert sign_in(client, password="guess").status_code == 401
    refused = sign_in(client)  # even the right password is not checked while the delay runs
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert "Wait 1 second" in refused.text and "set-cookie" not in refused.headers
    waits = []
    for _ in range(6):  # each further wrong password doubles the wait
        wait = int(sign_in(client).headers["retry-after"])
        waits.append(wait)
        clock.now += wait
        assert sign_in(client, password="guess").status_code == 401
    assert waits == [1, 2, 4, 8, 16, 32]
    clock.now += 64
    assert sign_in(client).status_code == 303  # the right password, once the delay is over


def test_twenty_five_wrong_passwords_in_a_row_are_mostly_refused_unchecked(make):
    client, _, _ = make()
    statuses = [sign_in(client, password=f"guess-{i}").status_code for i in range(25)]
    assert statuses.count(401) == FREE and statuses.count(429) == 25 - FREE


def test_the_delay_is_capped_and_forgotten_after_a_success(make):
    client, clock, web = make()
    for _ in range(40):
        clock.now += MAX_DELAY
        sign_in(client, password="guess")
    assert web.throttle.wait("testclient") == MAX_DELAY
    clock.now += MAX_DELAY
    assert sign_in(client).status_code == 303
    assert web.throttle.wait("testclient") == 0 and sign_in(client, password="x").status_code == 401


def test_signing_out_ends_the_sign_in_even_for_a_copied_cookie(make):
    client, _, web = make()
    sign_in(client)
    cookie = client.cookies[SESSION_COOKIE]
    assert client.get("/").status_code == 200
    end_password_session(web.settings, web.store, cookie)
    again = client.get("/", headers={"accept": "text/html"})
    assert again.status_code == 303 and again.headers["location"].startswith("/auth/password")
    assert f'{SESSION_COOKIE}=""' in again.headers["set-cookie"] and "Max-Age=0" in again.headers["set-cookie"]


def test_changing_the_password_ends_every_earlier_sign_in(make):
    client, _, _ = make()
    sign_in(client)
    cookie = client.cookies[SESSION_COOKIE]
    client2, _, _ = make(app_password="a-new-password-for-everyone")
    client2.cookies.set(SESSION_COOKIE, cookie)
    assert client2.get("/").status_code == 303


def test_a_sign_in_expires_after_session_days(make):
    client, _, _ = make(session_days=2)
    sign_in(client)
    with time_machine.travel(utc_now() + timedelta(days=1, hours=23)):
        assert client.get("/").status_code == 200
    with time_machine.travel(utc_now() + timedelta(days=2, minutes=1)):
        assert client.get("/").status_code == 303


def test_a_forged_or_tampered_cookie_is_refused(make):
    client, _, _ = make()
    sign_in(client)
    cookie = client.cookies[SESSION_COOKIE]
    for forged in (cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"), "x" * 5000, "", "null"):
        client.cookies.set(SESSION_COOKIE, forged)
        assert client.get("/").status_code == 303, forged[:20]


def test_a_cross_site_sign_in_post_is_refused(make):
    client, _, _ = make()
    assert sign_in(client, origin="https://evil.example").status_code == 403
    assert sign_in(client, origin="null").status_code == 403
    assert sign_in(client, **{"sec-fetch-site": "cross-site", "origin": "http://testserver"}).status_code == 403
    assert sign_in(client, origin="http://testserver").status_code == 303
    assert sign_in(client, **{"sec-fetch-site": "same-origin"}).status_code == 303


def test_a_report_link_is_swapped_for_a_cookie_by_a_redirect(make):
    client, _, _ = make(report_secret_token=TOKEN)
    swap = client.get(f"/report?month=2026-10&token={TOKEN}")
    assert swap.status_code == 303 and swap.headers["location"] == "/report?month=2026-10"  # a replace, not a push
    assert swap.headers["referrer-policy"] == "no-referrer"
    assert swap.headers["set-cookie"].startswith(f"{REPORT_COOKIE}=") and TOKEN not in swap.headers["set-cookie"]
    assert client.get("/report?month=2026-11").text == "the app at /report"  # reload / other month: still in
    assert client.get("/", headers={"accept": "text/html"}).status_code == 303  # the rest still needs a sign-in
    assert client.get("/_stcore/metrics").status_code == 404


def test_a_wrong_report_token_is_dropped_and_counts_as_a_guess(make):
    client, _, web = make(report_secret_token=TOKEN)
    for token in (TOKEN[:-1] + "x", "x" * 60_000, "' OR 1=1 --"):
        swap = client.get("/report", params={"month": "2026-10", "token": token})
        assert swap.status_code == 303 and swap.headers["location"] == "/report?month=2026-10"
        assert "set-cookie" not in swap.headers
    assert client.get("/report?month=2026-10").status_code == 303  # to the password form
    for _ in range(FREE - 3):
        client.get(f"/report?token=wrong-{_}")
    assert web.throttle.wait("testclient") > 0
    assert "set-cookie" not in client.get(f"/report?token={TOKEN}").headers  # not even checked while it waits


def test_a_changed_report_token_ends_the_report_cookies(make):
    client, _, _ = make(report_secret_token=TOKEN)
    client.get(f"/report?token={TOKEN}")
    cookie = client.cookies[REPORT_COOKIE]
    client2, _, _ = make(report_secret_token="another-token-0123456789")
    client2.cookies.set(REPORT_COOKIE, cookie)
    assert client2.get("/report").status_code == 303


@pytest.mark.parametrize(
    "path",
    [
        "/_stcore/metrics",
        "/_stcore/script-health-check",
        "/_stcore/agent/interact",
        "/_stcore/agent/mcp",
        "/media/x.png",
    ],
)
def test_revealing_endpoints_answer_only_a_signed_in_browser(make, path):
    client, _, _ = make()
    assert client.get(path).status_code == 404
    sign_in(client)
    assert client.get(path).text == f"the app at {path}"


def test_what_the_browser_needs_before_signing_in_stays_open(make):
    client, _, _ = make()
    for path in ("/_stcore/health", "/_stcore/host-config", "/static/js/main.js", "/favicon.png"):
        assert client.get(path).status_code == 200, path
    # A deep link's frontend probes for the base path below the page: never sent to the password form.
    for path in ("/report/_stcore/health", "/report/_stcore/host-config", "/report/static/js/main.js"):
        assert client.get(path, headers={"accept": "text/html"}).status_code == 200, path
    assert client.get("/report/_stcore/metrics").status_code == 404


def test_without_any_sign_in_configured_everything_passes(make):
    client, _, _ = make(app_password=None)
    assert client.get("/", headers={"accept": "text/html"}).status_code == 200
    assert client.get("/_stcore/metrics").status_code == 200
    assert client.get("/auth/password").status_code == 303  # no password form without a password


def test_a_streamlit_sign_in_cookie_opens_the_metrics_for_a_person_allowed_in(make, monkeypatch):
    from streamlit import config
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    monkeypatch.setattr(config, "get_option", lambda name: "cookie-secret-xyz" if name == "server.cookieSecret" else "")
    monkeypatch.setattr("streamlit.runtime.secrets.secrets_singleton.load_if_toml_exists", lambda: False)

    def user_cookie(email: str, **extra) -> str:
        payload = json.dumps({"email": email, "is_logged_in": True, "origin": "http://testserver", **extra})
        return create_signed_value("cookie-secret-xyz", "_streamlit_user", payload).decode()

    client, _, _ = make(app_password=None, sso_providers=(("default", "Test"),), viewer_emails=("@example.com",))
    assert client.get("/_stcore/metrics").status_code == 404
    client.cookies.set("_streamlit_user", user_cookie("ana@example.com"))
    assert client.get("/_stcore/metrics").status_code == 200
    client.cookies.set("_streamlit_user", user_cookie("mallory@elsewhere.example"))  # not on VIEWER_EMAILS
    assert client.get("/_stcore/metrics").status_code == 404
    client.cookies.set("_streamlit_user", user_cookie("ana@example.com", email_verified=False))
    assert client.get("/_stcore/metrics").status_code == 404
    client.cookies.set("_streamlit_user", user_cookie("ana@example.com")[:-3] + "abc")  # a bad signature
    assert client.get("/_stcore/metrics").status_code == 404


def test_with_the_configuration_wrong_the_revealing_endpoints_stay_closed(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "mysql://nope")
    context.use(None)
    app = Starlette(routes=[*ROUTES, Route("/{path:path}", _app_page)], middleware=MIDDLEWARE)
    client = TestClient(app, follow_redirects=False)
    try:
        assert client.get("/_stcore/metrics").status_code == 404
        assert client.get("/").text == "the app at /"  # the page itself shows the configuration error
    finally:
        context.use(None)


def test_a_token_on_another_page_is_taken_out_of_the_address_too(make):
    client, _, _ = make(report_secret_token=TOKEN)
    swap = client.get(f"/settings?token={TOKEN}")
    assert swap.status_code == 303 and swap.headers["location"] == "/settings"
    assert client.get("/settings", headers={"accept": "text/html"}).headers["location"].startswith("/auth/password")
