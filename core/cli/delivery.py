"""Commands that send figures elsewhere: ``send-report`` (email) and ``notion setup|sync`` (the archive)."""

from __future__ import annotations

from core.cli.base import EXIT_FAILED, EXIT_OK, Parser, err, month, out


def register(sub) -> None:
    p = sub.add_parser("send-report", help="email a month's report with Resend (once per month and recipients)")
    p.add_argument("--month", type=month, help="YYYY-MM (default: the previous UTC month)")
    p.add_argument("--force", action="store_true", help="send again even if it was already sent")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=send_report)

    notion = sub.add_parser("notion", help="the Notion archive").add_subparsers(
        dest="notion_command", required=True, parser_class=Parser
    )
    p = notion.add_parser("setup", help="create the two databases under a page shared with the integration")
    p.add_argument("--parent-page", required=True, help="the page id (or its notion.so URL)")
    p.set_defaults(handler=notion_setup)
    p = notion.add_parser("sync", help="archive a month (default: every month not archived yet)")
    p.add_argument("--month", type=month)
    p.set_defaults(handler=notion_sync)


def send_report(args, ctx) -> int:
    from core import jsonout
    from core.audit import recorded
    from core.email import check_config
    from core.email import send_report as send
    from core.people import cli_person
    from core.periods import last_complete_month, month_key, utc_today

    check_config(ctx.settings)  # before anything is recorded: a refused command writes nothing
    month_ = args.month or last_complete_month(utc_today())
    with recorded(ctx.store, cli_person(), "send", month=month_key(month_), force=args.force):
        result = send(ctx.settings, ctx.store, month_, force=args.force)
    if args.json:
        out(jsonout.dumps({k: v for k, v in result.__dict__.items() if k != "already_sent_at"}))
    tell_sent(result, ctx.f)
    return EXIT_OK


def tell_sent(result, f) -> None:
    """What ``send_report`` did, on stderr, in the app's language."""
    recipients = f.list(result.recipients)
    if result.sent:
        err(f.t("cli_sent", month=result.month, recipients=recipients))
    elif result.already_sent_at is not None:
        when = f.datetime(result.already_sent_at, utc_suffix=True)
        err(f.t("cli_sent_already", month=result.month, when=when))
    else:
        err(f.t("cli_sent_before", month=result.month, recipients=recipients))


def notion_setup(args, ctx) -> int:
    from core import notion

    snapshots_id, summaries_id = notion.setup(ctx.settings, args.parent_page)
    out(f"NOTION_SNAPSHOTS_DB_ID={snapshots_id}")
    out(f"NOTION_SUMMARIES_DB_ID={summaries_id}")
    err(ctx.f.t("cli_notion_setup"))
    return EXIT_OK


def notion_sync(args, ctx) -> int:
    from core import notion
    from core.errors import ConfigError
    from core.report import monthly_report
    from core.revisions import save_month

    settings = ctx.settings
    if not notion.configured(settings):
        raise ConfigError.keyed("err_notion_not_configured")
    months = [args.month] if args.month else None
    for m in months or []:
        save_month(ctx.store, monthly_report(ctx.store, m, settings.app_base_url))  # send what SQL holds now
    result = notion.sync(settings, ctx.store, months)
    err(result.describe(ctx.f))
    return EXIT_FAILED if result.error else EXIT_OK
