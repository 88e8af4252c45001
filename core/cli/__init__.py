"""``python -m core``: the same work as the app, for cron, schedulers and other tools.

Exit codes: 0 ok, 1 (partial) failure, 2 bad input or configuration (one line on stderr, nothing written).
JSON goes to stdout, messages to stderr; no secret is ever printed.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.cli.commands import COMMANDS, EXIT_FAILED, EXIT_OK, _err
from core.cli.parser import EXIT_BAD_INPUT, build_parser
from core.config import Settings, load_settings
from core.errors import ConfigError, InputError, SpendError
from core.store.db import open_store

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "build_parser", "main"]


def main(argv: Sequence[str] | None = None, environ=None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return int(exc.code or 0)
    settings: Settings | None = None
    try:
        settings = load_settings(environ)
        store = open_store(settings.database_url)
        try:
            return COMMANDS[args.command](args, settings, store)
        finally:
            store.dispose()
    except (ConfigError, InputError) as exc:
        _err(f"error: {settings.redact(str(exc)) if settings else exc}")
        return EXIT_BAD_INPUT
    except SpendError as exc:
        _err(f"error: {settings.redact(str(exc)) if settings else exc}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
