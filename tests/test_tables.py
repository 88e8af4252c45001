"""The Runs and models tables as people read them: money with its currency, words for statuses, '—' for unknowns,
start times in the viewer's zone; and the CSV button that goes with them."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from streamlit.testing.v1 import AppTest

from core.i18n.formats import Formats
from core.models import ModelCost, ProviderMonth, ScraperRun
from core.ui.tables import models_table, runs_table

PARIS = ZoneInfo("Europe/Paris")
RUNS = [
    ScraperRun(
        "r1",
        "maps",
        datetime(2026, 10, 20, 14, 3, tzinfo=UTC),
        "SUCCEEDED",
        Decimal("0.031284"),
        "app",
        item_count=8745,
    ),
    ScraperRun("r2", "shop", datetime(2026, 10, 20, 23, 30, tzinfo=UTC), "TIMED-OUT", None, "import"),
    ScraperRun("r3", "shop", datetime(2026, 10, 21, 1, 0, tzinfo=UTC), "NEW-STATUS", Decimal("2"), "elsewhere"),
]


def test_runs_table_in_french():
    table, config = runs_table(RUNS, Formats("fr", PARIS))
    assert list(table.columns) == [
        "Début (Europe/Paris)",
        "Exécution",
        "Scraper",
        "Statut",
        "Coût",
        "Éléments",
        "Origine",
    ]
    first, second, third = (table.iloc[i].tolist() for i in range(3))
    assert first == ["20 oct. 2026, 16:03", "r1", "maps", "Réussie", "0,031284\xa0$US", "8\u202f745", "Application"]
    assert second == ["21 oct. 2026, 01:30", "r2", "shop", "Délai dépassé", "—", "—", "Importée"]
    assert third[3:] == ["NEW-STATUS", "2,00\xa0$US", "—", "elsewhere"]  # unknown words pass through as data
    assert "UTC" in config["Début (Europe/Paris)"]["help"]


def test_runs_table_in_english_has_no_none_and_dollar_signs():
    table, _ = runs_table(RUNS, Formats("en"))
    cells = table.to_numpy().ravel().tolist()
    assert "None" not in map(str, cells) and None not in cells
    assert table["Cost"].tolist() == ["$0.031284", "—", "$2.00"]
    assert table["Status"].tolist() == ["Succeeded", "Timed out", "NEW-STATUS"]


def test_models_table_shares_of_the_provider():
    p = ProviderMonth(
        "openai",
        Decimal("10"),
        None,
        None,
        None,
        None,
        None,
        [ModelCost("gpt-4o", Decimal("7.5"), 3), ModelCost("o3", Decimal("2.5"), None)],
    )
    table, _ = models_table(p, Formats("fr"))
    assert table.iloc[0].tolist() == ["gpt-4o", "7,50\xa0$US", "75,0\xa0%"]
    assert table.iloc[1].tolist() == ["o3", "2,50\xa0$US", "25,0\xa0%"]


def _page_with_a_csv_button():
    from core.export import chart_csv
    from core.i18n.formats import Formats
    from core.ui.downloads import csv_button

    csv_button(lambda: chart_csv([]), "spendboard-chart.csv", key="chart_csv", f=Formats("fr"))


def test_csv_button_label_and_help_are_in_the_apps_language():
    at = AppTest.from_function(_page_with_a_csv_button, default_timeout=30).run()
    assert not at.exception
    (button,) = at.get("download_button")
    assert button.proto.label == "Télécharger en CSV" and "UTC" in button.proto.help
