"""Budgets: kept in SQL on both backends, validated, edited from the command line."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.budgets import budget_use, email_lines, list_budgets, parse_amount, remove_budget, set_budget
from core.cli import main
from core.errors import InputError
from tests.guardrails_data import seed

D = Decimal


def test_set_replace_list_and_remove(store):
    set_budget(store, "total", "500")
    set_budget(store, "apify", D("120.50"))
    set_budget(store, "OpenAI", "$1,250.5")
    set_budget(store, "total", "650")  # replaces
    assert [(b.scope, b.monthly_usd) for b in list_budgets(store)] == [
        ("total", D("650.00")),
        ("openai", D("1250.50")),
        ("apify", D("120.50")),
    ]
    assert remove_budget(store, "apify") is True
    assert remove_budget(store, "apify") is False
    assert [b.scope for b in list_budgets(store)] == ["total", "openai"]


@pytest.mark.parametrize(
    ("scope", "amount", "message"),
    [
        ("everyone", "10", "budget scope must be total or a provider"),
        ("total", "ten", "must be a number of US dollars"),
        ("total", "0", "above 0"),
        ("total", "-5", "above 0"),
        ("total", "1e9", "below 1,000,000,000"),
        ("total", "NaN", "must be a number"),
        ("total", "10.001", "at most two decimals"),
    ],
)
def test_bad_budgets_are_refused_and_change_nothing(store, scope, amount, message):
    set_budget(store, "total", "100")
    with pytest.raises(InputError, match=message):
        set_budget(store, scope, amount)
    assert [(b.scope, b.monthly_usd) for b in list_budgets(store)] == [("total", D("100.00"))]


def test_amounts_are_exact_cents():
    assert parse_amount("0.1") + parse_amount("0.2") == D("0.30")
    assert str(parse_amount("7")) == "7.00"


def test_budget_use_of_a_running_and_a_closed_month(store):
    seed(store, "openai", {date(2026, 2, 1) + timedelta(days=i): 10 for i in range(37)})  # to 9 March
    set_budget(store, "total", "300")
    set_budget(store, "openai", "200")
    set_budget(store, "deepgram", "50")
    running = {u.scope: u for u in budget_use(store, date(2026, 3, 1), date(2026, 3, 10))}
    assert (running["openai"].spent_usd, running["openai"].percent) == (D(90), D("45.0"))
    assert running["openai"].forecast_usd == D(310) and running["total"].forecast_usd == D(310)
    assert (running["deepgram"].spent_usd, running["deepgram"].forecast_usd) == (D(0), D(0))
    closed = {u.scope: u for u in budget_use(store, date(2026, 2, 1), date(2026, 3, 10))}
    assert (closed["total"].spent_usd, closed["total"].forecast_usd, closed["total"].over) == (D(280), None, False)
    lines = email_lines(store, date(2026, 2, 1), date(2026, 3, 10))
    assert lines == [
        "The team: $280.00 of $300.00 (93.3%)",
        "OpenAI: $280.00 of $200.00 (140.0%) — over budget",
        "Deepgram: $0.00 of $50.00 (0.0%)",
    ]
    assert email_lines(store, date(2026, 2, 1), date(2026, 3, 10), "fr")[1].endswith("budget dépassé")


# ---------------------------------------------------------------- the command


def test_budget_commands(tmp_path, capsys):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}"}
    assert main(["budget", "set", "total", "500"], env) == 0
    assert main(["budget", "set", "openai", "120.50", "--json"], env) == 0
    assert json.loads(capsys.readouterr().out) == {"scope": "openai", "monthly_usd": "120.500000"}
    assert main(["budget", "list", "--json"], env) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"scope": "total", "monthly_usd": "500.000000"},
        {"scope": "openai", "monthly_usd": "120.500000"},
    ]
    assert main(["budget", "remove", "openai"], env) == 0
    assert main(["budget", "remove", "openai"], env) == 0
    assert "none was set" in capsys.readouterr().err
    assert main(["budget", "list", "--json"], env) == 0
    assert [b["scope"] for b in json.loads(capsys.readouterr().out)] == ["total"]


@pytest.mark.parametrize(
    "argv",
    [
        ["budget", "set", "total", "-1"],
        ["budget", "set", "total", "12.345"],
        ["budget", "set", "nobody", "12"],
        ["budget", "set", "total"],
        ["budget", "remove", "nobody"],
    ],
)
def test_bad_budget_input_exits_2_without_touching_the_database(tmp_path, capsys, argv):
    db = tmp_path / "b.db"
    assert main(argv, {"DATABASE_URL": f"sqlite:///{db}"}) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not db.exists()


def test_changing_a_budget_moves_the_data_version_the_cached_card_keys_on(store):
    from core.budgets import remove_budget, set_budget

    before = store.cache_key()
    set_budget(store, "total", "100")
    after_set = store.cache_key()
    remove_budget(store, "total")
    assert len({before, after_set, store.cache_key()}) == 3
