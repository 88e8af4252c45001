"""Spendboard's error tree.

    SpendError                      anything Spendboard reports to a person (pages show it, the CLI prints it)
    ├── ConfigError                 a setting is missing or malformed; CLI exit 2
    ├── InputError                  a user-supplied value (month, period, run id...) is invalid; CLI exit 2
    ├── ProviderError(.provider)    a provider's API did not give us usable data
    │   ├── ProviderAuthError       401/403: the key is wrong or lacks a permission (never retried)
    │   ├── ProviderUnavailable     429/5xx/timeout after bounded retries
    │   └── ProviderResponseError   the payload is not what the API documents (malformed JSON, wrong shape)
    ├── StoreError                  the database refused or failed during the work; CLI exit 1
    │   └── StoreUnavailable        the database cannot be opened (unreachable, read-only, full, bad path); exit 2
    ├── Busy                        the same work (a collection, a back-fill, a send) is running elsewhere; exit 1
    └── NotifyError                 Notion or the email service failed
        └── NotionError(.code, .status, .stop)   a Notion call failed (``stop``: later calls would fail too)

Messages are one line and say what to do. They never contain a secret: ``clean`` is the one function that makes
error text one line and scrubs the secrets it is given; every error of the tree passes its message through it.

The errors a person meets most (a missing setting, a month not begun, work running elsewhere) are made with
``keyed(key, **values)``: a catalogue key and its values. ``str()`` is the English text (logs, tests);
``core.i18n.describe`` renders one in the app's language, for the command line and the pages alike. Any other error
(a provider's or the database's own words) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_SECRET_LENGTH = 4  # shorter values would blank out ordinary words
# Errors that concern one Notion page's content: other months can still go through.
NOTION_PAGE_LEVEL_CODES = frozenset({"validation_error"})


def clean(text: object, secrets: Iterable[str | None] = ()) -> str:
    """``text`` on one line, with every given secret (longest first) replaced by ``***``."""
    text = str(text)
    for secret in sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return " ".join(text.split())


class SpendError(Exception):
    """Base class of every error Spendboard shows to a person; its message is always one line."""

    key: str | None = None  # the catalogue key of a ``keyed`` error
    values: dict[str, object] = {}  # noqa: RUF012  # its values (replaced per instance, never mutated)

    def __init__(self, message: object = "", *args: object):
        super().__init__(clean(message), *args)

    @classmethod
    def keyed(cls, key: str, **values: object):
        """This error with catalogue ``key``'s English text as its message; ``core.i18n.describe`` translates it."""
        from core.i18n import translator

        error = cls(translator("en")(key, **values))
        error.key, error.values = key, values
        return error


class ConfigError(SpendError):
    """A setting is missing or malformed."""


class InputError(SpendError):
    """A value given by the user is invalid."""


class ProviderError(SpendError):
    """A provider's API failed; ``provider`` names it."""

    def __init__(self, provider: str, message: str, *, status: int | None = None):
        message = clean(message)
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.reason = message
        self.status = status  # the HTTP status when the API answered with an error


class ProviderAuthError(ProviderError):
    """The provider rejected the key (401/403)."""


class ProviderUnavailable(ProviderError):
    """Rate limited, server error or timeout (retriable; raised for good once the retries are spent)."""

    def __init__(self, provider: str, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(provider, message, status=status)
        self.retry_after = retry_after  # seconds the provider asked us to wait, when it said


class ProviderResponseError(ProviderError):
    """The provider answered with something we cannot parse."""


class StoreError(SpendError):
    """The database failed."""


class StoreUnavailable(StoreError):
    """The database cannot be opened: nothing was done."""


class Busy(SpendError):
    """Another process (or session) is doing the same work; the message says who and since when."""


class NotifyError(SpendError):
    """Notion or email delivery failed."""


class NotionError(NotifyError):
    """A Notion call failed. ``stop`` says later calls would fail the same way (token, outage, access)."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status
        self.stop = code not in NOTION_PAGE_LEVEL_CODES
