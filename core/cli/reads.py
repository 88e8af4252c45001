"""Read commands: ``summary``, ``chart``, ``runs``, ``report``. They read SQL only (no HTTP client is loaded)."""

from __future__ import annotations

from core.cli.base import EXIT_OK, day, int_in, month, out
from core.errors import InputError
from core.limits import MAX_RUNS_LIMIT
from core.periods import PERIODS, RANGES
from core.providers import NAMES


def register(sub) -> None:
    p = sub.add_parser("summary", help="total spent over a period")
    p.add_argument("--period", choices=PERIODS, default="month")
    p.add_argument("--provider", choices=list(NAMES))
    p.add_argument(
        "--user-id",
        dest="user_ids",
        action="append",
        metavar="U",
        help="only the scraper runs launched by this user id (repeat for several); other providers' costs are "
        "team-wide and always counted",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=summary)

    p = sub.add_parser("chart", help="daily spending, one row per day, zeros included")
    p.add_argument("--range", dest="range_", choices=list(RANGES), default="30d")
    p.add_argument("--provider", choices=list(NAMES))
    p.add_argument(
        "--user-id",
        dest="user_ids",
        action="append",
        metavar="U",
        help="only the scraper runs launched by this user id (repeat for several); other providers' costs are "
        "team-wide and always counted",
    )
    p.add_argument("--json", action="store_true")
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
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=runs)

    p = sub.add_parser("report", help="a month's cost per provider, change vs the previous month, top models")
    p.add_argument("--month", type=month, help="YYYY-MM (default: the last complete month)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=report)


def _owners(args) -> tuple[str, ...] | None:
    """``--user-id`` values as the store's ``owners`` (None: everyone); each is checked like a recorded user id."""
    from core.people import USER_ID_RE

    if not args.user_ids:
        return None
    bad = [u for u in args.user_ids if not USER_ID_RE.match(u)]
    if bad:
        raise InputError(f"--user-id must be 1-128 letters, digits or . _ : @ / - (got {bad[0][:40]!r})")
    return tuple(sorted(set(args.user_ids)))


def summary(args, ctx) -> int:
    from core import jsonout
    from core.periods import utc_today
    from core.store import spend

    owners = _owners(args)  # checked before the database is opened
    result = spend.summary(ctx.store, args.period, utc_today(), args.provider, owners=owners)
    if args.json:
        out(jsonout.dumps(jsonout.summary_json(result)))
    else:
        out(f"{args.period}: ${result.total_cost_usd:,.6f} over {result.total_runs} runs")
    return EXIT_OK


def chart(args, ctx) -> int:
    from core import jsonout
    from core.periods import utc_today
    from core.store import spend

    owners = _owners(args)
    points = spend.chart(ctx.store, args.range_, utc_today(), args.provider, owners=owners)
    if args.json:
        out(jsonout.dumps(jsonout.chart_json(points)))
    else:
        for p in points:
            out(f"{p.date}  ${p.cost_usd:>14,.6f}  {p.runs:>6} runs")
    return EXIT_OK


def runs(args, ctx) -> int:
    from core import jsonout
    from core.store import actors
    from core.store import runs as run_store

    if args.first and args.last and args.first > args.last:
        raise InputError(f"--from ({args.first}) is after --to ({args.last})")
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
    else:
        for r in page.items:
            out(f"{r.created_at:%Y-%m-%d %H:%M}  {r.run_id:<20} {r.scraper_id:<32} {r.status:<10} {r.cost_usd}")
        out(f"{page.total_runs} runs, ${page.total_cost_usd:,.6f} in total")
    return EXIT_OK


def report(args, ctx) -> int:
    from core import jsonout
    from core.periods import last_complete_month, utc_today
    from core.report import monthly_report

    result = monthly_report(ctx.store, args.month or last_complete_month(utc_today()), ctx.settings.app_base_url)
    if args.json:
        out(jsonout.dumps(jsonout.report_json(result)))
    else:
        out(f"{result.key}: ${result.total_cost_usd:,.6f} across {result.provider_count} providers")
        for p in result.providers:
            change = (p.change_note or "") if p.change_percent is None else f"{p.change_percent:+.2f}%"
            cost = f"${p.cost_usd:>16,.6f}" if p.has_figure else f"{p.availability:>17}"  # unknown, never $0
            out(f"  {p.provider:<11} {cost} {change:>13}")
    return EXIT_OK
