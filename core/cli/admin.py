"""Commands that move and keep the data: ``migrate`` (to another database) and ``backup`` (to a SQLite file)."""

from __future__ import annotations

from pathlib import Path

from core.cli.base import EXIT_OK, err, out


def register(sub) -> None:
    p = sub.add_parser(
        "migrate",
        help="copy every table from DATABASE_URL to another database (SQLite <-> PostgreSQL), checking rows and money",
    )
    p.add_argument("--to", dest="target", required=True, metavar="DATABASE_URL", help="the database to copy into")
    p.add_argument("--replace", action="store_true", help="delete what the target holds first (default: refuse)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=migrate)

    p = sub.add_parser("backup", help="write a consistent copy of the database to a SQLite file")
    p.add_argument("path", type=Path, help="the file to write (restore it with migrate)")
    p.add_argument("--replace", action="store_true", help="overwrite the file if it exists")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=backup)


def _progress(f):
    def progress(table: str, rows: int) -> None:
        if rows % 50_000 == 0:
            err("  " + f.t("cli_transfer_progress", table=table, rows=f.t("cli_rows", count=rows)))

    return progress


def _report(args, result, what: str, f) -> None:
    from core import jsonout

    if args.json:
        tables = {t.table: {"rows": t.rows, "money_totals": t.money} for t in result.tables}
        out(jsonout.dumps({"rows": result.rows, "tables": tables}))
    else:
        for t in result.tables:
            money = ", ".join(f"{c} {f.number(v)}" for c, v in t.money.items())
            out(f"{t.table:<22} {f.t('cli_rows', count=t.rows):>16}  {money}".rstrip())
    rows, tables = f.t("cli_rows", count=result.rows), f.t("cli_tables", count=len(result.tables))
    err(f.t("cli_transfer_done", what=what, rows=rows, tables=tables))


def migrate(args, ctx) -> int:
    from core import locks
    from core.config import normalise_database_url
    from core.errors import ConfigError, InputError
    from core.store.db import open_store
    from core.store.transfer import copy

    target_url = normalise_database_url(args.target.strip())
    source_url = ctx.settings.database_url
    if target_url == source_url:
        raise InputError.keyed("err_migrate_same")
    if target_url in ("sqlite://", "sqlite:///:memory:"):
        raise ConfigError.keyed("err_migrate_memory")
    source = ctx.store
    # No collection or back-fill may start while the copy is read: the copy would miss what they write.
    with locks.hold(source, locks.COLLECTION, "migration"):
        target = open_store(target_url)
        try:
            result = copy(source, target, replace=args.replace, progress=_progress(ctx.f))
        finally:
            target.dispose()
    _report(args, result, "migrate", ctx.f)
    err(ctx.f.t("cli_migrate_next"))
    return EXIT_OK


def backup(args, ctx) -> int:
    from core.store.transfer import backup as write_backup

    result = write_backup(ctx.store, args.path, replace=args.replace, progress=_progress(ctx.f))
    _report(args, result, f"backup {args.path}", ctx.f)
    return EXIT_OK
