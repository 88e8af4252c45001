"""The ``configured`` and ``client`` members every adapter needs: a key setting, the header it goes in, a base URL."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from core.config import Settings
from core.errors import ConfigError
from core.http import make_client


def keyed(
    key_field: str, url_field: str, key_env: str, hint: str, headers: Callable[[str], dict[str, str]], path: str = ""
) -> tuple[Callable[[Settings], bool], Callable[..., httpx.Client]]:
    """``(configured, client)`` for an adapter whose key is ``settings.<key_field>``, sent as ``headers(key)`` to
    ``settings.<url_field> + path``; a missing key is a ``ConfigError`` naming ``key_env`` and what to do."""

    def configured(settings: Settings) -> bool:
        return bool(getattr(settings, key_field))

    def client(settings: Settings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
        key = getattr(settings, key_field)
        if not key:
            raise ConfigError(f"{key_env} is not set; {hint}")
        return make_client(f"{getattr(settings, url_field)}{path}", headers(key), transport)

    return configured, client
