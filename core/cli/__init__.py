"""``python -m core``: the same work as the app, for cron, schedulers and other tools.

Exit codes: 0 ok, 1 (partial) failure, 2 bad input or configuration (one line on stderr, nothing written).
A database that cannot be used as configured (unreachable, read-only, full) is a configuration problem: exit 2; a
database failing for a moment (busy, connection lost) and work already running elsewhere exit 1.
JSON goes to stdout, messages to stderr; no secret is ever printed. Human lines and the errors a person meets most
(``SpendError.keyed``) are in ``APP_LANGUAGE``, after ``error: `` / ``erreur : ``; argparse's own usage errors and
the words of a provider, Notion, Resend or the database stay as they were written. Each command module imports what
it needs inside its handlers, so a command loads only its own dependencies (``summary`` loads no HTTP, email or
Notion code).
"""

from __future__ import annotations

import errno
from collections.abc import Mapping, Sequence

from core.cli.base import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, Context, err
from core.cli.parser import build_parser
from core.errors import ConfigError, InputError, SpendError, StoreUnavailable

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "build_parser", "main"]


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    ctx = Context(environ)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return int(exc.code or 0)
    except InputError as exc:  # a month or day argument refused by its type (core.cli.base.month)
        _error(ctx, exc)
        return EXIT_BAD_INPUT
    ctx.command = _command(args)
    from core import locks

    locks.name_process(ctx.who)
    try:
        return args.handler(args, ctx)
    except (ConfigError, InputError, StoreUnavailable) as exc:
        _error(ctx, exc)
        return EXIT_BAD_INPUT
    except SpendError as exc:
        _error(ctx, exc)
        return EXIT_FAILED
    except OSError as exc:  # the data directory refused a write (full, read-only) outside the database
        err(ctx.f.t("cli_error", message=ctx.redact(_os_error(exc))))
        return EXIT_BAD_INPUT if exc.errno in _UNUSABLE_ERRNOS else EXIT_FAILED
    except Exception as exc:
        from sqlalchemy.exc import SQLAlchemyError

        if not isinstance(exc, SQLAlchemyError):
            raise  # a bug: loud, with its traceback
        from core.store.db import classify_error

        message, unusable = classify_error(exc, ctx.database_url)
        err(ctx.f.t("cli_error", message=ctx.redact(message)))
        return EXIT_BAD_INPUT if unusable else EXIT_FAILED
    except KeyboardInterrupt:
        err(ctx.f.t("cli_interrupted"))
        return 130
    finally:
        ctx.close()


def _error(ctx: Context, exc: SpendError) -> None:
    """``error: <the error in the app's language>`` on stderr, secrets redacted."""
    f = ctx.f
    err(f.t("cli_error", message=ctx.redact(f.error(exc))))


def _command(args) -> str:
    """``collect``, ``apify backfill``...: how this run names itself (locks say who holds them)."""
    words = [args.command, getattr(args, f"{args.command.replace('-', '_')}_command", None)]
    return " ".join(w for w in words if w)


_UNUSABLE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.ENOTDIR}


def _os_error(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or type(exc).__name__}{where}"
