"""What each ``python -m core`` command does. JSON on stdout, messages on stderr, no secret printed."""

from __future__ import annotations

import sys
from collections.abc import Callable

from core import jsonout, notion
from core.collect import NOT_CONFIGURED, collect
from core.config import Settings
from core.demo import load_demo_data, remove_demo_data
from core.email import send_report
from core.errors import ConfigError, InputError, SpendError
from core.money import ZERO
from core.periods import last_complete_month, month_key, utc_now, utc_today
from core.providers import check_provider
from core.reconcile import reconcile
from core.report import monthly_report
from core.scraper_runs import backfill, record_scraper_run
from core.store import runs, spend
from core.store.db import Store
from core.store.reconciliations import save_reconciliations
from core.store.snapshots import save_month

EXIT_OK, EXIT_FAILED = 0, 1


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _cmd_summary(args, settings: Settings, store: Store) -> int:
    result = spend.summary(store, args.period, utc_today(), check_provider(args.provider))
    if args.json:
        _out(jsonout.dumps(jsonout.summary_json(result)))
    else:
        _out(f"{args.period}: ${result.total_cost_usd:,.6f} over {result.total_runs} runs")
    return EXIT_OK


def _cmd_chart(args, settings: Settings, store: Store) -> int:
    points = spend.chart(store, args.range_, utc_today(), check_provider(args.provider))
    if args.json:
        _out(jsonout.dumps(jsonout.chart_json(points)))
    else:
        for p in points:
            _out(f"{p.date}  ${p.cost_usd:>14,.6f}  {p.runs:>6} runs")
    return EXIT_OK


def _cmd_apify(args, settings: Settings, store: Store) -> int:
    if args.apify_command == "record":
        run = record_scraper_run(
            settings, store, args.run_id, scraper_id=args.scraper_id, user_id=args.user_id, source=args.source
        )
        _out(jsonout.dumps(jsonout.run_json(run)) if args.json else f"recorded {run.run_id}: {run.cost_usd} USD")
        return EXIT_OK

    def progress(done: int, total: int) -> None:
        _err(f"apify backfill: {done} of {total} runs fetched")

    if args.reset:
        _err("apify backfill: imported runs will be replaced (in one transaction)")
    result = backfill(settings, store, days=args.days, reset=args.reset, progress=progress)
    if args.json:
        _out(jsonout.dumps(result.__dict__))
    else:
        _out(
            f"imported {result.fetched} runs (${result.total_cost_usd:,.6f}) from the last {result.days} days"
            f" in {result.pages} pages; {result.deleted} previously imported runs deleted first"
        )
    return EXIT_OK


def _cmd_runs(args, settings: Settings, store: Store) -> int:
    if args.first and args.last and args.first > args.last:
        raise InputError(f"--from ({args.first}) is after --to ({args.last})")
    page = runs.list_runs(
        store,
        first=args.first,
        last=args.last,
        scraper_id=args.scraper_id,
        source=args.source,
        limit=args.limit,
        offset=args.offset,
    )
    if args.json:
        _out(
            jsonout.dumps(
                {
                    "items": [jsonout.run_json(r) for r in page.items],
                    "total_cost_usd": page.total_cost_usd,
                    "total_runs": page.total_runs,
                }
            )
        )
    else:
        for r in page.items:
            _out(f"{r.created_at:%Y-%m-%d %H:%M}  {r.run_id:<20} {r.scraper_id:<32} {r.status:<10} {r.cost_usd}")
        _out(f"{page.total_runs} runs, ${page.total_cost_usd:,.6f} in total")
    return EXIT_OK


def _cmd_collect(args, settings: Settings, store: Store) -> int:
    def progress(provider: str, status: str, detail: str | None) -> None:
        _err(f"collect: {provider} {status}" + (f": {detail}" if detail else ""))

    result = collect(settings, store, month=args.month, providers=args.provider, progress=progress)
    report = result.report
    by_name = {p.provider: p for p in report.providers}
    providers = {}
    for name, outcome in result.outcomes.items():
        row = by_name.get(name)
        configured = outcome.status != NOT_CONFIGURED
        providers[name] = {
            "status": outcome.status,
            "cost_usd": (row.cost_usd if row else ZERO) if configured else None,
            "requests": (row.requests if row else None) if configured else None,
            "error": outcome.error,
        }
    if not any(o.status != NOT_CONFIGURED for o in result.outcomes.values()):
        _err("collect: no provider is configured; set at least one key (see README > Configuration)")
    if args.json:
        _out(
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
            cost = "" if row["cost_usd"] is None else f"${row['cost_usd']:,.6f}"
            _out(f"{name:<11} {row['status']:<15} {cost:>18}  {row['error'] or ''}")
        _out(f"total {report.key}: ${report.total_cost_usd:,.6f}")
    code = EXIT_FAILED if result.failed else EXIT_OK
    if result.archive is not None:
        _err(result.archive.message)
    if args.send_email:
        try:
            sent = send_report(settings, store, args.month or last_complete_month(utc_today()))
        except SpendError as exc:
            _err(f"send-report: failed: {settings.redact(str(exc))}")
            return EXIT_FAILED
        _err(f"send-report {sent.month}: {sent.message}")
    return code


def _cmd_send_report(args, settings: Settings, store: Store) -> int:
    result = send_report(settings, store, args.month or last_complete_month(utc_today()), force=args.force)
    if args.json:
        _out(jsonout.dumps(result.__dict__))
    _err(f"send-report {result.month}: {result.message}")
    return EXIT_OK


def _cmd_report(args, settings: Settings, store: Store) -> int:
    report = monthly_report(store, args.month or last_complete_month(utc_today()), settings.app_base_url)
    if args.json:
        _out(jsonout.dumps(jsonout.report_json(report)))
    else:
        _out(f"{report.key}: ${report.total_cost_usd:,.6f} across {report.provider_count} providers")
        for p in report.providers:
            change = "" if p.change_percent is None else f"{p.change_percent:+.2f}%"
            _out(f"  {p.provider:<11} ${p.cost_usd:>16,.6f} {change:>10}")
    return EXIT_OK


def _cmd_reconcile(args, settings: Settings, store: Store) -> int:
    month = args.month or last_complete_month(utc_today())
    rows = reconcile(settings, store, month)
    save_reconciliations(store, rows)
    if args.json:
        _out(jsonout.dumps({"month": month_key(month), "providers": [jsonout.reconciliation_json(r) for r in rows]}))
    else:
        for r in rows:
            drift = "" if r.drift_usd is None else f"drift ${r.drift_usd:+,.6f} ({r.drift_percent or 0:+.2f}%)"
            _out(f"{r.provider:<11} {r.status:<12} ours ${r.spendboard_usd:,.6f}  {drift}  {r.note}")
    if not rows:
        _err("reconcile: no provider is configured")
    return EXIT_FAILED if any(r.status == "failed" for r in rows) else EXIT_OK


def _cmd_notion(args, settings: Settings, store: Store) -> int:
    if args.notion_command == "setup":
        snapshots_id, summaries_id = notion.setup(settings, args.parent_page)
        _out(f"NOTION_SNAPSHOTS_DB_ID={snapshots_id}")
        _out(f"NOTION_SUMMARIES_DB_ID={summaries_id}")
        _err("notion setup: add these two lines to your configuration")
        return EXIT_OK
    if not notion.configured(settings):
        raise ConfigError(
            "Notion is not configured: set NOTION_API_KEY, NOTION_SNAPSHOTS_DB_ID and "
            "NOTION_SUMMARIES_DB_ID (python -m core notion setup prints the ids)"
        )
    months = [args.month] if args.month else None
    for m in months or []:
        save_month(store, monthly_report(store, m, settings.app_base_url))  # send what SQL holds now
    result = notion.sync(settings, store, months)
    _err(result.message)
    return EXIT_FAILED if result.error else EXIT_OK


def _cmd_demo(args, settings: Settings, store: Store) -> int:
    if args.remove:
        remove_demo_data(store)
        _err("sample data removed")
        return EXIT_OK
    result = load_demo_data(store, utc_now(), reset=args.reset)
    _err(f"sample data loaded: {result.runs} scraper runs (source 'demo'), {result.lines} daily cost lines")
    return EXIT_OK


COMMANDS: dict[str, Callable] = {
    "summary": _cmd_summary,
    "chart": _cmd_chart,
    "apify": _cmd_apify,
    "runs": _cmd_runs,
    "collect": _cmd_collect,
    "report": _cmd_report,
    "send-report": _cmd_send_report,
    "reconcile": _cmd_reconcile,
    "notion": _cmd_notion,
    "demo": _cmd_demo,
}
