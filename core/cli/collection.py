"""Commands that fetch from the providers: ``collect``, ``apify backfill|record``, ``reconcile``, ``demo``."""

from __future__ import annotations

from core.cli.base import EXIT_FAILED, EXIT_OK, Parser, err, int_in, month, out, wait_option
from core.limits import MAX_BACKFILL_DAYS
from core.providers import NAMES


def register(sub) -> None:
    apify = sub.add_parser("apify", help="Apify scraper runs").add_subparsers(
        dest="apify_command", required=True, parser_class=Parser
    )
    p = apify.add_parser("backfill", help="import every run started in the last N days")
    p.add_argument("--days", type=int_in(1, MAX_BACKFILL_DAYS, "--days"), default=90)
    p.add_argument("--reset", action="store_true", help="delete previously imported runs first")
    p.add_argument("--json", action="store_true")
    wait_option(p, "a collection or back-fill")
    p.set_defaults(handler=apify_backfill)
    p = apify.add_parser("record", help="fetch one run and store it (idempotent)")
    p.add_argument("run_id")
    p.add_argument("--scraper-id")
    p.add_argument("--user-id")
    p.add_argument("--source", default="app")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=apify_record)

    p = sub.add_parser("collect", help="pull every configured provider's billing data into the database")
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--month",
        type=month,
        help="YYYY-MM (default: this UTC month to date + the previous month; a provider's first collection also "
        "fetches the three complete months before, as far as its API still serves them)",
    )
    which.add_argument("--since", type=month, help="YYYY-MM: every month from this one to today, for every provider")
    p.add_argument(
        "--provider", nargs="+", choices=list(NAMES), metavar="NAME", help=f"only these providers ({', '.join(NAMES)})"
    )
    p.add_argument("--send-email", action="store_true", help="then send the month's report email")
    p.add_argument("--json", action="store_true")
    wait_option(p, "a collection or back-fill")
    p.set_defaults(handler=collect)

    p = sub.add_parser("reconcile", help="compare each provider's stored month with the provider's own total")
    p.add_argument("--month", type=month, help="YYYY-MM (default: the last complete month)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=reconcile)

    p = sub.add_parser("demo", help="load clearly-labelled sample data")
    p.add_argument("--reset", action="store_true", help="remove earlier sample data, then load it again")
    p.add_argument("--remove", action="store_true", help="only remove the sample data")
    p.set_defaults(handler=demo)


def apify_record(args, ctx) -> int:
    from core import jsonout
    from core.scraper_runs import record_scraper_run

    run = record_scraper_run(
        ctx.settings, ctx.store, args.run_id, scraper_id=args.scraper_id, user_id=args.user_id, source=args.source
    )
    f = ctx.f
    out(
        jsonout.dumps(jsonout.run_json(run))
        if args.json
        else f.t("cli_recorded", run=run.run_id, cost=f.money(run.cost_usd, exact=True))
    )
    return EXIT_OK


def apify_backfill(args, ctx) -> int:
    from core import jsonout
    from core.audit import recorded
    from core.errors import ConfigError
    from core.people import cli_person
    from core.providers import get_provider
    from core.scraper_runs import backfill

    apify = get_provider("apify")
    if not apify.configured(ctx.settings):  # before anything is recorded: a refused command writes nothing
        raise ConfigError.keyed("err_key_not_set", env=apify.key_env, hint=apify.auth_hint)
    f = ctx.f

    def progress(done: int, total: int) -> None:
        err(f.t("cli_backfill_progress", done=done, count=total))

    if args.reset:
        err(f.t("cli_backfill_reset"))
    ctx.announce_wait(args.wait)
    with recorded(ctx.store, cli_person(), "backfill", days=args.days, reset=args.reset):
        result = backfill(
            ctx.settings, ctx.store, days=args.days, reset=args.reset, progress=progress, lock_wait=args.wait
        )
    if args.json:
        out(jsonout.dumps(result.__dict__))
    else:
        out(
            f.t(
                "cli_backfill_done",
                count=result.days,
                runs=f.t("cli_backfill_runs", count=result.fetched),
                cost=f.money(result.total_cost_usd, exact=True),
                pages=f.t("cli_backfill_pages", count=result.pages),
                deleted=f.t("cli_backfill_deleted", count=result.deleted),
            )
        )
    return EXIT_OK


def collect(args, ctx) -> int:
    from core import jsonout
    from core.audit import FAILED, PARTIAL, recorded
    from core.collect import NOT_CONFIGURED
    from core.collect import collect as run_collection
    from core.errors import SpendError
    from core.money import ZERO
    from core.people import cli_person
    from core.periods import last_complete_month, month_key, utc_today
    from core.progress import CliReporter

    settings = ctx.settings
    f = ctx.f
    progress = CliReporter(err, f)
    month_ = month_key(args.month) if args.month else None
    ctx.announce_wait(args.wait)
    since = {"since": month_key(args.since)} if args.since else {}
    with recorded(ctx.store, cli_person(), "collect", month=month_, providers=args.provider, **since) as entry:
        result = run_collection(
            settings,
            ctx.store,
            month=args.month,
            since=args.since,
            providers=args.provider,
            progress=progress,
            lock_wait=args.wait,
        )
        progress.finish()
        tried = [o for o in result.outcomes.values() if o.status != NOT_CONFIGURED]
        if result.failed:
            entry.outcome = FAILED if len(result.failed) == len(tried) else PARTIAL
    report = result.report
    by_name = {p.provider: p for p in report.providers}
    providers = {}
    for name, outcome in result.outcomes.items():
        row = by_name.get(name)
        figure = outcome.status != NOT_CONFIGURED and (row is None or row.has_figure)
        providers[name] = {
            "status": outcome.status,
            "cost_usd": (row.cost_usd if row else ZERO) if figure else None,  # unknown is never $0
            "requests": (row.requests if row else None) if figure else None,
            "availability": row.availability if row else None,
            "error": outcome.error,
        }
    if not any(o.status != NOT_CONFIGURED for o in result.outcomes.values()):
        err(f.t("cli_collect_no_provider"))
    if args.json:
        out(
            jsonout.dumps(
                {
                    "month": report.key,
                    "providers": providers,
                    "total_cost_usd": report.total_cost_usd,
                    "previous_month_cost_usd": report.previous_month_cost_usd,
                    "change_percent": jsonout.percent(report.change_percent),
                }
            )
        )
    else:
        for name, row in providers.items():
            status = f.t(f"status_{row['status']}")
            if row["cost_usd"] is not None:
                cost = f.money(row["cost_usd"])
            else:  # no figure: say why, never $0
                cost = f.t(f"availability_{row['availability']}") if row["availability"] else ""
            out(f"{name:<11} {status:<15} {cost:>16}  {row['error'] or ''}".rstrip())
        out(f.t("cli_collect_total", month=f.month(report.month), total=f.money(report.total_cost_usd)))
    code = EXIT_FAILED if result.failed else EXIT_OK
    if result.archive is not None:
        err(result.archive.describe(f))
    from core.cli.guardrails import tell_alerts

    code = max(code, tell_alerts(result.alerts, ctx))  # the budget and anomaly alerts collect() checked
    if args.send_email:
        from core.email import send_report

        send_month = args.month or last_complete_month(utc_today())
        try:
            with recorded(ctx.store, cli_person(), "send", month=month_key(send_month)):
                sent = send_report(settings, ctx.store, send_month)
        except SpendError as exc:
            err(f.t("cli_send_failed", error=settings.redact(f.error(exc))))
            return EXIT_FAILED
        from core.cli.delivery import tell_sent

        tell_sent(sent, f)
    return code


def reconcile(args, ctx) -> int:
    from core import jsonout
    from core.audit import FAILED, recorded
    from core.people import cli_person
    from core.periods import last_complete_month, month_key, utc_today
    from core.reconcile import reconcile as run_reconcile
    from core.store.reconciliations import save_reconciliations

    month_ = args.month or last_complete_month(utc_today())
    with recorded(ctx.store, cli_person(), "reconcile", month=month_key(month_)) as entry:
        rows = run_reconcile(ctx.settings, ctx.store, month_)
        save_reconciliations(ctx.store, rows)
        if any(r.status == "failed" for r in rows):
            entry.outcome = FAILED
    f = ctx.f
    if args.json:
        out(jsonout.dumps({"month": month_key(month_), "providers": [jsonout.reconciliation_json(r) for r in rows]}))
    else:
        for r in rows:
            line = f.t(
                "cli_recon_line",
                provider=r.provider,
                status=f.t(f"recon_{r.status}"),
                ours=f.money(r.spendboard_usd, exact=True),
            )
            if r.drift_usd is not None:
                drift = f.money(r.drift_usd, signed=True, exact=True)
                line += "  " + f.t(
                    "cli_recon_drift", drift=drift, percent=f.percent(r.drift_percent or 0, digits=2, signed=True)
                )
            out(f"{line}  {r.note}".rstrip())
    if not rows:
        err(f.t("cli_recon_none"))
    return EXIT_FAILED if any(r.status == "failed" for r in rows) else EXIT_OK


def demo(args, ctx) -> int:
    from core.demo import load_demo_data, remove_sample_data
    from core.periods import utc_now

    f = ctx.f
    if args.remove:
        removed = remove_sample_data(ctx.store)
        err(f.t("cli_demo_removed" if removed else "cli_demo_none"))
        return EXIT_OK
    result = load_demo_data(ctx.store, utc_now(), reset=args.reset)
    runs, lines = f.t("cli_demo_runs", count=result.runs), f.t("cli_demo_lines", count=result.lines)
    err(f.t("cli_demo_loaded", runs=runs, lines=lines))
    return EXIT_OK
