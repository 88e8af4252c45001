"""What the settings page shows: each provider's configuration and last collection, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.config import Settings, mask
from core.providers import get_provider, registry
from core.store import collections
from core.store.db import Store

OPENROUTER_WARN_DAYS = 25  # /activity forgets after 30 days


@dataclass(frozen=True)
class ProviderState:
    provider: str
    label: str
    key_env: str
    key_masked: str | None
    status: str | None
    error: str | None
    attempted_at: datetime | None
    succeeded_at: datetime | None


def provider_states(settings: Settings, store: Store) -> list[ProviderState]:
    statuses = collections.statuses(store)
    out = []
    for name, module in registry().items():
        row = statuses.get(name)
        key = getattr(settings, module.key_env.lower(), None)
        out.append(
            ProviderState(
                name,
                module.label,
                module.key_env,
                mask(key),
                row.status if row else None,
                row.error if row else None,
                row.attempted_at if row else None,
                row.succeeded_at if row else None,
            )
        )
    return out


def openrouter_stale_days(settings: Settings, store: Store, now: datetime) -> int | None:
    """Days since OpenRouter's last successful collection, when that is dangerously old (None otherwise)."""
    if not get_provider("openrouter").configured(settings):
        return None
    row = collections.statuses(store).get("openrouter")
    if row is None or row.succeeded_at is None:
        return None
    days = (now - row.succeeded_at).days
    return days if days > OPENROUTER_WARN_DAYS else None
