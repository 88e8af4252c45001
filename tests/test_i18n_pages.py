"""The page checker finds hard-coded text; every page, seeded with every state it can show, passes it in English and
in French; provider text on a page is never read as Markdown."""

import os
import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.i18n import translator
from core.providers import registry
from tests.conftest import clean_app_env
from tests.i18n_pages import hard_coded, pseudo_catalogue, unescape, visible_texts
from tests.seeding import HOSTILE, NOTION_ENV, every_state


def _page_with_one_hard_coded_caption():
    import streamlit as st

    from core.i18n import translator
    from core.i18n.formats import Formats

    t, f = translator("en"), Formats("en")
    st.title(t("nav_overview"))
    st.metric(t("total_spent"), f.money(__import__("decimal").Decimal("1234.5")), delta="+$3.20")
    st.selectbox(t("period"), ["day", "week"], format_func=lambda p: t(f"period_{p}"))
    st.caption(f.date(__import__("datetime").date(2026, 10, 20), "weekday"))
    st.caption("Updated just now")  # hard-coded: must be found
    st.code("provider error body: not checked")


def test_the_checker_finds_hard_coded_text_and_accepts_catalogue_text_and_data():
    with pseudo_catalogue():
        at = AppTest.from_function(_page_with_one_hard_coded_caption, default_timeout=30).run()
        assert not at.exception
        assert hard_coded(at) == [("caption", "Updated just now")]
        texts = [text for _, text in visible_texts(at)]
        assert "⟦Total spent⟧" in texts and "⟦Today⟧" in texts and "$1,234.50" in texts
        assert not any("provider error body" in text for text in texts)
    assert translator("en")("total_spent") == "Total spent"  # the real catalogue is back


def test_the_collect_and_send_row_shows_only_catalogue_strings(monkeypatch, tmp_path):
    clean_app_env(monkeypatch, tmp_path)
    st.cache_resource.clear()

    def row():
        from datetime import date

        from core.ui.actions import render_actions
        from core.ui.services import services

        render_actions(services(), collect_month=None, send_month=date(2026, 10, 1))

    with pseudo_catalogue():
        at = AppTest.from_function(row, default_timeout=30).run()
        assert not at.exception
        assert hard_coded(at) == []
        assert any("October 2026" in text for _, text in visible_texts(at))
    st.cache_resource.clear()


def _page_with_a_chart():
    from datetime import date
    from decimal import Decimal

    import streamlit as st

    from core import charts
    from core.i18n.formats import Formats
    from core.models import ChartPoint

    points = [ChartPoint(date(2026, 10, d), Decimal("1.5"), d, 1200) for d in range(1, 8)]
    st.plotly_chart(charts.spending_area(points, Formats("en")), config=charts.CONFIG)


def test_a_chart_built_by_core_charts_shows_only_catalogue_words_and_data():
    with pseudo_catalogue():
        at = AppTest.from_function(_page_with_a_chart, default_timeout=30).run()
        assert not at.exception
        texts = [text for kind, text in visible_texts(at) if kind == "plotly_chart"]
        assert "⟦Day (UTC)⟧" in texts and "⟦Cost (USD)⟧" in texts
        assert hard_coded(at) == []


# ---------------------------------------------------------------- every page, with every state seeded

APP = "../streamlit_app.py"
PAGES = ("pages/overview.py", "pages/scraper_runs.py", "pages/report.py", "pages/settings.py")
LABELS = [p.label for p in registry().values()]
DATA = [*LABELS, HOSTILE]  # provider labels, and provider text (a reconciliation's note on hover, escaped)
UNESCAPED = re.compile(r"(?<!\\)(?:<img|!\[|\]\(http|:red\[)")  # Markdown or HTML no backslash defuses


@pytest.fixture
def seeded(monkeypatch, tmp_path):
    """Sample data and every other state a page shows (``tests.seeding.every_state``), Notion configured."""
    url = clean_app_env(monkeypatch, tmp_path, *NOTION_ENV, "RESEND_API_KEY")
    every_state(url)
    for name, value in NOTION_ENV.items():
        monkeypatch.setenv(name, value)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield monkeypatch
    st.cache_resource.clear()


def open_page(page: str, *, timezone: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if timezone:
        at.context["timezone"] = timezone
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_only_catalogue_strings_and_data(seeded, page):
    with pseudo_catalogue():
        at = open_page(page)
        assert hard_coded(at, data=DATA) == []
        texts = " ".join(text for _, text in visible_texts(at))
        assert "⟦" in texts  # the pseudo-catalogue was in use


@pytest.mark.parametrize("page", PAGES)
def test_no_english_in_the_french_pages(seeded, page):
    seeded.setenv("APP_LANGUAGE", "fr")
    with pseudo_catalogue("fr"):  # a key French lacks would show its English text, unwrapped: found here
        at = open_page(page, timezone="Europe/Paris")
        assert hard_coded(at, data=DATA, language="fr") == []


def test_the_overview_with_one_provider_selected_in_every_unit(seeded):
    with pseudo_catalogue():
        at = open_page(PAGES[0])
        for provider in ("anthropic", "apify", "openai"):
            at.selectbox(key="provider").set_value(provider).run()
            assert not at.exception and hard_coded(at, data=DATA) == []


@pytest.mark.parametrize("page", PAGES)
def test_provider_text_is_never_read_as_markdown(seeded, page):
    """A failed collection's error, a reconciliation's note and Notion's error come from outside: shown as code or
    escaped, never as Markdown (the image would be fetched by every viewer's browser)."""
    at = open_page(page)
    for kind, text in visible_texts(at):  # every element read as Markdown, labels and help included
        assert not UNESCAPED.search(text), (kind, text)
    if page in ("pages/report.py", "pages/settings.py"):
        assert HOSTILE in [c.value for c in at.code]  # shown, exactly as the provider wrote it


def test_the_report_shows_the_failure_and_the_reconciliation_with_the_note_on_hover(seeded):
    at = open_page("pages/report.py")
    assert any(e.value == "The last collection failed. The provider said:" for e in at.error)
    [line] = [m for m in at.markdown if "mismatch" in m.value]
    assert unescape(line.value).endswith("provider $13.75 vs Spendboard $12.50 (drift +$1.25)")
    assert unescape(line.proto.help) == HOSTILE


def test_times_are_the_viewers_with_utc_on_hover(seeded):
    from zoneinfo import ZoneInfo

    from core.i18n.formats import Formats
    from core.store import collections
    from core.store.db import open_store

    store = open_store(os.environ["DATABASE_URL"])
    ok_at, run = collections.statuses(store)["anthropic"].succeeded_at, collections.last_run(store)
    store.dispose()
    new_york = Formats("en", ZoneInfo("America/New_York"))
    at = open_page("pages/settings.py", timezone="America/New_York")
    [caption] = [c for c in at.caption if unescape(c.value).startswith("Last collection:")]
    assert new_york.datetime(run.started_at) in unescape(caption.value)
    assert unescape(caption.proto.help) == "In UTC: " + new_york.datetime_utc(run.started_at)
    table = at.dataframe[0].value
    assert table["Last success"].iloc[1] == new_york.datetime(ok_at)  # Anthropic's row
    report = open_page("pages/report.py", timezone="America/New_York")
    collected = [c for c in report.caption if "collected" in c.value]
    assert collected and all(unescape(c.proto.help).startswith("In UTC: ") for c in collected)


def test_french_settings_say_who_acted_in_french(seeded):
    seeded.setenv("APP_LANGUAGE", "fr")
    at = open_page("pages/settings.py")
    [actions] = [d.value for d in at.dataframe if "Qui" in d.value.columns]
    assert list(actions["Qui"]) == ["tout le monde (sans connexion)"]  # recorded as "anyone (no sign-in)"
    assert list(actions["Action"]) == ["collecte"]
