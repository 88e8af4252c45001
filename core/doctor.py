"""Set-up checks for every configured provider, run side by side; nothing is written anywhere.

Each provider's ``doctor`` member (``core.providers.contract.Provider``) checks the kind of key and reads a little
(yesterday's figures, the key's own description) to show the endpoints answer in the shape the adapter expects.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from core.config import Settings
from core.errors import ConfigError, SpendError
from core.http import DEFAULT_POLICY, RetryPolicy
from core.providers import NAMES, get_provider
from core.providers.contract import Check

log = logging.getLogger(__name__)
OK, FAILED, NOT_CONFIGURED = "ok", "failed", "not_configured"


@dataclass(frozen=True)
class Diagnosis:
    """One provider's checks: ``status`` is ok when every check passed."""

    provider: str
    label: str
    key_env: str
    status: str
    checks: tuple[Check, ...] = ()

    @property
    def advice(self) -> str:
        """What to fix (the failed checks' details), or what was checked when all is well."""
        failed = [c.detail for c in self.checks if not c.ok]
        return "; ".join(failed or [c.detail for c in self.checks])


def diagnose(
    settings: Settings,
    *,
    providers: Sequence[str] | None = None,
    transports: Mapping[str, httpx.BaseTransport] | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> list[Diagnosis]:
    """Every provider's diagnosis, in display order (unconfigured ones included, with no checks)."""
    names = list(dict.fromkeys(providers)) if providers else list(NAMES)
    for name in names:
        get_provider(name)  # an unknown name fails before anything is asked
    transports = transports or {}
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        futures = [pool.submit(_one, name, settings, transports.get(name), policy) for name in names]
        return [future.result() for future in futures]


def require_configured(diagnoses: Sequence[Diagnosis]) -> None:
    """No provider has a key: that is a configuration problem, not a provider failure."""
    if all(d.status == NOT_CONFIGURED for d in diagnoses):
        envs = ", ".join(d.key_env for d in diagnoses)
        raise ConfigError.keyed("err_no_provider", envs=envs)


def _one(name: str, settings: Settings, transport, policy: RetryPolicy) -> Diagnosis:
    provider = get_provider(name)
    if not provider.configured(settings):
        return Diagnosis(name, provider.label, provider.key_env, NOT_CONFIGURED)
    try:
        with provider.client(settings, transport) as http:
            checks = provider.doctor(http, settings, policy) if provider.doctor is not None else []
    except SpendError as exc:
        checks = [Check("setup", False, str(exc))]
    except Exception as exc:  # a bug in one check must not hide the others; logged in full
        log.exception("checking %s failed unexpectedly", name)
        checks = [Check("setup", False, f"unexpected error ({type(exc).__name__})")]
    checks = [Check(c.name, c.ok, settings.redact(c.detail)) for c in checks]
    status = OK if checks and all(c.ok for c in checks) else FAILED
    return Diagnosis(name, provider.label, provider.key_env, status, tuple(checks))
