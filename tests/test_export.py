"""CSV of runs, chart days, a period and a month's providers and models: parsed back, the sums are the JSON's."""

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.cli import main
from core.export import chart_csv, report_models_csv, runs_csv
from core.models import ChartPoint, ScraperRun


@pytest.fixture
def demo_env(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    assert main(["demo"], environ=env) == 0
    return env


def run_cli(capsys, args, env) -> str:
    capsys.readouterr()
    assert main(args, environ=env) == 0
    return capsys.readouterr().out


def parse(text: str) -> list[dict]:
    assert not text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def total(rows, column="cost_usd") -> Decimal:
    return sum((Decimal(r[column]) for r in rows if r[column]), Decimal(0))


@pytest.mark.parametrize("range_", ["7d", "30d", "90d"])
def test_chart_csv_has_every_day_and_sums_to_the_json(capsys, demo_env, range_):
    rows = parse(run_cli(capsys, ["chart", "--range", range_, "--csv"], demo_env))
    points = json.loads(run_cli(capsys, ["chart", "--range", range_, "--json"], demo_env))
    assert [r["date"] for r in rows] == [p["date"] for p in points]
    assert total(rows) == sum((Decimal(p["cost_usd"]) for p in points), Decimal(0))
    assert sum(int(r["runs"]) for r in rows) == sum(p["runs"] for p in points)


@pytest.mark.parametrize("period", ["day", "week", "month", "all"])
def test_summary_csv_is_the_jsons_figure(capsys, demo_env, period):
    (row,) = parse(run_cli(capsys, ["summary", "--period", period, "--csv"], demo_env))
    figure = json.loads(run_cli(capsys, ["summary", "--period", period, "--json"], demo_env))
    assert Decimal(row["total_cost_usd"]) == Decimal(figure["total_cost_usd"])
    assert int(row["total_runs"]) == figure["total_runs"] and row["period"] == period


def test_runs_csv_rows_and_sums_match_the_json(capsys, demo_env):
    args = ["runs", "--from", "2026-10-01", "--to", "2026-10-31", "--limit", "5000"]
    rows = parse(run_cli(capsys, [*args, "--csv"], demo_env))
    page = json.loads(run_cli(capsys, [*args, "--json"], demo_env))
    assert len(rows) == page["total_runs"] == len(page["items"]) > 0
    assert total(rows) == Decimal(page["total_cost_usd"])
    assert [r["run_id"] for r in rows] == [i["run_id"] for i in page["items"]]
    assert rows[0]["started_at_utc"] == page["items"][0]["created_at"]  # the same UTC instant, ISO 8601


def test_report_csv_providers_and_models_sum_to_the_month(capsys, demo_env):
    providers = parse(run_cli(capsys, ["report", "--month", "2026-10", "--csv"], demo_env))
    models = parse(run_cli(capsys, ["report", "--month", "2026-10", "--csv", "--models"], demo_env))
    month = json.loads(run_cli(capsys, ["report", "--month", "2026-10", "--json"], demo_env))
    assert total(providers) == Decimal(month["total_cost_usd"]) == total(models)
    assert {r["provider"] for r in providers} == {p["provider"] for p in month["providers"]}
    for p in month["providers"]:
        row = next(r for r in providers if r["provider"] == p["provider"])
        assert Decimal(row["cost_usd"]) == Decimal(p["cost_usd"])
        assert (row["change_percent"] or None) == (None if p["change_percent"] is None else str(p["change_percent"]))
        assert total([m for m in models if m["provider"] == p["provider"]]) == Decimal(p["cost_usd"])


def test_csv_is_locale_free_in_french(capsys, demo_env):
    french = {**demo_env, "APP_LANGUAGE": "fr"}
    text = run_cli(capsys, ["report", "--month", "2026-10", "--csv"], french)
    assert text == run_cli(capsys, ["report", "--month", "2026-10", "--csv"], demo_env)
    assert "$" not in text and "\u202f" not in text and "," in text.splitlines()[1]


def test_money_keeps_full_precision_and_unknowns_are_empty():
    when = datetime(2026, 10, 20, 14, 3, tzinfo=UTC)
    text = runs_csv(
        [
            ScraperRun("r1", "maps", when, "SUCCEEDED", Decimal("0.0000004"), item_count=3),
            ScraperRun("r2", "maps", when, "RUNNING", None),
        ]
    )
    rows = parse(text)
    assert rows[0]["cost_usd"] == "0.0000004" and rows[0]["started_at_utc"] == "2026-10-20T14:03:00Z"
    assert rows[1]["cost_usd"] == "" and rows[1]["item_count"] == "" and rows[1]["finished_at_utc"] == ""
    assert chart_csv([ChartPoint(when.date(), Decimal("75.58"), 2, None)]) == (
        "date,cost_usd,runs,requests\n2026-10-20,75.580000,2,\n"
    )


def test_a_name_a_spreadsheet_would_run_is_defused_and_commas_are_quoted():
    from core.models import ModelCost, MonthReport, ProviderMonth

    provider = ProviderMonth(
        "openai",
        Decimal("-1.5"),
        None,
        None,
        None,
        None,
        None,
        [ModelCost('=HYPERLINK("http://x","y")', Decimal("-1.5"), 1), ModelCost("gpt-4o, input", Decimal(0), 2)],
    )
    report = MonthReport(datetime(2026, 10, 1).date(), Decimal("-1.5"), None, None, [provider], "")
    rows = parse(report_models_csv(report))
    assert rows[0]["model"] == '\'=HYPERLINK("http://x","y")' and rows[0]["cost_usd"] == "-1.500000"
    assert rows[1]["model"] == "gpt-4o, input"
