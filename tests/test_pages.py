"""AppTest: each page boots, and the widgets drive what is shown."""

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.models import ScraperRun
from core.store import runs
from core.store.db import open_store
from tests.conftest import clean_app_env
from tests.i18n_pages import unescape

APP = "../streamlit_app.py"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """Each test gets its own database and no provider keys; Streamlit caches are process-wide."""
    clean_app_env(monkeypatch, tmp_path)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def seed(tmp_path):
    now = datetime.now(UTC).replace(hour=0, minute=0, second=1, microsecond=0)
    store = open_store(f"sqlite:///{tmp_path / 'app.db'}")
    runs.save_runs(
        store,
        [
            ScraperRun("today1", "maps", now, "SUCCEEDED", Decimal("1.10")),
            ScraperRun("days3", "maps", now - timedelta(days=3), "SUCCEEDED", Decimal("2.20")),
            ScraperRun("days20", "shop", now - timedelta(days=20), "FAILED", Decimal("4.40")),
            ScraperRun("days60", "shop", now - timedelta(days=60), "SUCCEEDED", Decimal("8.80")),
        ],
    )
    store.dispose()


def chart_points(at: AppTest) -> int:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return len(spec["data"][0]["x"])


def test_empty_database_shows_what_to_configure_and_loads_sample_data():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.subheader[0].value == "No spending recorded yet"
    assert "APIFY_TOKEN" in at.info[0].value
    at.button(key="load_demo").click().run()
    assert not at.exception
    assert at.metric[0].label == "Total spent"
    assert "sample data" in at.warning[0].value


def test_total_spent_follows_the_period_selector(tmp_path):
    seed(tmp_path)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    expected = {"day": "$1.10", "week": "$3.30", "month": "$7.70", "all": "$16.50"}
    for period, value in expected.items():
        at.selectbox(key="period").set_value(period).run()
        assert at.metric[0].value == value, period
    at.selectbox(key="period").set_value("week").run()
    assert at.metric[0].delta == "+$3.30"  # nothing in the 7 days before
    assert any("2 runs" in c.value for c in at.caption)


def test_chart_has_every_day_of_the_selected_range(tmp_path):
    seed(tmp_path)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert chart_points(at) == 30
    for range_, n in (("7d", 7), ("90d", 90)):
        at.selectbox(key="range").set_value(range_).run()
        assert chart_points(at) == n
    assert any("4 runs over the period" in c.value for c in at.caption)


def test_choices_survive_reruns(tmp_path):
    seed(tmp_path)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.selectbox(key="period").set_value("all").run()
    at.run()
    assert at.selectbox(key="period").value == "all" and at.metric[0].value == "$16.50"


def test_french_labels(monkeypatch, tmp_path):
    seed(tmp_path)
    monkeypatch.setenv("APP_LANGUAGE", "fr")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.metric[0].label == "Total dépensé"
    assert at.selectbox(key="period").options == [
        "Aujourd'hui",
        "7 derniers jours",
        "30 derniers jours",
        "Depuis le début",
    ]
    assert any("exécutions sur la période" in c.value for c in at.caption)


def test_scraper_runs_page_lists_runs_with_totals(tmp_path):
    seed(tmp_path)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/scraper_runs.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 3  # the default filter is the last 30 days
    assert any("3 runs, $7.70 in total" in unescape(c.value) for c in at.caption)
    at.text_input(key="runs_scraper").input("maps").run()
    assert len(at.dataframe[0].value) == 2


def test_bad_configuration_shows_one_clear_error(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://root:hunter2@db/x")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "DATABASE_URL must start with" in at.error[0].value and "hunter2" not in at.error[0].value


def test_settings_page_masks_keys_and_shows_the_database(monkeypatch, tmp_path):
    key = "sk-admin-FAKESECRETKEYVALUE-9f3a"
    monkeypatch.setenv("OPENAI_ADMIN_KEY", key)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    keys = dict(zip(table["Provider"], table["Key"], strict=True))
    assert keys["OpenAI"] == "OPENAI_ADMIN_KEY: ••••9f3a"
    assert keys["Anthropic"] == "ANTHROPIC_ADMIN_KEY: not set"
    shown = " ".join(str(v) for v in table.to_numpy().ravel()) + " ".join(m.value for m in at.markdown)
    assert key not in shown and "FAKESECRETKEYVALUE" not in shown
    assert "app.db" in at.code[0].value


def test_french_pages_write_figures_and_months_the_french_way(monkeypatch, tmp_path):
    seed(tmp_path)
    monkeypatch.setenv("APP_LANGUAGE", "fr")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert (at.metric[0].value, at.metric[0].delta) == ("3,30\xa0$US", "+3,30\xa0$US")  # the last 7 days
    assert any(c.value.startswith("2 exécutions") for c in at.caption), [c.value for c in at.caption]
    at.switch_page("pages/scraper_runs.py").run()
    table = at.dataframe[0].value
    assert list(table["Coût"]) == ["1,10\xa0$US", "2,20\xa0$US", "4,40\xa0$US"]
    assert list(table["Statut"]) == ["Réussie", "Réussie", "Échouée"]
    assert at.date_input(key="runs_from").proto.format == "DD/MM/YYYY"  # the filters read days the French way
    assert any("3 exécutions, 7,70\xa0$US au total" in unescape(c.value) for c in at.caption)
    at.switch_page("pages/report.py").run()
    assert not at.exception
    months = at.selectbox(key="report_month").options
    french = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre")
    assert all(m.split()[0] in (*french, "novembre", "décembre") for m in months), months


def test_the_runs_table_says_dash_for_what_nobody_reported(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'app.db'}")
    now = datetime.now(UTC).replace(microsecond=0)
    runs.save_runs(store, [ScraperRun("r1", "maps", now, "TIMED-OUT", None, item_count=None)])
    store.dispose()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/scraper_runs.py").run()
    [row] = at.dataframe[0].value.to_dict("records")
    assert (row["Cost"], row["Items"], row["Status"]) == ("—", "—", "Timed out")
    assert "None" not in map(str, row.values())


def test_a_provider_that_counts_no_runs_shows_no_runs(tmp_path):
    from core.cli import main

    assert main(["demo"], environ={"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}) == 0
    at = AppTest.from_file(APP, default_timeout=60).run()

    def counts() -> set[str]:
        """The units counted under the card and the chart ("24 runs"), and in the chart's hover ("Runs: 9")."""
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        captions = " ".join(c.value for c in at.caption)
        hovers = " ".join(str(h) for h in spec["data"][0]["customdata"])
        return {u.rstrip("s") for u in re.findall(r"\d (runs?|requests?)\b", captions)} | {
            u.rstrip("s") for u in re.findall(r"\b(Runs|Requests): \d", hovers)
        }

    at.selectbox(key="provider").set_value("anthropic").run()  # reports neither runs nor requests: no "0 runs"
    assert counts() == set()
    at.selectbox(key="provider").set_value("openai").run()
    assert counts() == {"request", "Request"}
    at.selectbox(key="provider").set_value("apify").run()
    assert counts() == {"run", "Run"}
    at.selectbox(key="provider").set_value("all").run()
    assert counts() == {"run", "Run", "request", "Request"}


def test_the_empty_state_with_keys_set_makes_collect_now_the_main_action(monkeypatch):
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-test-0000")
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", "sk-ant-admin01-test-0000")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "OpenAI and Anthropic" in at.info[0].value and "Collect now" in at.info[0].value
    shown = " ".join(e.value for e in [*at.info, *at.caption, *at.markdown])
    assert "openai" not in shown and "anthropic" not in shown  # providers by their names, never their ids
    assert at.button(key="collect_now").proto.type == "primary"
    assert at.button(key="load_demo").proto.type == "secondary"  # sample data: the other way to look around


def test_the_empty_state_without_keys_offers_sample_data_first():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.button(key="load_demo").proto.type == "primary"
    assert at.button(key="collect_now").proto.type == "secondary"
