"""What every command shares: exit codes, output, argument types, and a context that loads settings and opens the
database only when a command first needs them (a command refused for bad input never creates the database)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from core.periods import parse_day, parse_month

if TYPE_CHECKING:
    from core.config import Settings
    from core.i18n.formats import Formats
    from core.store.db import Store

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def out(text: str) -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line instead of usage + message
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see '{self.prog} --help')\n")


def int_in(low: int, high: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number (got {text[:40]!r})") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be between {low} and {high} (got {value})")
        return value

    return parse


# ``day`` and ``month`` raise ``InputError`` (not argparse's ArgumentTypeError): it leaves the parser, and ``main``
# shows it in the app's language like any other refused input.
def day(text: str) -> date:
    return parse_day(text)


def month(text: str) -> date:
    """A month that has begun (UTC): no command has anything to do for a future month."""
    from core.periods import utc_today

    return parse_month(text, today=utc_today())


DEFAULT_WAIT = 300  # seconds a command waits for the same work running elsewhere before it gives up


def wait_option(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--wait",
        type=int_in(0, 24 * 3600, "--wait"),
        default=DEFAULT_WAIT,
        metavar="SECONDS",
        help=f"when {what} is already running, wait up to this long for it to end (default {DEFAULT_WAIT}; 0: refuse)",
    )


class Context:
    """Settings and store for one command, loaded on first use."""

    def __init__(self, environ: Mapping[str, str] | None = None, *, command: str = ""):
        self._environ = environ
        self._settings: Settings | None = None
        self._store: _LazyStore | None = None
        self.command = command  # "collect", "apify backfill"...

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from core.config import load_settings

            self._settings = load_settings(self._environ)
        return self._settings

    @property
    def store(self) -> Store:
        """The store, opened when a command first reads or writes it: a command that refuses its input before
        touching the database creates nothing (no SQLite file)."""
        if self._store is None:
            self._store = _LazyStore(self.settings.database_url)
        return self._store  # type: ignore[return-value]  # a Store once opened

    @property
    def f(self) -> Formats:
        """The app's language (``APP_LANGUAGE``) bound to the formatters and the catalogue, for human lines."""
        from core.i18n.formats import Formats

        return Formats(self.language)

    @property
    def language(self) -> str:
        """``APP_LANGUAGE``; when the settings cannot be loaded (the error being shown may be why), the variable as
        given if it names a language, else English."""
        from core.errors import SpendError
        from core.i18n import LANGUAGES

        try:
            return self.settings.app_language
        except SpendError:
            raw = (self._environ if self._environ is not None else os.environ).get("APP_LANGUAGE", "")
            return raw.strip().lower() if raw.strip().lower() in LANGUAGES else "en"

    @property
    def database_url(self) -> str | None:
        """The database URL, once the settings were loaded (for explaining a database error)."""
        return self._settings.database_url if self._settings is not None else None

    @property
    def who(self) -> str:
        """How locks taken by this run name it."""
        return f"python -m core {self.command}".strip()

    def announce_wait(self, seconds: int, name: str = "collection") -> None:
        """Say on stderr that this command is about to wait for the same work running elsewhere (if it is)."""
        from core import locks
        from core.store.db import sqlite_path

        path = sqlite_path(self.settings.database_url)
        if seconds <= 0 or (path is not None and not path.exists()):  # nobody runs on a database not yet created
            return
        current = locks.holder(self.store, name)
        if current is not None:
            err(self.f.t("cli_waiting", seconds=seconds, holder=current.describe()))

    def redact(self, text: str) -> str:
        return self._settings.redact(text) if self._settings is not None else text

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


class _LazyStore:
    """Stands for a ``Store`` and opens it on first use."""

    def __init__(self, url: str):
        self._url = url
        self._opened: Store | None = None

    def __getattr__(self, name: str):
        if self._opened is None:
            from core.store.db import open_store

            self._opened = open_store(self._url)
        return getattr(self._opened, name)

    def close(self) -> None:
        if self._opened is not None:
            self._opened.dispose()
