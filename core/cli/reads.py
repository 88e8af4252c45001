"""Read commands: ``summary``, ``chart``, ``runs``, ``report``. They read SQL only (no HTTP client is loaded).

Each prints human lines in ``APP_LANGUAGE`` by default, ``--json`` or ``--csv`` for machines (both locale-free:
money as plain decimal strings, UTC days)."""

from __future__ import annotations

import sys

from core.cli.base import EXIT_OK, day, int_in, month, out
from core.errors import InputError
from core.limits import MAX_RUNS_LIMIT
from core.periods import PERIODS, RANGES
from core.providers import NAMES


def _formats(parser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="JSON on stdout")
    group.add_argument("--csv", action="store_true", help="CSV on stdout (UTF-8, a header row, amounts in USD)")


def _csv(text: str) -> None:
    sys.stdout.write(text)


def _spend_filters(p) -> None:
    p.add_argument("--provider", choices=list(NAMES))
    p.add_argument(
        "--user-id",
        dest="user_ids",
        action="append",
        metavar="U",
        help="only the scraper runs launched by this user id (repeat for several); other providers' costs are "
        "team-wide and always counted",
    )


def register(sub) -> None:
    p = sub.add_parser("summary", help="total spent over a period")
    p.add_argument("--period", choices=PERIODS, default="month")
    _spend_filters(p)
    _formats(p)
    p.set_defaults(handler=summary)

    p = sub.add_parser("chart", help="daily spending, one row per day, zeros included")
    p.add_argument("--range", dest="range_", choices=list(RANGES), default="30d")
    _spend_filters(p)
    _formats(p)
    p.set_defaults(handler=chart)

    p = sub.add_parser("runs", help="list scraper runs with totals")
    p.add_argument("--from", dest="first", type=day)
    p.add_argument("--to", dest="last", type=day)
    p.add_argument("--scraper-id")
    p.add_argument("--source")
    p.add_argument(
        "--user-id", dest="user_ids", action="append", metavar="U", help="only the runs launched by this user id"
    )
    p.add_argument("--limit", type=int_in(1, MAX_RUNS_LIMIT, "--limit"), default=100)
    p.add_argument("--offset", type=int_in(0, 10**9, "--offset"), default=0)
    _formats(p)
    p.set_defaults(handler=runs)

    p = sub.add_parser("report", help="a month's cost per provider, change vs the previous month, top models")
    p.add_argument("--month", type=month, help="YYYY-MM (default: the last complete month)")
    p.add_argument("--models", action="store_true", help="with --csv: every model or line item, not the providers")
    _formats(p)
    p.set_defaults(handler=report)


def _owners(args) -> tuple[str, ...] | None:
    """``--user-id`` values as the store's ``owners`` (None: everyone); each is checked like a recorded user id."""
    from core.people import USER_ID_RE

    if not args.user_ids:
        return None
    bad = [u for u in args.user_ids if not USER_ID_RE.match(u)]
    if bad:
        raise InputError.keyed("err_user_id", got=repr(bad[0][:40]))
    return tuple(sorted(set(args.user_ids)))


def summary(args, ctx) -> int:
    from core import jsonout
    from core.periods import utc_today
    from core.store import spend

    owners = _owners(args)  # checked before the database is opened
    result = spend.summary(ctx.store, args.period, utc_today(), args.provider, owners=owners)
    if args.json:
        out(jsonout.dumps(jsonout.summary_json(result)))
    elif args.csv:
        from core.export import summary_csv

        _csv(summary_csv(result))
    else:
        f = ctx.f
        parts = [f.t("cli_summary", period=f.t(f"period_{args.period}"), total=f.money(result.total_cost_usd))]
        parts.append(f.t("runs_count", count=result.total_runs))
        if result.total_requests is not None:
            parts.append(f.t("requests_count", count=result.total_requests))
        out(" · ".join(parts))
    return EXIT_OK


def chart(args, ctx) -> int:
    from core import jsonout
    from core.periods import utc_today
    from core.store import spend

    owners = _owners(args)
    points = spend.chart(ctx.store, args.range_, utc_today(), args.provider, owners=owners)
    if args.json:
        out(jsonout.dumps(jsonout.chart_json(points)))
    elif args.csv:
        from core.export import chart_csv

        _csv(chart_csv(points))
    else:
        f = ctx.f
        for p in points:
            out(f"{f.date(p.date, 'weekday'):<20} {f.money(p.cost_usd):>14}  {f.t('runs_count', count=p.runs)}")
    return EXIT_OK


def runs(args, ctx) -> int:
    from core import jsonout
    from core.store import actors
    from core.store import runs as run_store

    if args.first and args.last and args.first > args.last:
        raise InputError.keyed("err_from_after_to", first=str(args.first), last=str(args.last))
    owners = _owners(args)
    page = run_store.list_runs(
        ctx.store,
        first=args.first,
        last=args.last,
        scraper_id=args.scraper_id,
        source=args.source,
        user_ids=owners,
        limit=args.limit,
        offset=args.offset,
    )
    if args.json:
        names = actors.names(ctx.store)
        items = [jsonout.run_json(r, names) for r in page.items]
        out(jsonout.dumps({"items": items, "total_cost_usd": page.total_cost_usd, "total_runs": page.total_runs}))
    elif args.csv:
        from core.export import runs_csv

        _csv(runs_csv(page.items))
    else:
        f = ctx.f
        for r in page.items:
            when = f.datetime(r.created_at, utc_suffix=True)
            status = f.run_status(r.status)
            out(f"{when:<28} {r.run_id:<20} {r.scraper_id:<32} {status:<12} {f.money(r.cost_usd, exact=True)}")
        out(f.t("runs_totals", count=page.total_runs, cost=f.money(page.total_cost_usd)))
    return EXIT_OK


def report(args, ctx) -> int:
    from core import jsonout
    from core.periods import last_complete_month, previous_month, utc_today
    from core.report import monthly_report

    if args.models and not args.csv:
        raise InputError.keyed("err_models_csv")
    result = monthly_report(ctx.store, args.month or last_complete_month(utc_today()), ctx.settings.app_base_url)
    if args.json:
        out(jsonout.dumps(jsonout.report_json(result)))
    elif args.csv:
        from core.export import report_models_csv, report_providers_csv

        _csv(report_models_csv(result) if args.models else report_providers_csv(result))
    else:
        from core.providers import label

        f = ctx.f
        providers = f.t("email_provider_count", count=result.provider_count)
        out(
            f.t(
                "cli_report_total",
                month=f.month(result.month),
                total=f.money(result.total_cost_usd),
                providers=providers,
            )
        )
        if result.change_percent is not None:
            change = f.percent(result.change_percent, signed=True, digits=2)
            out(f.t("cli_report_change", change=change, month=f.month(previous_month(result.month))))
        for p in result.providers:
            if p.change_percent is not None:
                change = f.percent(p.change_percent, signed=True, digits=2)
            else:
                change = f.t(f"change_note_{p.change_note}") if p.change_note else ""
            cost = f.money(p.cost_usd) if p.has_figure else f.t(f"availability_{p.availability}")  # never $0
            out(f"  {label(p.provider):<11} {cost:>16} {change:>10}")
    return EXIT_OK
