"""Spend guardrails: ``budget set|remove|list``, ``forecast``, ``anomalies`` (read SQL only) and ``alerts check``."""

from __future__ import annotations

from core.cli.base import EXIT_FAILED, EXIT_OK, Parser, err, int_in, month, out
from core.providers import NAMES

MAX_ANOMALY_DAYS = 365


# Like ``core.cli.base.month``, these raise ``InputError``: ``main`` shows it in the app's language.
def _scope(text: str) -> str:
    from core.budgets import parse_scope

    return parse_scope(text)


def _amount(text: str):
    from core.budgets import parse_amount

    return parse_amount(text)


def register(sub) -> None:
    budget = sub.add_parser("budget", help="monthly budgets (the team's and per provider)").add_subparsers(
        dest="budget_command", required=True, parser_class=Parser
    )
    p = budget.add_parser("set", help="set a monthly budget in USD: budget set total 500 | budget set openai 120.50")
    p.add_argument("scope", type=_scope, metavar="total|PROVIDER")
    p.add_argument("amount", type=_amount, metavar="AMOUNT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=budget_set)
    p = budget.add_parser("remove", help="remove a budget")
    p.add_argument("scope", type=_scope, metavar="total|PROVIDER")
    p.set_defaults(handler=budget_remove)
    p = budget.add_parser("list", help="every budget")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=budget_list)

    p = sub.add_parser("forecast", help="month-to-date spend, the month-end forecast and its interval, budgets")
    p.add_argument("--month", type=month, help="YYYY-MM (default: this UTC month); a past month is its actual")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=forecast)

    p = sub.add_parser("anomalies", help="days whose spend is far above the provider's usual")
    p.add_argument("--days", type=int_in(1, MAX_ANOMALY_DAYS, "--days"), default=30)
    p.add_argument("--provider", choices=list(NAMES))
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=anomalies)

    alerts = sub.add_parser("alerts", help="budget and anomaly alerts").add_subparsers(
        dest="alerts_command", required=True, parser_class=Parser
    )
    p = alerts.add_parser("check", help="raise new alerts and send them (email, webhook); also run by collect")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=alerts_check)


def budget_set(args, ctx) -> int:
    from core import jsonout
    from core.budgets import set_budget

    budget = set_budget(ctx.store, args.scope, args.amount)
    if args.json:
        out(jsonout.dumps({"scope": budget.scope, "monthly_usd": budget.monthly_usd}))
    f = ctx.f
    err(f.t("cli_budget_set", scope=budget.scope, amount=f.money(budget.monthly_usd)))
    return EXIT_OK


def budget_remove(args, ctx) -> int:
    from core.budgets import remove_budget

    removed = remove_budget(ctx.store, args.scope)
    err(ctx.f.t("cli_budget_removed" if removed else "cli_budget_not_set", scope=args.scope))
    return EXIT_OK


def budget_list(args, ctx) -> int:
    from core import jsonout
    from core.budgets import list_budgets

    budgets = list_budgets(ctx.store)
    if args.json:
        out(jsonout.dumps([{"scope": b.scope, "monthly_usd": b.monthly_usd} for b in budgets]))
    else:
        f = ctx.f
        for b in budgets:
            out(f"{b.scope:<11} {f.money(b.monthly_usd):>16}")
        if not budgets:
            err(f.t("cli_budget_none"))
    return EXIT_OK


def forecast_json(f) -> dict:
    return {
        "month": f"{f.month:%Y-%m}",
        "days_elapsed": f.days_elapsed,
        "days_in_month": f.days_in_month,
        "month_to_date_usd": f.month_to_date_usd,
        "forecast_usd": f.forecast_usd,
        "low_usd": f.low_usd,
        "high_usd": f.high_usd,
        "budget_usd": f.budget_usd,
        "providers": [
            {
                "provider": p.provider,
                "month_to_date_usd": p.month_to_date_usd,
                "forecast_usd": p.forecast_usd,
                "low_usd": p.low_usd,
                "high_usd": p.high_usd,
                "budget_usd": p.budget_usd,
            }
            for p in f.providers
        ],
    }


def forecast(args, ctx) -> int:
    from core import jsonout
    from core.forecast import month_forecast
    from core.periods import month_start, utc_today

    today = utc_today()
    result = month_forecast(ctx.store, args.month or month_start(today), today)
    if args.json:
        out(jsonout.dumps(forecast_json(result)))
        return EXIT_OK
    f = ctx.f
    days = f.t("cli_forecast_days", done=result.days_elapsed, count=result.days_in_month)
    line = f.t(
        "cli_forecast",
        month=f.month(result.month),
        spent=f.money(result.month_to_date_usd),
        days=days,
        forecast=f.money(result.forecast_usd),
        low=f.money(result.low_usd),
        high=f.money(result.high_usd),
    )
    out(
        line
        if result.budget_usd is None
        else f"{line} · {f.t('cli_forecast_budget', budget=f.money(result.budget_usd))}"
    )
    for p in result.providers:
        line = f"  {p.provider:<11} {f.money(p.month_to_date_usd):>16}  "
        line += f.t("cli_forecast_provider", forecast=f.money(p.forecast_usd))
        if p.budget_usd is not None:
            line += "  " + f.t("cli_forecast_budget", budget=f.money(p.budget_usd))
        out(line)
    return EXIT_OK


def anomalies(args, ctx) -> int:
    from core import jsonout
    from core.anomalies import recent
    from core.periods import utc_today

    flags = recent(ctx.store, utc_today(), args.days, min_usd=ctx.settings.anomaly_min_usd, provider=args.provider)
    if args.json:
        rows = [
            {
                "date": f.date,
                "provider": f.provider,
                "cost_usd": f.cost_usd,
                "baseline_usd": f.baseline_usd,
                "score": float(f.score),
            }
            for f in flags
        ]
        out(jsonout.dumps(rows))
    else:
        f = ctx.f
        for flag in flags:
            cost, baseline = f.money(flag.cost_usd), f.money(flag.baseline_usd)
            day = f.date(flag.date, "weekday")
            out(f.t("cli_anomaly", day=day, provider=flag.provider, cost=cost, baseline=baseline, score=flag.score))
        if not flags:
            err(f.t("cli_anomalies_none", count=args.days))
    return EXIT_OK


def alerts_check(args, ctx) -> int:
    from core import jsonout
    from core.alerts import check
    from core.periods import utc_today

    result = check(ctx.settings, ctx.store, utc_today())
    if args.json:
        out(jsonout.dumps(result.json()))
    _tell(result, ctx.f)
    return EXIT_FAILED if result.failed else EXIT_OK


def tell_alerts(outcome, ctx) -> int:
    """What the alert check at the end of ``collect`` did, on stderr; 1 when a send failed (retried next time)."""
    if outcome is None:
        return EXIT_OK
    if outcome.error is not None:
        err(ctx.f.t("cli_alerts_check_failed", error=ctx.redact(outcome.error)))
        return EXIT_FAILED
    _tell(outcome.result, ctx.f)
    return EXIT_FAILED if outcome.result.failed else EXIT_OK


def _tell(result, f) -> None:
    if result.raised and not result.channels:
        err(f.t("cli_alerts_no_channel"))
    for o in result.delivered:
        err(f.t("cli_alerts_sent", alert=o.key))
    for o in result.failed:
        err(f.t("cli_alerts_failed", alert=o.key, error=o.error))
    quiet = [o for o in result.raised if o.email is None and o.webhook is None]
    for o in quiet:
        err(f.t("cli_alerts_raised", alert=o.key))
    if not (result.raised or result.delivered or result.failed):
        err(f.t("cli_alerts_nothing", count=len(result.already_sent)))
