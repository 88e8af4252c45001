"""The command line's human lines come from the catalogue and follow ``APP_LANGUAGE``; JSON stays locale-free.

Every command runs against the imitation (all six providers configured) on a database holding collected months and
sample data. Under the pseudo-catalogue of ``tests/i18n_pages`` every line it prints (stdout without ``--json``,
stderr progress, summaries and errors) must be made of ``⟦…⟧`` segments and data only: provider ids and names, table
and column names, scraper and run ids, alert keys, paths, and the words providers and adapters say themselves.
"""

from __future__ import annotations

import json
import re
from calendar import monthrange

from sqlalchemy import select

from core.cli import main
from core.i18n import AREAS, LANGUAGES
from core.periods import month_key, previous_month
from core.providers import NAMES, get_provider, label
from core.store.db import open_store
from core.store.schema import metadata
from tests.i18n_pages import hard_coded_lines, pseudo_catalogue


def run(capsys, argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    code = main(argv, env)
    out, err = capsys.readouterr()
    return code, out, err


def _commands(today, tmp_path) -> list[list[str]]:
    last = month_key(previous_month(today))
    return [
        ["demo"],
        ["collect", "--month", last],
        ["collect"],
        ["demo"],  # refused: the database holds real figures now
        ["summary"],
        ["summary", "--period", "all", "--provider", "apify"],
        ["chart", "--range", "7d"],
        ["runs", "--limit", "5"],
        ["runs", "--limit", "5", "--json"],  # (not checked: the ids it names are data)
        ["report", "--month", last],
        ["forecast"],
        ["anomalies"],
        ["anomalies", "--days", "1"],
        ["budget", "list"],
        ["budget", "set", "total", "1"],
        ["budget", "set", "openai", "1000"],
        ["budget", "list"],
        ["forecast"],
        ["alerts", "check"],
        ["alerts", "check"],
        ["budget", "remove", "openai"],
        ["budget", "remove", "openai"],
        ["reconcile", "--month", last],
        ["doctor"],
        ["apify", "backfill", "--days", "7"],
        ["apify", "backfill", "--days", "1", "--reset"],
        ["backup", str(tmp_path / "copy.sqlite")],
        ["migrate", "--to", f"sqlite:///{tmp_path / 'moved.db'}"],
        ["demo", "--remove"],
        ["demo", "--remove"],
        # the errors a person meets
        ["send-report"],
        ["notion", "sync"],
        ["report", "--month", "2999-01"],
        ["runs", "--from", "2026-13-01"],
        ["runs", "--from", "2026-02-03", "--to", "2026-02-01"],
        ["runs", "--user-id", "no spaces allowed"],
        ["report", "--models"],
        ["migrate", "--to", "sqlite://"],
        ["budget", "set", "total", "12.345"],
    ]


def _data(env: dict[str, str], capsys, tmp_path) -> set[str]:
    """What a line may show besides catalogue text: names, ids and the providers' and adapters' own words."""
    data = {*NAMES, *(label(n) for n in NAMES), *(get_provider(n).auth_hint for n in NAMES), "demo", str(tmp_path)}
    data |= {t.name for t in metadata.sorted_tables} | {c.name for t in metadata.sorted_tables for c in t.columns}
    data |= {"backup", "migrate", "total"}  # command names ("what" of the transfer summary), the team's budget scope
    checks = json.loads(run(capsys, ["doctor", "--json"], env)[1])
    data |= {c["detail"] for d in checks for c in d["checks"]}
    store = open_store(env["DATABASE_URL"])
    try:
        with store.engine.connect() as conn:
            for table, column in (("alerts", "key"), ("scraper_runs", "run_id"), ("scraper_runs", "scraper_id")):
                data |= set(conn.execute(select(metadata.tables[table].c[column])).scalars())
            data |= set(conn.execute(select(metadata.tables["reconciliations"].c.note)).scalars())
    finally:
        store.dispose()
    return {d for d in data if d}


def test_every_commands_human_lines_come_from_the_catalogue(im, db, today, tmp_path, capsys):
    printed: list[tuple[list[str], str]] = []
    with im.serve() as urls:
        env = im.environ(f"sqlite:///{db}", urls)
        with pseudo_catalogue():
            for argv in _commands(today, tmp_path):
                _, out, err = run(capsys, argv, env)
                if "--json" in argv:
                    runs = json.loads(out)["items"]
                    ids = {r["run_id"] for r in runs} | {r["scraper_id"] for r in runs}
                else:
                    printed += [(argv, line) for line in (out + err).splitlines()]
        data = _data(env, capsys, tmp_path) | ids
    assert hard_coded_lines(["⟦collect: done⟧", "openai done"], data=data) == ["openai done"]  # the check can fail
    bad = hard_coded_lines([line for _, line in printed], data=data)
    assert bad == [], bad
    by_command = {" ".join(argv) for argv, _ in printed}
    assert len(by_command) >= 30  # nearly every command printed something to check
    errors = [line for _, line in printed if line.startswith("⟦error: ")]
    assert len(errors) == 10, errors  # the refused commands, each on one catalogue line


def test_french_lines_use_french_months_and_numbers_and_json_stays_the_same(im, db, today, capsys):
    last = previous_month(today)
    with im.serve() as urls:
        env = im.environ(f"sqlite:///{db}", urls)
        run(capsys, ["collect", "--month", month_key(last)], env)
        run(capsys, ["collect"], env)
        en = {cmd: run(capsys, [cmd, "--json"], env)[1] for cmd in ("summary", "forecast")}
        fr_env = {**env, "APP_LANGUAGE": "fr"}
        assert {cmd: run(capsys, [cmd, "--json"], fr_env)[1] for cmd in en} == en  # JSON is locale-free
        _, report, _ = run(capsys, ["report", "--month", month_key(last)], fr_env)
        _, forecast, _ = run(capsys, ["forecast"], fr_env)
        _, _, budget = run(capsys, ["budget", "set", "total", "1234.5"], fr_env)
        _, _, refused = run(capsys, ["report", "--month", "2999-01"], fr_env)
        _, _, none = run(capsys, ["anomalies", "--days", "1", "--provider", "deepgram"], fr_env)
    months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    assert report.startswith(f"{months[last.month - 1]} {last.year} : ")
    assert re.search(r"\d,\d\d\u00a0\$US", report) and "$" not in report.replace("$US", "")
    assert forecast.startswith(f"{months[today.month - 1]} {today.year} : ")
    assert f" jours sur {monthrange(today.year, today.month)[1]} ; " in forecast or today.day == 1
    assert "prévision" in forecast and re.search(r"\d,\d\d\u00a0\$US", forecast)
    assert budget == "budget total : 1\u202f234,50\u00a0$US par mois\n"
    assert refused.startswith("erreur : le mois 2999-01 n'a pas encore commencé")
    assert none == "aucun jour inhabituel le dernier jour\n"  # CLDR: French 1 is singular


def test_every_area_has_the_same_keys_in_both_languages():
    from importlib import import_module

    for area in AREAS:
        strings = import_module(f"core.i18n.{area}").STRINGS
        keys = {lang: set(strings.get(lang, {})) for lang in LANGUAGES}
        assert all(keys[lang] == keys["en"] for lang in LANGUAGES), (area, keys["en"] ^ keys["fr"])


def test_a_keyed_error_is_english_as_text_and_rendered_in_the_apps_language():
    from datetime import datetime

    from core.errors import Busy
    from core.i18n import describe
    from core.locks import Holder

    holder = Holder("collection", "Apify back-fill", "python -m core collect", "host1", 42, datetime(2026, 11, 3, 9, 5))
    error = Busy.keyed("err_busy", holder=holder.describe())
    assert str(error) == (
        "an Apify back-fill started at 2026-11-03 09:05 UTC by python -m core collect on host1 (pid 42) is still "
        "running; try again when it has finished"
    )
    assert describe(error, "fr") == (
        "un import Apify depuis le 2026-11-03 09:05 UTC par python -m core collect sur host1 (pid 42) est toujours "
        "en cours ; réessayez quand ce sera terminé"
    )
    assert describe(ValueError("a provider's own words"), "fr") == "a provider's own words"
