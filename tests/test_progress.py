"""A collection's progress events become a headline as it goes, one summary line at the end, details per step,
and the same phases on the command line's stderr."""

from core.cli import main
from core.i18n.formats import Formats
from core.progress import (
    ALERTS,
    ARCHIVE,
    EMAIL,
    FAILED,
    OK,
    RUNNING,
    SKIPPED,
    SNAPSHOTS,
    STEP,
    CliReporter,
    Tracker,
    parse_step,
    step_detail,
)

EN, FR = Formats("en"), Formats("fr")
LABELS = {"openai": "OpenAI", "anthropic": "Anthropic", "apify": "Apify"}


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_step_details_round_trip():
    assert parse_step(step_detail(3, 12)) == (3, 12)
    assert parse_step(step_detail(5)) == (5, None)
    assert parse_step("garbage") == (None, None) and parse_step(None) == (None, None)


def test_the_headline_follows_the_collection_through_every_phase():
    clock = Clock()
    tr = Tracker(LABELS, clock)
    assert tr.headline(EN) == "Starting the collection…"
    for name in LABELS:
        tr(name, RUNNING)
    assert tr.headline(EN) == "Collecting from providers: 0 of 3 done…"
    tr("openai", OK)
    tr("apify", FAILED, "HTTP 401: bad token")
    assert tr.headline(EN) == "Collecting from providers: 2 of 3 done…"
    assert tr.headline(FR) == "Collecte auprès des fournisseurs (2 sur 3)…"
    tr("anthropic", OK)
    assert tr.headline(EN) == "Finishing: saving the figures…"  # before collect names its next phase
    tr(SNAPSHOTS, RUNNING)
    assert tr.headline(EN) == "Saving the months' figures…"
    tr(SNAPSHOTS, OK)
    tr(ARCHIVE, RUNNING)
    assert tr.headline(EN) == "Writing the Notion archive…"
    tr(ARCHIVE, STEP, step_detail(1))
    assert tr.headline(EN) == "Writing the Notion archive: 1 page written…"
    assert tr.headline(FR) == "Écriture de l'archive Notion : 1 page écrite…"
    tr(ARCHIVE, STEP, step_detail(4, 14))
    assert tr.headline(EN) == "Writing the Notion archive: page 4 of 14…"
    tr(ARCHIVE, OK, step_detail(14, 14))
    tr(EMAIL, RUNNING)
    assert tr.headline(FR) == "Envoi de l'e-mail du rapport…"


def test_the_summary_is_one_line_in_each_language():
    clock = Clock()
    tr = Tracker(LABELS, clock)
    for name in LABELS:
        tr(name, RUNNING)
    clock.now += 1.25
    tr("openai", OK)
    tr("anthropic", OK)
    tr("apify", FAILED, "HTTP 401")
    tr(SNAPSHOTS, RUNNING)
    tr(SNAPSHOTS, OK)
    tr(ARCHIVE, RUNNING)
    tr(ARCHIVE, OK, step_detail(24, 24))
    tr(ALERTS, OK, step_detail(0))  # no alert: no news
    tr(EMAIL, SKIPPED, "not configured")
    clock.now += 12
    tr.finish()
    assert tr.summary(EN) == (
        "2 of 3 providers collected; failed: Apify · Notion archive: 24 pages written · 13\xa0s in all"
    )
    assert tr.summary(FR) == (
        "2 fournisseurs collectés sur 3 ; en échec : Apify · archive Notion : 24 pages écrites · 13\xa0s au total"
    )
    assert tr.failed == ["apify"]


def test_all_collected_and_singular_forms():
    clock = Clock()
    tr = Tracker(LABELS, clock)
    tr("openai", RUNNING)
    clock.now += 2.5
    tr("openai", OK)
    tr(ARCHIVE, RUNNING)
    tr(ARCHIVE, OK, step_detail(1, 1))
    tr(ALERTS, OK, step_detail(1))
    tr.finish()
    assert tr.summary(EN) == (
        "1 provider collected · Notion archive: 1 page written · 1 spending alert sent · 2.5\xa0s in all"
    )
    assert tr.summary(FR) == (
        "1 fournisseur collecté · archive Notion : 1 page écrite · 1 alerte de dépenses envoyée · 2,5\xa0s au total"
    )


def test_a_repeated_final_status_keeps_the_first_and_details_hold_the_providers_words():
    clock = Clock()
    tr = Tracker(LABELS, clock)
    tr("openai", RUNNING)
    clock.now += 1
    tr("openai", FAILED, "HTTP 500 ![x](http://evil)")
    clock.now += 5
    tr("openai", FAILED, "again")  # collect repeats every final status once all providers are done
    status, line, error = tr.row("openai", EN)
    assert (status, line, error) == (FAILED, "OpenAI: failed in 1.0\xa0s", "HTTP 500 ![x](http://evil)")
    tr(ARCHIVE, FAILED, "Notion said no")
    assert tr.details(EN)[-1] == (FAILED, "Notion archive: failed", "Notion said no")
    assert "Notion archive failed; its months stay pending" in tr.summary(EN)


def test_the_command_line_prints_each_phase_and_the_summary():
    clock = Clock()
    lines: list[str] = []
    report = CliReporter(lines.append, EN, clock=clock, every=2.0)
    report("openai", RUNNING)
    clock.now += 1.5
    report("openai", OK)
    report("openai", OK)  # repeated: printed once
    report("deepgram", RUNNING)
    report("deepgram", FAILED, "HTTP 401: check DEEPGRAM_API_KEY")
    report(ARCHIVE, RUNNING)
    for n in range(1, 11):
        clock.now += 0.5
        report(ARCHIVE, STEP, step_detail(n, 10))
    report(ARCHIVE, OK, step_detail(10, 10))
    report.finish()
    assert lines[:4] == [
        "collect: openai fetching…",
        "collect: openai ok in 1.5\xa0s",
        "collect: deepgram fetching…",
        "collect: deepgram failed: HTTP 401: check DEEPGRAM_API_KEY",
    ]
    pages = [line for line in lines if "page " in line and " of 10" in line]
    assert pages[-1] == "collect: Writing the Notion archive: page 10 of 10…"  # the last one always
    assert 2 <= len(pages) <= 4  # ten steps in five seconds, at most one line every two seconds
    assert lines[-2].startswith("collect: Notion archive: 10 pages written in")
    assert lines[-1].startswith("collect: done, 1 of 2 providers collected; failed: deepgram")


def test_cli_collect_without_providers_says_so_in_french(tmp_path, capsys):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "APP_LANGUAGE": "fr"}
    assert main(["collect"], environ=env) == 0
    err = capsys.readouterr().err
    assert "collect : terminé, Aucun fournisseur n'est configuré" in err
