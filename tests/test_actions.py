"""AppTest: the Collect-now and Send buttons tell what happened in one line, keep provider text as data, and ask
before sending a report a second time."""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import httpx
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import core.ui.actions
from core.cli import main
from core.i18n.formats import Formats
from core.periods import last_complete_month, utc_today
from core.progress import ARCHIVE, SNAPSHOTS, STEP, step_detail
from core.store import collections
from core.store.db import open_store
from tests.conftest import clean_app_env
from tests.fakes import FakeApify, collect_now_in_app, run_item, serve
from tests.i18n_pages import unescape

APP = "../streamlit_app.py"
HOSTILE = "![x](http://127.0.0.1:9/evil.png) <img src=x onerror=alert(1)> :red[boom] $x^2$ **bold**"


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    url = clean_app_env(monkeypatch, tmp_path, "RESEND_API_KEY", "REPORT_EMAIL_FROM", "REPORT_EMAIL_TO")
    assert main(["demo"], environ={"DATABASE_URL": url}) == 0
    st.cache_data.clear()
    st.cache_resource.clear()
    yield monkeypatch
    st.cache_resource.clear()


def summaries(at: AppTest) -> list[str]:
    """The one-line results in the button row: each is the label of the pop-over that holds its details."""
    return [unescape(p.proto.popover.label) for p in at.get("popover")]


def rendered_as_markdown(at: AppTest) -> list[str]:
    """Everything a browser would read as Markdown: Markdown and captions, alerts, labels and help texts."""
    texts = [m.value for m in at.markdown] + [a.value for a in (*at.error, *at.warning, *at.info, *at.success)]
    texts += [b.label for b in at.button] + [b.help or "" for b in at.button]
    return texts + [s.label for s in at.status] + [p.proto.popover.label for p in at.get("popover")]


def test_a_providers_error_body_is_shown_as_text_never_as_markdown(env):
    fake = FakeApify([run_item("r1", datetime.now(UTC) - timedelta(hours=1), 0.25)])
    fake.fail_next = [httpx.Response(401, json={"error": {"type": "token-not-valid", "message": HOSTILE}})]
    at = collect_now_in_app(env, fake)
    assert not at.exception
    assert any(HOSTILE in code.value for code in at.code)  # the body, verbatim, as code
    for text in rendered_as_markdown(at):
        assert "](http" not in text and "<img" not in text and ":red[boom]" not in text, text
    assert [s.split(" · ")[0] for s in summaries(at)] == ["Nothing collected; failed: Apify"]


def _fake_collect(store_url: str):
    """Stands in for core.collect.collect: one provider, the month's figures, three Notion pages, a recorded run."""

    def run(settings, store, *, month=None, progress=None):
        run_id = collections.start_run(store, month or date(2026, 11, 1))
        for event in [
            ("openai", "running", None),
            ("openai", "ok", None),
            (SNAPSHOTS, "running", None),
            (SNAPSHOTS, "ok", None),
            (ARCHIVE, "running", None),
            *[(ARCHIVE, STEP, step_detail(n, 3)) for n in (1, 2, 3)],
            (ARCHIVE, "ok", step_detail(3, 3)),
        ]:
            progress(*event)
        collections.finish_run(store, run_id, "ok", {"openai": {"status": "ok", "error": None, "cost_usd": "1"}})
        return SimpleNamespace(run_id=run_id, archive=None, outcomes={}, failed=[])

    return run


def test_collect_now_ends_with_one_line_and_the_phases_in_its_details(env, tmp_path):
    env.setattr(core.ui.actions, "collect", _fake_collect(f"sqlite:///{tmp_path / 'app.db'}"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.button(key="collect_now").click().run()
    assert not at.exception
    (summary,) = summaries(at)
    assert summary.startswith("1 provider collected · Notion archive: 3 pages written · ") and "in all" in summary
    shown = [unescape(m.value) for m in at.markdown]  # the details, inside the pop-over
    assert any("OpenAI: collected in" in t for t in shown)
    assert any("Notion archive: 3 pages written in" in t for t in shown)
    assert not at.success and not at.error and not at.status  # no boxes left over to push the figures down


def test_french_collect_summary_and_button_labels(env, tmp_path):
    env.setenv("APP_LANGUAGE", "fr")
    env.setattr(core.ui.actions, "collect", _fake_collect(f"sqlite:///{tmp_path / 'app.db'}"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    month = last_complete_month(utc_today())
    assert at.button(key="send_email").label == f"Envoyer le rapport {Formats('fr').of_month(month)}"
    at.button(key="collect_now").click().run()
    (summary,) = summaries(at)
    assert summary.startswith("1 fournisseur collecté · archive Notion : 3 pages écrites · ")


@pytest.fixture
def resend(env):
    received: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200, json={"id": f"email_{len(received)}"})

    with serve(api) as url:
        env.setenv("RESEND_API_KEY", "re_test_key_123456")
        env.setenv("RESEND_API_URL", url)
        env.setenv("REPORT_EMAIL_FROM", "Spend Bot <reports@example.com>")
        env.setenv("REPORT_EMAIL_TO", "ana@example.com,bo@example.com")
        yield received


def test_send_says_to_whom_once_then_offers_send_again_with_a_confirmation(resend):
    at = AppTest.from_file(APP, default_timeout=60).run()
    month = Formats("en").month(last_complete_month(utc_today()))
    at.button(key="send_email").click().run()
    assert not at.exception and len(resend) == 1
    shown = " ".join(unescape(m.value) for m in at.markdown)
    assert f"The {month} report was sent to ana@example.com and bo@example.com." in shown
    assert shown.count("ana@example.com") == 1 and "--force" not in shown

    at.button(key="send_email").click().run()  # already sent: nothing goes out, and the row says when
    assert len(resend) == 1
    shown = " ".join(unescape(m.value) for m in at.markdown)
    assert f"The {month} report was already sent to ana@example.com and bo@example.com on" in shown
    assert "--force" not in shown
    at.button(key="send_again").click().run()
    assert len(resend) == 1 and f"Send the {month} report again to ana@example.com and bo@example.com?" in " ".join(
        unescape(m.value) for m in at.markdown
    )
    at.button(key="send_again_cancel").click().run()
    assert len(resend) == 1 and not [b for b in at.button if b.key == "send_again_yes"]
    at.button(key="send_again").click().run()
    at.button(key="send_again_yes").click().run()
    assert not at.exception and len(resend) == 2
    assert json.loads(resend[1].content)["to"] == ["ana@example.com", "bo@example.com"]
    assert resend[0].headers["Idempotency-Key"] != resend[1].headers["Idempotency-Key"]


def test_a_failed_send_shows_resends_words_as_text(env):
    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"statusCode": 422, "name": "validation_error", "message": HOSTILE})

    with serve(api) as url:
        env.setenv("RESEND_API_KEY", "re_test_key_123456")
        env.setenv("RESEND_API_URL", url)
        env.setenv("REPORT_EMAIL_FROM", "reports@example.com")
        env.setenv("REPORT_EMAIL_TO", "ana@example.com")
        at = AppTest.from_file(APP, default_timeout=60).run()
        at.button(key="send_email").click().run()
    assert not at.exception
    assert any("The email was not sent." in unescape(m.value) for m in at.markdown)
    assert any("<img src=x" in code.value for code in at.code)
    for text in rendered_as_markdown(at):
        assert "](http" not in text and "<img" not in text, text


def test_the_last_collection_is_dated_in_the_viewers_time_zone(env, tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'app.db'}")
    run_id = collections.start_run(store, date(2026, 10, 1))
    collections.finish_run(store, run_id, "ok", {})
    started = collections.last_run(store).started_at
    store.dispose()
    at = AppTest.from_file(APP, default_timeout=60)
    at.context["timezone"] = "America/New_York"
    at.run()
    from zoneinfo import ZoneInfo

    expected = Formats("en", ZoneInfo("America/New_York")).datetime(started)
    assert any(f"Last collection: {expected} — ok" in unescape(c.value) for c in at.caption)


def test_settings_show_the_sender_with_its_angle_brackets(env):
    env.setenv("RESEND_API_KEY", "re_test_key_123456")
    env.setenv("REPORT_EMAIL_FROM", "Spend Bot <reports@example.com>")
    env.setenv("REPORT_EMAIL_TO", "ana@example.com")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    sender = [m.value for m in at.markdown if "reports@example" in m.value]
    assert sender and "\\<reports@example\\.com\\>" in sender[0]  # escaped: Markdown shows the brackets
    assert "Spend Bot <reports@example.com>" in unescape(sender[0])


def _reconcile_row():
    from datetime import date

    from core.ui.actions import render_reconcile
    from core.ui.services import services

    render_reconcile(services(), date(2026, 10, 1))


def test_check_now_asks_the_providers_and_keeps_their_answer(env, tmp_path):
    import core.reconcile
    from core.reconcile import Reconciliation
    from core.store.reconciliations import load_reconciliations

    asked = []

    def fake_reconcile(settings, store, month):
        asked.append(month)
        return [Reconciliation("openai", month, Decimal("1"), Decimal("1"), Decimal(0), Decimal(0), "matches", "x", "")]

    env.setattr(core.reconcile, "reconcile", fake_reconcile)
    at = AppTest.from_function(_reconcile_row, default_timeout=30).run()
    assert "Not yet checked against the providers' own totals." in [c.value for c in at.caption]
    assert "--" not in " ".join(c.value for c in at.caption)  # no command line to copy
    at.button(key="recon_check").click().run()
    assert not at.exception and asked == [date(2026, 10, 1)]
    store = open_store(f"sqlite:///{tmp_path / 'app.db'}")
    assert load_reconciliations(store, date(2026, 10, 1))["openai"].status == "matches"
    store.dispose()
