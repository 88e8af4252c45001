"""The guardrails on the pages (AppTest): the Overview's budget card and chart overlay, the settings editor, the
report's budget use; and the chart overlay itself on fixed data."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import plotly.graph_objects as go
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import charts
from core.anomalies import Flag
from core.forecast import forecast_from
from core.i18n.formats import Formats
from core.models import ChartPoint
from core.periods import month_end, month_start, utc_today
from core.store.db import open_store
from core.store.guardrails import load_budgets, save_budget
from core.ui.guardrails import add_forecast_and_flags
from core.ui.text import escape
from tests.conftest import clean_app_env
from tests.guardrails_data import seed

APP = "../streamlit_app.py"
D = Decimal


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    clean_app_env(monkeypatch, tmp_path, "ALERT_WEBHOOK_URL", "ALERT_EMAIL_TO", "RESEND_API_KEY")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def app_store(tmp_path):
    return open_store(f"sqlite:///{tmp_path / 'app.db'}")


def spend(tmp_path, today: date, spike: date | None = None):
    """OpenAI at $20 a day for 50 days up to today; ``spike`` costs $900."""
    store = app_store(tmp_path)
    days = {today - timedelta(days=n): D(20) for n in range(50)}
    if spike:
        days[spike] = D(900)
    seed(store, "openai", days)
    return store


def figure(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_overview_budget_card_shows_month_to_date_against_the_budget_and_the_forecast(tmp_path):
    today = utc_today()
    store = spend(tmp_path, today)
    save_budget(store, "total", D(2000))
    store.dispose()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    spent = D(20) * today.day
    [bar] = at.get("progress")
    assert bar.proto.text == escape(f"${spent:,.2f} of $2,000.00 budget ({spent * 100 / 2000:.1f}%)")
    assert bar.proto.value == int(spent * 100 / 2000)
    left = month_end(today).day - today.day + 1
    forecast = D(20) * month_end(today).day
    assert any(
        c.value.startswith(escape(f"Forecast ${forecast:,.2f} (likely $"))
        and c.value.endswith((f"{left} days left", f"{left} day left"))
        for c in at.caption
    )
    traces = [t.get("name") for t in figure(at)["data"]]
    assert ("Forecast" in traces) == (today != month_end(today))


def test_overview_says_when_no_budget_is_set_and_follows_the_provider_filter(tmp_path):
    today = utc_today()
    store = spend(tmp_path, today)
    save_budget(store, "anthropic", D(10))
    store.dispose()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.get("progress")
    assert any("No monthly budget is set" in c.value for c in at.caption)
    at.selectbox(key="provider").set_value("anthropic").run()
    [bar] = at.get("progress")
    assert bar.proto.text.startswith(escape("$0.00 of $10.00 budget"))


def test_overview_marks_an_unusual_day_on_the_chart(tmp_path):
    today = utc_today()
    spend(tmp_path, today, spike=today - timedelta(days=3)).dispose()
    at = AppTest.from_file(APP, default_timeout=60).run()
    [marks] = [t for t in figure(at)["data"] if t.get("name") == "Unusual day"]
    spike = Formats("en").date(today - timedelta(days=3), "weekday")  # the chart's own day category
    assert marks["x"] == [spike] and marks["y"] == [900.0]
    assert "OpenAI: $900.00 vs usual $20.00" in marks["customdata"][0]


def test_settings_editor_sets_rejects_and_removes_budgets(tmp_path):
    app_store(tmp_path).dispose()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    assert any("No alert channel is configured" in c.value for c in at.caption)
    at.text_input(key="budget_amount_total").input("1250.50").run()
    at.button(key="budget_save").click().run()
    assert not at.exception
    assert "Budget saved: Whole team $1,250.50 a month." in at.success[0].value.replace("\\", "")
    store = app_store(tmp_path)
    assert load_budgets(store) == {"total": D("1250.50")}
    at.selectbox(key="budget_scope").set_value("openai").run()
    at.text_input(key="budget_amount_openai").input("12.345").run()
    at.button(key="budget_save").click().run()
    assert "at most two decimals" in at.error[0].value
    assert load_budgets(store) == {"total": D("1250.50")}
    at.selectbox(key="budget_scope").set_value("total").run()
    assert at.text_input(key="budget_amount_total").value == "1250.50"
    at.button(key="budget_remove").click().run()
    assert load_budgets(store) == {}
    store.dispose()


def test_settings_shows_the_webhook_masked(monkeypatch, tmp_path):
    secret = "https://hooks.slack.com/services/T0FAKE/B0FAKE/settingsPageSecret99"
    monkeypatch.setenv("ALERT_WEBHOOK_URL", secret)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/settings.py").run()
    shown = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    assert "hooks.slack.com/…••••et99" in shown.replace("\\", "")
    assert "settingsPageSecret99" not in shown


def test_report_shows_each_budget_use(tmp_path):
    today = utc_today()
    store = spend(tmp_path, today)
    save_budget(store, "openai", D(100))
    store.dispose()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/report.py").run()
    at.selectbox(key="report_month").set_value(month_start(today)).run()
    assert not at.exception
    [table] = [d.value for d in at.dataframe if "Budget" in d.value.columns]
    assert list(table["Scope"]) == ["OpenAI"]
    assert list(table["Spent"]) == [f"${20 * today.day:,.2f}"] and list(table["Budget"]) == ["$100.00"]


def test_report_lists_the_months_unusual_days(tmp_path):
    today = utc_today()
    first = month_start(today)
    spend(tmp_path, today, spike=first).dispose()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/report.py").run()
    at.selectbox(key="report_month").set_value(first).run()
    [table] = [d.value for d in at.dataframe if "Usual day" in d.value.columns]
    assert list(table["Day"]) == [Formats("en").date(first, "weekday")] and list(table["Provider"]) == ["OpenAI"]
    assert (list(table["Spent"]), list(table["Usual day"])) == (["$900.00"], ["$20.00"])


# ---------------------------------------------------------------- the overlay itself


def test_overlay_draws_the_rest_of_the_month_from_todays_point_and_marks_flags():
    today = date(2026, 3, 20)
    s = {today - timedelta(days=n): D(10) for n in range(40)}
    f = forecast_from({"openai": s}, date(2026, 3, 1), today)
    points = [ChartPoint(today - timedelta(days=n), D(10), 0, None) for n in range(6, -1, -1)]
    flags = [
        Flag(today - timedelta(days=2), "openai", D(10), D(1), D(9)),
        Flag(date(2026, 1, 1), "openai", D(5), D(1), D(9)),
    ]
    en = Formats("en")
    fig = add_forecast_and_flags(go.Figure(), points, f, flags, today, None, en)
    line, marks = fig.data
    assert line.line.dash == "dash"
    # on the chart's own day categories (core.charts.day_axes), so the overlay lines up with the spending area
    assert list(line.x) == [en.date(today + timedelta(days=n), "weekday") for n in range(12)]  # 20 -> 31 March
    assert line.x[0] == "Fri, Mar 20, 2026" and charts.spending_area(points, en).data[0].x[-1] == line.x[0]
    assert list(line.y) == [10.0] * 12 and line.customdata[0] == "Forecast: $10.00"
    assert list(marks.x) == [en.date(today - timedelta(days=2), "weekday")]  # the flag out of view is not drawn
    assert len(add_forecast_and_flags(go.Figure(), points, f, flags, today, "anthropic", en).data) == 0
