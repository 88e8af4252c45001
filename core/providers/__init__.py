"""Provider registry: a plain dict from name to module.

Adding a provider: (1) write ``core/providers/<name>.py`` with ``NAME``, ``KEY_ENV``, ``client(settings)`` and
``fetch(client, first, last, settings)``; (2) add it to ``PROVIDERS`` below; (3) add its fixtures and tests under
``tests/``. ``tests/test_registry.py`` checks every entry keeps this shape.
"""

from __future__ import annotations

from types import ModuleType

from core.errors import InputError
from core.providers import anthropic, apify, deepgram, elevenlabs, openai, openrouter

PROVIDERS: dict[str, ModuleType] = {
    module.NAME: module for module in (openai, anthropic, elevenlabs, deepgram, openrouter, apify)
}
LLM_PROVIDERS = tuple(name for name in PROVIDERS if name != apify.NAME)  # spend from daily cost lines


def get_provider(name: str) -> ModuleType:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise InputError(f"unknown provider {name!r}; choose from {', '.join(PROVIDERS)}") from None


def check_provider(name: str | None) -> str | None:
    """Validate an optional provider filter."""
    return None if name is None else get_provider(name).NAME
