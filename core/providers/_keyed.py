"""What every adapter declares the same way: its key setting, the header it goes in, its base URL, and the
``Provider`` built from it (``keyed(...).provider(...)``), so an adapter states only what is its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from core.config import Settings
from core.errors import ConfigError
from core.http import make_client
from core.providers.contract import Provider


@dataclass(frozen=True)
class Keyed:
    name: str
    label: str
    key_env: str
    auth_hint: str
    key_field: str  # the Settings field holding the key
    url_field: str  # the Settings field holding the base URL
    headers: Callable[[str], dict[str, str]]  # the key -> the request headers carrying it
    path: str = ""  # appended to the base URL

    def configured(self, settings: Settings) -> bool:
        return bool(getattr(settings, self.key_field))

    def client(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
        """An HTTP client carrying the key; a missing key is a ``ConfigError`` naming the setting and what to do."""
        key = getattr(settings, self.key_field)
        if not key:
            raise ConfigError.keyed("err_key_not_set", env=self.key_env, hint=self.auth_hint)
        return make_client(f"{getattr(settings, self.url_field)}{self.path}", self.headers(key), transport)

    def provider(self, counts: str, has_counts: bool, fetch: Callable, **optional) -> Provider:
        """The adapter's ``Provider``: its identity and key handling from here, the rest as given."""
        return Provider(
            self.name,
            self.label,
            self.key_env,
            self.auth_hint,
            counts,
            has_counts,
            self.configured,
            self.client,
            fetch,
            **optional,
        )


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def header(name: str) -> Callable[[str], dict[str, str]]:
    """The key in a header of its own (``x-api-key``, ``xi-api-key``)."""
    return lambda key: {name: key}


def keyed(
    name: str,
    label: str,
    key_env: str,
    auth_hint: str,
    key_field: str,
    url_field: str,
    headers: Callable[[str], dict[str, str]],
    path: str = "",
) -> Keyed:
    return Keyed(name, label, key_env, auth_hint, key_field, url_field, headers, path)
