"""Set-up checks shared by the adapters' ``doctor``: the kind of key, and a probe that reads without writing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from core.errors import ProviderError
from core.http import DEFAULT_POLICY
from core.providers.contract import Check, Fetched

KEY = "key"
PROBE = "endpoints"


def key_kind(value: str | None, prefixes: tuple[str, ...], env: str, what: str) -> Check:
    """Whether the key looks like the kind the adapter needs (a hint only: the probe is what proves it)."""
    if value and value.startswith(prefixes):
        return Check(KEY, True, f"{env} is {what}")
    return Check(KEY, False, f"{env} does not look like {what} (it should start with {' or '.join(prefixes)})")


def probe(name: str, call: Callable[[], str]) -> Check:
    """Run ``call`` (reads only); a provider error becomes a failed check carrying its one-line reason."""
    try:
        return Check(name, True, call())
    except ProviderError as exc:
        return Check(name, False, exc.reason)


def yesterday_fetched(fetch: Callable[..., Fetched], http, settings, policy) -> Check:
    """Fetch yesterday (UTC): the key is accepted and every endpoint the adapter reads answers in its shape."""
    day = datetime.now(UTC).date() - timedelta(days=1)

    def call() -> str:
        got = fetch(http, day, day, settings, policy)
        return f"every endpoint answered in the expected shape ({len(got.lines)} lines for {day})"

    return probe(PROBE, call)


def key_and_probe(key_field: str, prefixes: tuple[str, ...], env: str, what: str, fetch: Callable[..., Fetched]):
    """The ``doctor`` of an adapter whose key has a recognisable kind (an Admin key): that kind, then a probe of
    yesterday through ``fetch``."""

    def doctor(http, settings, policy=DEFAULT_POLICY) -> list[Check]:
        return [
            key_kind(getattr(settings, key_field), prefixes, env, what),
            yesterday_fetched(fetch, http, settings, policy),
        ]

    return doctor
