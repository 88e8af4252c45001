"""Provider registry: a plain dict from name to ``Provider`` (``core.providers.contract``), loaded on first use.

Adding a provider: (1) write ``core/providers/<name>.py`` ending in ``PROVIDER = Provider(...)``; (2) add its
name to ``NAMES`` and its module to ``_MODULES`` below; (3) add its imitation and tests under ``tests/``.
``tests/test_registry.py`` checks every entry against the contract.

``NAMES`` lets the command line validate ``--provider`` without importing an HTTP client.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from core.errors import InputError
from core.providers.contract import Provider

NAMES = ("openai", "anthropic", "elevenlabs", "deepgram", "openrouter", "apify")
_MODULES = {name: f"core.providers.{name}" for name in NAMES}


@cache
def registry() -> dict[str, Provider]:
    """Every provider, in display order."""
    return {name: import_module(_MODULES[name]).PROVIDER for name in NAMES}


def get_provider(name: str) -> Provider:
    check_provider(name)
    return registry()[name]


def check_provider(name: str | None) -> str | None:
    """Validate an optional provider name (None means every provider)."""
    if name is not None and name not in NAMES:
        raise InputError(f"unknown provider {name!r}; choose from {', '.join(NAMES)}")
    return name


def label(name: str) -> str:
    return get_provider(name).label
