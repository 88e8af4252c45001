"""The ``python -m core`` argument parser: every command, its options and their validation."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from core.errors import InputError
from core.periods import PERIODS, RANGES, parse_day, parse_month
from core.providers import NAMES
from core.scraper_runs import MAX_BACKFILL_DAYS
from core.store.runs import MAX_LIMIT

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line instead of usage + message
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see '{self.prog} --help')\n")


def _int_in(low: int, high: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number (got {text!r})") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be between {low} and {high} (got {value})")
        return value

    return parse


def _day(text: str):
    try:
        return parse_day(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _month(text: str):
    try:
        return parse_month(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description="Spendboard: what your team spends on paid APIs.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("summary", help="total spent over a period")
    p.add_argument("--period", choices=PERIODS, default="month")
    p.add_argument("--provider", choices=list(NAMES))
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("chart", help="daily spending, one row per day, zeros included")
    p.add_argument("--range", dest="range_", choices=list(RANGES), default="30d")
    p.add_argument("--provider", choices=list(NAMES))
    p.add_argument("--json", action="store_true")

    apify = sub.add_parser("apify", help="Apify scraper runs").add_subparsers(
        dest="apify_command", required=True, parser_class=_Parser
    )
    p = apify.add_parser("backfill", help="import every run started in the last N days")
    p.add_argument("--days", type=_int_in(1, MAX_BACKFILL_DAYS, "--days"), default=90)
    p.add_argument("--reset", action="store_true", help="delete previously imported runs first")
    p.add_argument("--json", action="store_true")
    p = apify.add_parser("record", help="fetch one run and store it (idempotent)")
    p.add_argument("run_id")
    p.add_argument("--scraper-id")
    p.add_argument("--user-id")
    p.add_argument("--source", default="app")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("runs", help="list scraper runs with totals")
    p.add_argument("--from", dest="first", type=_day)
    p.add_argument("--to", dest="last", type=_day)
    p.add_argument("--scraper-id")
    p.add_argument("--source")
    p.add_argument("--limit", type=_int_in(1, MAX_LIMIT, "--limit"), default=100)
    p.add_argument("--offset", type=_int_in(0, 10**9, "--offset"), default=0)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("collect", help="pull every configured provider's billing data into the database")
    p.add_argument("--month", type=_month, help="YYYY-MM (default: this UTC month to date + the previous month)")
    p.add_argument(
        "--provider",
        nargs="+",
        choices=list(NAMES),
        metavar="NAME",
        help=f"only these providers ({', '.join(NAMES)})",
    )
    p.add_argument("--send-email", action="store_true", help="then send the month's report email")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("send-report", help="email a month's report with Resend (once per month and recipients)")
    p.add_argument("--month", type=_month, help="YYYY-MM (default: the previous UTC month)")
    p.add_argument("--force", action="store_true", help="send again even if it was already sent")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("report", help="a month's cost per provider, change vs the previous month, top models")
    p.add_argument("--month", type=_month, help="YYYY-MM (default: the last complete month)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("reconcile", help="compare each provider's stored month with the provider's own total")
    p.add_argument("--month", type=_month, help="YYYY-MM (default: the last complete month)")
    p.add_argument("--json", action="store_true")

    notion_cmd = sub.add_parser("notion", help="the Notion archive").add_subparsers(
        dest="notion_command", required=True, parser_class=_Parser
    )
    p = notion_cmd.add_parser("setup", help="create the two databases under a page shared with the integration")
    p.add_argument("--parent-page", required=True, help="the page id (or its notion.so URL)")
    p = notion_cmd.add_parser("sync", help="archive a month (default: every month not archived yet)")
    p.add_argument("--month", type=_month)

    p = sub.add_parser("demo", help="load clearly-labelled sample data")
    p.add_argument("--reset", action="store_true", help="remove earlier sample data, then load it again")
    p.add_argument("--remove", action="store_true", help="only remove the sample data")
    return parser
