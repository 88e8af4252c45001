"""Reconciliation: each provider's stored month against the provider's own independent total, on SQLite and
PostgreSQL, with the imitation serving both the itemised endpoints and the billing totals.

Every expectation is computed from the imitation's ledger: the itemised truth, plus the known amounts
(``Ledger.billing_extra``) that only the providers' billing totals include.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from core.cli import main
from core.collect import OK, collect
from core.config import Settings
from core.money import format_json
from core.periods import month_end, month_key, month_start, previous_month, utc_now
from core.providers import registry
from core.reconcile import CAUSES, FAILED, MATCHES, MISMATCH, SMALL_DRIFT, UNAVAILABLE, Reconciliation, reconcile
from core.store.db import open_store
from core.store.reconciliations import load_reconciliations
from tests.conftest import NO_SLEEP
from tests.imitation import KEYS, PROVIDER_NAMES, Imitation, Ledger, populate

SEP = date(2026, 9, 1)
NOW = datetime(2026, 10, 5, 12, tzinfo=UTC)  # September is closed, in the past of any real clock running this
CHECKED = ("openai", "anthropic", "deepgram", "apify")  # providers with a total for any closed month
USAGE_PATH = "/v2/users/me/usage/monthly"
MONEY = re.compile(r"^-?\d+\.\d{6,}$")


# ---------------------------------------------------------------- helpers


def days_of(month: date) -> list[date]:
    return [month + timedelta(days=i) for i in range((month_end(month) - month).days + 1)]


def percent(drift: Decimal, theirs: Decimal) -> Decimal | None:
    if theirs == 0:
        return None
    return (drift * 100 / theirs).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def september(**kw) -> Imitation:
    """A ledger from mid-August to early October: September's usage cycles reach outside the month."""
    return Imitation(NOW.date(), populate(Ledger(), date(2026, 8, 10), NOW.date()), **kw)


def collect_month(im: Imitation, store, month: date, now: datetime, settings: Settings | None = None):
    settings = settings or im.settings(store.engine.url.render_as_string(hide_password=False))
    result = collect(settings, store, month=month, transports=im.transports(), policy=NO_SLEEP, now=now)
    assert {o.status for o in result.outcomes.values()} == {OK}
    return settings


def check(im: Imitation, store, month: date, settings: Settings) -> dict[str, Reconciliation]:
    rows = reconcile(settings, store, month, transports=im.transports(), policy=NO_SLEEP)
    assert [r.provider for r in rows] == [n for n, p in registry().items() if p.configured(settings)]
    assert all(r.month == month for r in rows)
    return {r.provider: r for r in rows}


def assert_compared(
    row: Reconciliation, ours: Decimal, theirs: Decimal, status: str | None = None, settings: Settings | None = None
) -> None:
    """Stored and provider totals, drift and drift % exactly; the status as intended (and per the thresholds)."""
    drift = theirs - ours
    assert (row.spendboard_usd, row.provider_usd, row.drift_usd) == (ours, theirs, drift), row.provider
    assert row.drift_percent == percent(drift, theirs), row.provider
    settings = settings or Settings()
    if abs(drift) <= settings.reconcile_tolerance_usd:
        by_thresholds = MATCHES
    elif row.drift_percent is not None and abs(row.drift_percent) <= settings.reconcile_small_drift_percent:
        by_thresholds = SMALL_DRIFT
    else:
        by_thresholds = MISMATCH
    assert row.status == by_thresholds == (status or by_thresholds), row.provider
    assert row.source and isinstance(row.source, str)
    assert row.note == ("" if row.status == MATCHES else CAUSES[row.provider])


def stored(im: Imitation, month: date, seen_on: date) -> dict[str, Decimal]:
    return {n: e.cost for n, e in im.expected(month, seen_on=seen_on).items()}


def spread(ledger: Ledger, name: str, total: Decimal, days: list[date]) -> Decimal:
    """Bill ``total`` (exactly, to 1e-6) over ``days`` beyond the itemised figures; returns what was added."""
    total = total.quantize(Decimal("0.000001"))
    part = (total / len(days)).quantize(Decimal("0.000001"))
    for day in days[:-1]:
        ledger.add_billing_extra(name, day, part)
    ledger.add_billing_extra(name, days[-1], total - part * (len(days) - 1))
    return total


# ---------------------------------------------------------------- totals that agree


def test_every_provider_with_a_total_matches_when_the_figures_agree(store):
    im = september()
    settings = collect_month(im, store, SEP, NOW)
    rows = check(im, store, SEP, settings)
    ours = stored(im, SEP, NOW.date())
    for name in CHECKED:
        theirs = im.billing_total(name, SEP, month_end(SEP))
        assert theirs == ours[name] and theirs > 0
        assert_compared(rows[name], ours[name], theirs, MATCHES)
        assert rows[name].drift_percent == Decimal(0)
    for name in ("elevenlabs", "openrouter"):  # no independent total for a closed month
        row = rows[name]
        assert (row.status, row.spendboard_usd) == (UNAVAILABLE, ours[name])
        assert (row.provider_usd, row.drift_usd, row.drift_percent, row.source) == (None, None, None, None)
        assert row.note.startswith(registry()[name].label) and "\n" not in row.note
    # The totals were read without any grouping, from the billing endpoints.
    costs = [r for r in im.requests["openai"] if r.url.path.endswith("/costs")]
    assert any("group_by" not in r.url.params for r in costs)
    assert any("group_by[]" not in r.url.params for r in im.requests["anthropic"])
    billing = [r for r in im.requests["deepgram"] if r.url.path.endswith("/billing/breakdown")]
    ungrouped = {r.url.path.split("/")[3] for r in billing if "grouping" not in r.url.params}
    assert ungrouped == set(im.projects)
    assert not any(r.url.path.endswith("/keys") for r in im.requests["openrouter"])  # never asked


# ---------------------------------------------------------------- known drift


def test_known_extra_billing_is_reported_as_drift_exactly(store):
    im = september()
    settings = collect_month(im, store, SEP, NOW)
    ours = stored(im, SEP, NOW.date())
    ledger = im.ledger
    outside = [date(2026, 8, 31), date(2026, 10, 1)]  # billed, but not in September: never counted
    for name in CHECKED:
        for day in outside:
            ledger.add_billing_extra(name, day, "3.5")
    intended = {
        # 1 % more, on three days: a small drift
        "openai": (
            spread(ledger, "openai", ours["openai"] / 100, [SEP, date(2026, 9, 14), date(2026, 9, 30)]),
            SMALL_DRIFT,
        ),
        # 10 % more on one day: a mismatch
        "anthropic": (spread(ledger, "anthropic", ours["anthropic"] / 10, [date(2026, 9, 7)]), MISMATCH),
        # the provider counts 1.5 % less than Spendboard stored: a negative small drift
        "deepgram": (
            spread(ledger, "deepgram", -ours["deepgram"] * 3 / 200, [date(2026, 9, 3), date(2026, 9, 4)]),
            SMALL_DRIFT,
        ),
        # Apify platform fees outside runs (proxies, storage), every day: a mismatch
        "apify": (spread(ledger, "apify", ours["apify"] / 4, days_of(SEP)), MISMATCH),
    }
    rows = check(im, store, SEP, settings)
    for name, (extra, status) in intended.items():
        theirs = im.billing_total(name, SEP, month_end(SEP))
        assert theirs == ours[name] + extra == ours[name] + ledger.extra(name, SEP, month_end(SEP))
        assert_compared(rows[name], ours[name], theirs, status)
        assert rows[name].drift_usd == extra
        assert rows[name].drift_percent == (extra * 100 / (ours[name] + extra)).quantize(
            Decimal("0.01"), ROUND_HALF_EVEN
        )
    assert rows["deepgram"].drift_usd < 0 and rows["deepgram"].drift_percent < 0
    assert {rows[n].status for n in ("elevenlabs", "openrouter")} == {UNAVAILABLE}


def test_the_tolerance_is_inclusive_and_the_thresholds_come_from_the_settings(store):
    im = september()
    settings = collect_month(im, store, SEP, NOW)
    ours = stored(im, SEP, NOW.date())
    tolerance = settings.reconcile_tolerance_usd
    im.ledger.add_billing_extra("openai", date(2026, 9, 9), tolerance)  # exactly at the tolerance: a match
    im.ledger.add_billing_extra("anthropic", date(2026, 9, 9), tolerance + Decimal("0.000000001"))  # just over
    big = spread(im.ledger, "deepgram", ours["deepgram"] / 20, [date(2026, 9, 20)])  # about 4.76 %
    rows = check(im, store, SEP, settings)
    assert_compared(rows["openai"], ours["openai"], ours["openai"] + tolerance, MATCHES)
    assert rows["openai"].drift_usd == tolerance
    assert_compared(
        rows["anthropic"], ours["anthropic"], im.billing_total("anthropic", SEP, month_end(SEP)), SMALL_DRIFT
    )
    assert_compared(rows["deepgram"], ours["deepgram"], ours["deepgram"] + big, MISMATCH)
    exact = rows["deepgram"].drift_percent

    # The drift % at the configured limit is still small; a hundredth under it, a mismatch.
    lenient = im.settings(settings.database_url, reconcile_small_drift_percent=exact)
    rows = check(im, store, SEP, lenient)
    assert_compared(rows["deepgram"], ours["deepgram"], ours["deepgram"] + big, SMALL_DRIFT, lenient)
    strict = im.settings(settings.database_url, reconcile_small_drift_percent=exact - Decimal("0.01"))
    assert check(im, store, SEP, strict)["deepgram"].status == MISMATCH
    # A tolerance that covers the drift in dollars makes it a match whatever its percentage.
    loose = im.settings(settings.database_url, reconcile_tolerance_usd=big, reconcile_small_drift_percent=Decimal(0))
    rows = check(im, store, SEP, loose)
    assert_compared(rows["deepgram"], ours["deepgram"], ours["deepgram"] + big, MATCHES, loose)
    assert rows["anthropic"].status == MATCHES
    # And no tolerance at all turns the one-cent drift into a small drift.
    none = im.settings(settings.database_url, reconcile_tolerance_usd=Decimal(0))
    assert check(im, store, SEP, none)["openai"].status == SMALL_DRIFT


# ---------------------------------------------------------------- Apify usage cycles


@pytest.mark.parametrize("cycle_day", [1, 2, 15, 31])
def test_apify_usage_cycles_that_do_not_follow_the_calendar_month(cycle_day, store):
    im = september(apify_cycle_day=cycle_day)
    settings = collect_month(im, store, SEP, NOW)
    first_cycle, last_cycle = im.apify_cycle(SEP), im.apify_cycle(month_end(SEP))
    # Platform fees on days that share a usage cycle with September but are not in it, and two inside.
    for day in (first_cycle[0], SEP - timedelta(days=1), month_end(SEP) + timedelta(days=1), last_cycle[1]):
        if not SEP <= day <= month_end(SEP):
            im.ledger.add_billing_extra("apify", min(day, NOW.date()), "100")
    im.ledger.add_billing_extra("apify", date(2026, 9, 1), "0.125")
    im.ledger.add_billing_extra("apify", date(2026, 9, 30), "0.0625")

    row = check(im, store, SEP, settings)["apify"]
    ours = stored(im, SEP, NOW.date())["apify"]
    assert_compared(row, ours, ours + Decimal("0.1875"))
    assert row.drift_usd == Decimal("0.1875")

    asked = [date.fromisoformat(r.url.params["date"]) for r in im.requests["apify"] if r.url.path == USAGE_PATH]
    cycles = {im.apify_cycle(d) for d in days_of(SEP)}
    assert {im.apify_cycle(d) for d in asked} == cycles and len(asked) == len(cycles)  # each cycle once
    assert len(cycles) == (1 if cycle_day == 1 else 2)


# ---------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("name", "fault"), [("openai", 401), ("anthropic", 500), ("deepgram", 401), ("apify", 500), ("apify", 401)]
)
def test_a_provider_failing_its_check_is_reported_failed_and_the_others_still_compared(name, fault, store):
    im = september(echo_credentials=True)
    settings = collect_month(im, store, SEP, NOW)
    if fault == 401:
        im.rotate_key(name)  # the API now rejects the configured key, quoting it back
    else:
        im.down(name)
    rows = check(im, store, SEP, settings)
    ours = stored(im, SEP, NOW.date())

    row = rows[name]
    assert row.status == FAILED and row.spendboard_usd == ours[name]
    assert (row.provider_usd, row.drift_usd, row.drift_percent, row.source) == (None, None, None, None)
    assert str(fault) in row.note and "\n" not in row.note and len(row.note) < 400
    assert "unexpected error" not in row.note
    for secret in (*KEYS.values(), *settings.secret_values()):
        assert secret not in row.note
    if fault == 401:  # the imitation did echo the key: only the redaction kept it out
        assert KEYS[name] in im.handler(name)(im.requests[name][-1]).text
    for other in CHECKED:
        if other != name:
            assert_compared(rows[other], ours[other], im.billing_total(other, SEP, month_end(SEP)), MATCHES)
    assert {rows[n].status for n in ("elevenlabs", "openrouter")} == {UNAVAILABLE}


def test_a_malformed_or_hanging_total_fails_only_that_provider(store):
    im = september()
    settings = collect_month(im, store, SEP, NOW)
    im.malformed("apify", "wrong_shape")
    im.hang("openai")
    im.malformed("deepgram", "not_json")
    rows = check(im, store, SEP, settings)
    assert {n: r.status for n, r in rows.items() if r.status == FAILED} == dict.fromkeys(
        ("openai", "deepgram", "apify"), FAILED
    )
    assert "timed out" in rows["openai"].note and "malformed" in rows["deepgram"].note
    assert all("\n" not in r.note and "unexpected error" not in r.note for r in rows.values())
    assert rows["anthropic"].status == MATCHES


# ---------------------------------------------------------------- the current month (real clock)


def current(today: date, **kw) -> Imitation:
    return Imitation(today, populate(Ledger(), previous_month(today) - timedelta(days=3), today), **kw)


def test_openrouter_is_compared_for_the_current_month_only(today, store):
    im = current(today)
    this, last = month_start(today), previous_month(today)
    im.ledger.add_billing_extra("openrouter", this, "0.75")  # billed, but never in /activity
    settings = im.settings(store.engine.url.render_as_string(hide_password=False))
    result = collect(settings, store, transports=im.transports(), policy=NO_SLEEP, now=utc_now())
    assert {o.status for o in result.outcomes.values()} == {OK}

    rows = check(im, store, this, settings)
    ours = stored(im, this, today)
    todays = sum((e.cost for e in im.ledger.of("openrouter", today, today)), Decimal(0))
    extra_today = Decimal("0.75") if this == today else Decimal(0)
    theirs = im.keys_usage_monthly() - todays - extra_today  # like for like: today is not in /activity yet
    assert theirs == ours["openrouter"] + Decimal("0.75") - extra_today
    assert_compared(rows["openrouter"], ours["openrouter"], theirs)
    for name in CHECKED:  # the month to date, today included
        assert_compared(rows[name], ours[name], im.billing_total(name, this, today), MATCHES)
    keys = [r for r in im.requests["openrouter"] if r.url.path.endswith("/keys")]
    # every workspace's keys (the default one asked without workspace_id too), page by page until one is empty
    default = im.OPENROUTER_WORKSPACES[0][0]
    offsets = []
    for workspace in [None, *(w for w, _ in im.OPENROUTER_WORKSPACES)]:
        count, offset = sum(1 for *_, where in im.OPENROUTER_KEYS if where == (workspace or default)), 0
        while True:
            offsets.append((workspace, offset))
            page = min(im.keys_page_size, count - offset)
            if page <= 0:
                break
            offset += page
    asked = [(r.url.params.get("workspace_id"), int(r.url.params.get("offset", 0))) for r in keys]
    assert asked == offsets and len(offsets) > 2
    assert all(r.url.params.get("include_disabled") == "true" for r in keys)  # the revoked key's usage counts

    # The month before: OpenRouter keeps no counter for it, and is not even asked.
    asked = len(keys)
    assert check(im, store, last, settings)["openrouter"].status == UNAVAILABLE
    assert len([r for r in im.requests["openrouter"] if r.url.path.endswith("/keys")]) == asked


def test_openrouter_failing_its_current_month_check_is_failed(today, store):
    im = current(today, echo_credentials=True)
    settings = im.settings(store.engine.url.render_as_string(hide_password=False))
    collect(settings, store, transports=im.transports(), policy=NO_SLEEP, now=utc_now())
    im.rotate_key("openrouter")
    rows = check(im, store, month_start(today), settings)
    assert rows["openrouter"].status == FAILED and "401" in rows["openrouter"].note
    assert KEYS["openrouter"] not in rows["openrouter"].note and "\n" not in rows["openrouter"].note
    assert all(rows[n].status == MATCHES for n in CHECKED)


# ---------------------------------------------------------------- the command line, over real HTTP


def cli(capsys, argv: list[str], environ: dict[str, str]) -> tuple[int, str, str]:
    try:
        code = main(argv, environ)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def money(value: Decimal | None) -> str | None:
    return format_json(value)


def expected_json(im: Imitation, month: date, today: date, failed: tuple[str, ...] = ()) -> dict:
    """The exact ``reconcile --json`` body from the ledger (``source`` and ``note`` are checked apart)."""
    ours = stored(im, month, today)
    rows = []
    for name in PROVIDER_NAMES:
        row = {"provider": name, "spendboard_cost_usd": money(ours[name])}
        theirs = None if name in failed else im.billing_total(name, month, month_end(month))
        if name == "openrouter" and month != month_start(today):
            theirs = None
        if theirs is None:
            status = FAILED if name in failed else UNAVAILABLE
            row.update(provider_cost_usd=None, drift_usd=None, drift_percent=None, status=status)
        else:
            drift = theirs - ours[name]
            p = percent(drift, theirs)
            status = (
                MATCHES if abs(drift) <= Decimal("0.01") else SMALL_DRIFT if p is not None and abs(p) <= 2 else MISMATCH
            )
            row.update(
                provider_cost_usd=money(theirs),
                drift_usd=money(drift),
                drift_percent=None if p is None else float(p),
                status=status,
            )
        rows.append(row)
    return {"month": month_key(month), "providers": rows}


def comparable(body: dict) -> dict:
    """The body without each row's ``source`` and ``note`` (wording of core, checked apart)."""
    rows = [{k: v for k, v in row.items() if k not in ("source", "note")} for row in body["providers"]]
    return {**body, "providers": rows}


def test_cli_reconcile_json_exit_codes_and_saved_results(today, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml of the checkout can leak in
    db = tmp_path / "spend.db"
    im = current(today, echo_credentials=True)
    month = previous_month(today)
    ours = stored(im, month, today)
    small = spread(im.ledger, "openai", ours["openai"] / 200, [month + timedelta(days=4)])  # 0.5 %: small drift
    fees = spread(im.ledger, "apify", Decimal("0.4375"), days_of(month))  # platform fees: a mismatch or not
    with im.serve() as urls:
        env = im.environ(f"sqlite:///{db}", urls)
        assert cli(capsys, ["collect", "--month", month_key(month), "--json"], env)[0] == 0
        code, out, err = cli(capsys, ["reconcile", "--month", month_key(month), "--json"], env)
        im.rotate_key("deepgram")
        failed_code, failed_out, failed_err = cli(capsys, ["reconcile", "--month", month_key(month), "--json"], env)
        bad = cli(capsys, ["reconcile", "--month", "2026-13", "--json"], env)

    assert code == 0, err
    body = json.loads(out)
    want = expected_json(im, month, today)
    assert len(want["providers"]) == len(PROVIDER_NAMES)
    assert comparable(body) == want
    for row in body["providers"]:
        assert set(row) == {
            "provider",
            "spendboard_cost_usd",
            "provider_cost_usd",
            "drift_usd",
            "drift_percent",
            "status",
            "source",
            "note",
        }
        for key in ("spendboard_cost_usd", "provider_cost_usd", "drift_usd"):
            assert row[key] is None or MONEY.match(row[key]), row
        assert row["drift_percent"] is None or isinstance(row["drift_percent"], float)
        assert (row["source"] is None) == (row["provider_cost_usd"] is None)
        if row["status"] in (SMALL_DRIFT, MISMATCH):
            assert row["note"] == CAUSES[row["provider"]]
        elif row["status"] == MATCHES:
            assert row["note"] == ""
        else:
            assert row["note"].startswith(registry()[row["provider"]].label)
    by_name = {p["provider"]: p for p in body["providers"]}
    assert Decimal(by_name["openai"]["drift_usd"]) == small and by_name["openai"]["status"] == SMALL_DRIFT
    assert Decimal(by_name["apify"]["drift_usd"]) == fees
    assert by_name["elevenlabs"]["status"] == by_name["openrouter"]["status"] == UNAVAILABLE

    # One provider's check fails: exit 1, that provider failed, every other one still reported.
    assert failed_code == 1
    failed_body = json.loads(failed_out)
    assert comparable(failed_body) == expected_json(im, month, today, failed=("deepgram",))
    note = {p["provider"]: p["note"] for p in failed_body["providers"]}["deepgram"]
    assert "401" in note and "\n" not in note
    for text in (out, err, failed_out, failed_err):
        for secret in KEYS.values():
            assert secret not in text

    # A bad month: exit 2, one line on stderr, nothing on stdout.
    assert bad[0] == 2 and bad[1] == "" and bad[2].startswith("error: ") and bad[2].count("\n") == 1

    # The last check of every provider is saved, as printed.
    store = open_store(f"sqlite:///{db}")
    try:
        saved = load_reconciliations(store, month)
    finally:
        store.dispose()
    assert set(saved) == set(PROVIDER_NAMES)
    for row in failed_body["providers"]:
        s = saved[row["provider"]]
        assert (s.month, s.status, s.source, s.note) == (month, row["status"], row["source"], row["note"])
        assert money(s.spendboard_usd) == row["spendboard_cost_usd"]
        assert money(s.provider_usd) == row["provider_cost_usd"] and money(s.drift_usd) == row["drift_usd"]
        assert (None if s.drift_percent is None else float(s.drift_percent)) == row["drift_percent"]
