"""The pages' Download-CSV buttons (Runs table, the Overview chart's days, the report's providers and models): what
each button downloads, parsed back, has the figures the JSON of the command line has."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import core.ui.downloads
from core.cli import main
from core.periods import last_complete_month, month_key, utc_today
from tests.conftest import clean_app_env
from tests.test_export import parse, run_cli, total

APP = "../streamlit_app.py"


@pytest.fixture
def env(monkeypatch, tmp_path):
    url = clean_app_env(monkeypatch, tmp_path)
    assert main(["demo"], environ={"DATABASE_URL": url}) == 0
    st.cache_data.clear()
    st.cache_resource.clear()
    yield {"DATABASE_URL": url}
    st.cache_resource.clear()


@pytest.fixture
def downloads(monkeypatch):
    """``downloads(key)``: ``(file name, the CSV text)`` of the button the page drew under ``key``, built as a click
    builds it; the real button is drawn as well."""
    drawn: dict[str, tuple[str, object]] = {}
    real = core.ui.downloads.csv_button

    def button(build, file_name, *, key, f, label=None):
        drawn[key] = (file_name, build)
        real(build, file_name, key=key, f=f, label=label)

    monkeypatch.setattr(core.ui.downloads, "csv_button", button)

    def downloaded(key: str) -> tuple[str, str]:
        name, build = drawn[key]
        return name, build()

    return downloaded


def open_page(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at


def test_the_runs_csv_holds_every_run_of_the_filter_not_only_the_page_shown(capsys, env, downloads):
    at = open_page("pages/scraper_runs.py")
    shown = len(at.dataframe[0].value)
    name, text = downloads("runs_csv")
    today = utc_today()
    first = (today - timedelta(days=29)).isoformat()
    assert name == f"spendboard-runs-{first}-{today.isoformat()}.csv"
    args = ["runs", "--from", first, "--to", today.isoformat(), "--limit", "10000"]
    page = json.loads(run_cli(capsys, [*args, "--json"], env))
    rows = parse(text)
    assert shown == 100 < len(rows) == page["total_runs"]  # the table shows a page; the CSV has the filter's runs
    assert total(rows) == Decimal(page["total_cost_usd"])
    assert [r["run_id"] for r in rows] == [i["run_id"] for i in page["items"]]
    assert parse(run_cli(capsys, [*args, "--csv"], env)) == rows  # the command line's CSV, byte for byte the same


@pytest.mark.parametrize("range_", ["7d", "30d", "90d"])
def test_the_chart_csv_has_the_days_the_chart_shows(capsys, env, downloads, range_):
    at = open_page()
    at.selectbox(key="range").set_value(range_).run()
    _, text = downloads("chart_csv")
    rows = parse(text)
    points = json.loads(run_cli(capsys, ["chart", "--range", range_, "--json"], env))
    assert [r["date"] for r in rows] == [p["date"] for p in points]
    assert total(rows) == sum((Decimal(p["cost_usd"]) for p in points), Decimal(0))
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert len(figure["x"]) == len(rows)  # one row per day drawn


def test_the_report_csvs_sum_to_the_month(capsys, env, downloads):
    month = month_key(last_complete_month(utc_today()))
    at = open_page()
    at.switch_page("pages/report.py").run()
    assert not at.exception
    (providers_name, providers_csv), (models_name, models_csv) = downloads("providers_csv"), downloads("models_csv")
    assert (providers_name, models_name) == (f"spendboard-providers-{month}.csv", f"spendboard-models-{month}.csv")
    assert [b.proto.label for b in at.get("download_button")] == ["Providers (CSV)", "Models (CSV)"]  # told apart
    figures = json.loads(run_cli(capsys, ["report", "--month", month, "--json"], env))
    providers, models = parse(providers_csv), parse(models_csv)
    assert total(providers) == Decimal(figures["total_cost_usd"]) == total(models)
    for p in figures["providers"]:
        [row] = [r for r in providers if r["provider"] == p["provider"]]
        assert Decimal(row["cost_usd"]) == Decimal(p["cost_usd"])
        assert total([m for m in models if m["provider"] == p["provider"]]) == Decimal(p["cost_usd"])


def test_csv_from_the_french_app_is_locale_free(monkeypatch, env, downloads):
    monkeypatch.setenv("APP_LANGUAGE", "fr")
    at = open_page("pages/scraper_runs.py")
    assert at.get("download_button")[0].proto.label == "Télécharger en CSV"
    _, text = downloads("runs_csv")
    assert "$" not in text and "\u202f" not in text and "\xa0" not in text
    assert all(Decimal(r["cost_usd"]) >= 0 for r in parse(text) if r["cost_usd"])
