"""``python -m core``: the same work as the app, for cron, schedulers and other tools.

Exit codes: 0 ok, 1 (partial) failure, 2 bad input or configuration (one line on stderr, nothing written).
JSON goes to stdout, messages to stderr; no secret is ever printed. Each command module imports what it needs
inside its handlers, so a command loads only its own dependencies (``summary`` loads no HTTP, email or Notion code).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.cli.base import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, Context, err
from core.cli.parser import build_parser
from core.errors import ConfigError, InputError, SpendError

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "build_parser", "main"]


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return int(exc.code or 0)
    ctx = Context(environ)
    try:
        return args.handler(args, ctx)
    except (ConfigError, InputError) as exc:
        err(f"error: {ctx.redact(str(exc))}")
        return EXIT_BAD_INPUT
    except SpendError as exc:
        err(f"error: {ctx.redact(str(exc))}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        err("interrupted")
        return 130
    finally:
        ctx.close()
