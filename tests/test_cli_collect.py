"""``python -m core collect`` / ``report`` end to end: the imitation served over real HTTP, every ``*_BASE_URL``
pointing at it, a temporary SQLite database, and expectations computed from the imitation's ledger.

The CLI runs at the real current date (it takes no clock), so the months used are this month and the last.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

import core.collect
from core.cli import main
from core.collect import history_start
from core.http import RetryPolicy
from core.periods import month_end, month_key, month_start, next_month, parse_month, previous_month
from tests.imitation import KEYS, PROVIDER_NAMES, Expected, Imitation, Ledger, populate

MONEY = re.compile(r"^-?\d+\.\d{6,}$")
# Real sleeps, but a small budget: a provider that never answers costs about two seconds, not forty.
SHORT = RetryPolicy(max_attempts=4, max_total_seconds=2.0, base_delay=0.05, max_delay=0.2)


# ---------------------------------------------------------------- helpers


@pytest.fixture
def im(today) -> Imitation:
    return Imitation(today, populate(Ledger(), previous_month(today), today), echo_credentials=True)


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml of the checkout can leak in
    return tmp_path / "spend.db"


def cli(capsys, argv: list[str], environ: dict[str, str]) -> tuple[int, str, str]:
    try:
        code = main(argv, environ)
    except SystemExit as exc:  # argparse errors exit from inside main, like ``python -m core``
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def collection_runs(db) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return conn.execute("SELECT count(*) FROM collection_runs").fetchone()[0] if "collection_runs" in tables else 0


def pct(current: Decimal, previous: Decimal | None) -> float | None:
    if previous is None or previous == 0:
        return None
    return float(((current - previous) * 100 / previous).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def money(value, want: Decimal | None) -> None:
    if want is None:
        assert value is None
        return
    assert isinstance(value, str) and MONEY.match(value), value
    assert Decimal(value) == want


def assert_no_secret(*texts: str, extra: tuple[str, ...] = ()) -> None:
    for text in texts:
        for secret in (*KEYS.values(), *extra):
            assert secret not in text


def assert_report_json(body: dict, month: date, current: dict[str, Expected], previous: dict[str, Expected] | None):
    assert body["month"] == month_key(month)
    providers = {p["provider"]: p for p in body["providers"]}
    assert set(providers) == set(PROVIDER_NAMES)
    for name, want in current.items():
        p = providers[name]
        money(p["cost_usd"], want.cost)
        assert p["requests"] == want.requests and (p["requests"] is None) == (name == "anthropic"), name
        prev = previous[name].cost if previous and previous[name].served else None  # served: no spend is $0
        money(p["previous_cost_usd"], prev)
        assert p["change_percent"] == pct(want.cost, prev), name
    total = sum((e.cost for e in current.values()), Decimal(0))
    served_before = [previous[n].cost for n in current if previous[n].served] if previous else []
    prev_total = sum(served_before, Decimal(0)) if served_before else None
    money(body["total_cost_usd"], total)
    money(body["previous_month_cost_usd"], prev_total)
    assert body["change_percent"] == pct(total, prev_total)
    assert isinstance(body["change_percent"], float | type(None))


# ---------------------------------------------------------------- tests


def test_collect_two_months_then_report_equals_the_ledger(im, db, today, capsys):
    this, last = month_start(today), previous_month(today)
    with im.serve() as urls:
        env = im.environ(f"sqlite:///{db}", urls)
        results = [cli(capsys, ["collect", "--month", month_key(m), "--json"], env) for m in (last, this)]
        reports = {m: cli(capsys, ["report", "--month", month_key(m), "--json"], env) for m in (last, this)}
    assert [code for code, _, _ in results] == [0, 0]
    assert all(im.requests[name] for name in PROVIDER_NAMES)  # every API was reached over HTTP
    want = {last: im.expected(last), this: im.expected(this)}

    for (_, out, err), month in zip(results, (last, this), strict=True):
        body = json.loads(out)
        assert body["month"] == month_key(month)
        for name, row in body["providers"].items():
            assert (row["status"], row["error"]) == ("ok", None), name
            money(row["cost_usd"], want[month][name].cost)
            assert row["requests"] == want[month][name].requests
        money(body["total_cost_usd"], sum((e.cost for e in want[month].values()), Decimal(0)))
        assert_no_secret(out, err)

    for month, previous in ((last, None), (this, want[last])):
        code, out, err = reports[month]
        assert code == 0
        assert_report_json(json.loads(out), month, want[month], previous)
        assert_no_secret(out, err)


def test_failures_exit_1_name_the_providers_and_keep_their_earlier_figures(im, db, today, capsys, monkeypatch):
    this = month_start(today)
    with im.serve() as urls:
        env = im.environ(f"sqlite:///{db}", urls)
        assert cli(capsys, ["collect", "--month", month_key(this), "--json"], env)[0] == 0
        before = im.expected(this)
        for name in PROVIDER_NAMES:  # every provider reports more today than at the first collection
            if name == "apify":
                im.ledger.add_run("lateRun1", "actLate", datetime.combine(today, datetime.min.time(), UTC), "0.5")
            elif name == "elevenlabs":
                im.ledger.add_credits(today, "eleven_v3", "text-to-speech", "12.5", 3)
            elif name != "openrouter":
                im.ledger.add(name, today, f"{name} late line", "0.123", 2, model=f"{name}-late")
        after = im.expected(this)
        im.fail_once("openai", 429, retry_after="1")
        im.down("anthropic")
        im.malformed("elevenlabs", "not_json")
        im.hang("deepgram")
        monkeypatch.setitem(core.collect.collect.__kwdefaults__, "policy", SHORT)
        code, out, err = cli(capsys, ["collect", "--month", month_key(this), "--json"], env)
        report_code, report_out, report_err = cli(capsys, ["report", "--month", month_key(this), "--json"], env)

    assert code == 1 and report_code == 0
    body = json.loads(out)
    failed = {n: row for n, row in body["providers"].items() if row["status"] == "failed"}
    assert set(failed) == {"anthropic", "elevenlabs", "deepgram"}
    assert "500" in failed["anthropic"]["error"]
    assert "malformed" in failed["elevenlabs"]["error"]
    assert "timed out" in failed["deepgram"]["error"]
    for name, row in body["providers"].items():
        want = (before if name in failed else after)[name]
        money(row["cost_usd"], want.cost)  # a failed provider's earlier figures are intact
        assert row["requests"] == want.requests
        if name in failed:
            assert row["error"].startswith(f"{name}: ") and "\n" not in row["error"]
            assert f"collect: {name} failed: {row['error']}" in err
        else:
            assert (row["status"], row["error"]) == ("ok", None)
    assert sum(r.url.path == "/v1/organization/costs" for r in im.requests["openai"]) > 1  # retried after 429

    report = {p["provider"]: p for p in json.loads(report_out)["providers"]}
    for name in PROVIDER_NAMES:
        money(report[name]["cost_usd"], (before if name in failed else after)[name].cost)
        assert report[name]["last_status"] == ("failed" if name in failed else "ok")
        assert report[name]["last_error"] == body["providers"][name]["error"]
    assert_no_secret(out, err, report_out, report_err)


def test_a_wrong_key_fails_that_provider_without_printing_any_key(im, db, capsys):
    wrong = "sk-admin-fake-wrong-key-echoed-by-api-0000"
    month = month_start(im.today)
    with im.serve() as urls:
        env = im.environ(f"sqlite:///{db}", urls, OPENAI_ADMIN_KEY=wrong)
        code, out, err = cli(capsys, ["collect", "--month", month_key(month), "--json"], env)
        # The imitation quotes the key it was sent: only the redaction keeps it off the terminal.
        assert wrong in im.handler("openai")(im.requests["openai"][-1]).text
    assert code == 1
    row = json.loads(out)["providers"]["openai"]
    assert row["status"] == "failed" and "401" in row["error"] and "OPENAI_ADMIN_KEY" in row["error"]
    assert (row["cost_usd"], row["availability"]) == (None, "not_collected")  # nothing stored: unknown, not $0
    assert_no_secret(out, err, extra=(wrong,))
    assert collection_runs(db) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["collect", "--month", "2026-13", "--json"],
        ["collect", "--provider", "nope", "--json"],
        ["collect", "--month", "FUTURE", "--json"],
        ["report", "--month", "2026-13", "--json"],
        ["collect", "--since", "FUTURE", "--json"],
        ["collect", "--since", "1999-12", "--json"],
        ["collect", "--since", "2026-01", "--month", "2026-02", "--json"],
    ],
    ids=["bad-month", "unknown-provider", "future-month", "report-bad-month", "future-since", "since-1999", "both"],
)
def test_bad_input_exits_2_and_writes_nothing(argv, im, db, today, capsys):
    argv = [month_key(next_month(today)) if a == "FUTURE" else a for a in argv]
    # Nothing may be fetched: every API points at a closed local port (a fetch would fail, and be recorded).
    closed = dict.fromkeys(
        ("OPENAI", "ANTHROPIC", "ELEVENLABS", "DEEPGRAM", "OPENROUTER", "APIFY"), "http://127.0.0.1:9"
    )
    code, out, err = cli(capsys, argv, im.environ(f"sqlite:///{db}", {f"{k}_BASE_URL": v for k, v in closed.items()}))
    assert code == 2
    assert out == "" and err.startswith("error: ") and err.count("\n") == 1
    assert collection_runs(db) == 0


def test_no_provider_configured_is_not_an_error(db, capsys):
    code, out, err = cli(capsys, ["collect", "--json"], {"DATABASE_URL": f"sqlite:///{db}"})
    assert code == 0
    body = json.loads(out)
    assert {row["status"] for row in body["providers"].values()} == {"not_configured"}
    assert all(row["cost_usd"] is None and row["error"] is None for row in body["providers"].values())
    assert "no provider is configured" in err


# ---------------------------------------------------------------- history (issue 12)


def months_from(first, today) -> list[str]:
    keys = []
    while first <= today:
        keys.append(month_key(first))
        first = next_month(first)
    return keys


def test_since_fetches_every_month_to_today_and_reports_each_month_on_stderr(db, today, capsys):
    since = month_start(history_start(today) - timedelta(days=1))  # four complete months back
    im = Imitation(today, populate(Ledger(), since - timedelta(days=40), today))
    with im.serve() as urls:
        env = im.environ(f"sqlite:///{db}", urls)
        code, _, err = cli(capsys, ["collect", "--since", month_key(since), "--json"], env)
        assert code == 0, err
        reports = {
            key: json.loads(cli(capsys, ["report", "--month", key, "--json"], env)[1])
            for key in months_from(since, today)
        }
        text = cli(capsys, ["report", "--month", month_key(since)], env)[1]
    keys = months_from(since, today)
    openrouter = next(line for line in text.splitlines() if line.strip().startswith("OpenRouter"))
    assert openrouter.split() == ["OpenRouter", "not", "available", "not", "available"]  # no figure, no change: why
    assert len(keys) == 5
    for name in PROVIDER_NAMES:
        progress = re.findall(
            rf"^collect: {name} (\d{{4}}-\d\d) (fetched|not available .*?) \[(\d+)/(\d+)\]$", err, re.M
        )
        assert [(key, f"{i}", f"{len(keys)}") for i, key in enumerate(keys, 1)] == [
            (k, i, n) for k, _, i, n in progress
        ]
        served = {k for k, what, _, _ in progress if what == "fetched"}
        if name != "openrouter":
            assert served == set(keys), name
        for key in keys:
            row = next(p for p in reports[key]["providers"] if p["provider"] == name)
            month = parse_month(key)
            want = im.expected(month)[name]
            if key in served:
                money(row["cost_usd"], want.cost)
            else:  # OpenRouter's months before its 30 days: no figure at all, never $0
                assert month_end(month) < im.openrouter_days()[0], key
                assert (row["cost_usd"], row["availability"], row["requests"]) == (None, "not_available", None)
    first_report = reports[keys[0]]
    assert first_report["previous_month_cost_usd"] is None and first_report["change_note"] == "not_collected"
    assert first_report["collected_since"] == since.isoformat()


def test_a_first_collection_prints_its_history_months(db, today, capsys):
    im = Imitation(today, populate(Ledger(), history_start(today), today))
    with im.serve() as urls:
        code, _, err = cli(capsys, ["collect"], im.environ(f"sqlite:///{db}", urls))
    assert code == 0
    assert f"collect: openai {month_key(history_start(today))} fetched [1/4]" in err
    assert f"collect: openai {month_key(today)} fetched [4/4]" in err
    assert (
        f"collect: openrouter {month_key(history_start(today))} not available (the API no longer serves it) [1/4]"
        in err
    )
