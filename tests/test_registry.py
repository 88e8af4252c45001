"""The provider registry's checklist, enforced: every entry is a ``Provider`` keeping the contract the engine
relies on (``core/providers/contract.py``)."""

import dataclasses
import inspect
import typing
from pathlib import Path

import pytest

from core.config import Settings
from core.errors import InputError
from core.providers import NAMES, get_provider, registry
from core.providers.contract import REQUESTS, RUNS, Provider

FIXTURES = Path(__file__).parent / "fixtures"
OPTIONAL = {f.name for f in dataclasses.fields(Provider) if f.default is None}
SIGNATURES = {
    "configured": ["settings"],
    "client": ["settings", "transport"],
    "fetch": ["http", "first", "last", "settings", "policy"],
    "window": ["first", "last", "today"],
    "independent_total": ["http", "first", "last", "settings", "policy"],
    "doctor": ["http", "settings", "policy"],
    "names": ["http", "runs", "known", "policy"],
}


def test_the_registry_lists_every_name_once_in_order():
    assert list(registry()) == list(NAMES)


def test_the_contract_says_which_members_are_optional():
    assert {"window", "independent_total", "doctor", "names"} == OPTIONAL


@pytest.mark.parametrize("name", NAMES)
def test_each_provider_keeps_the_contract(name):
    provider = registry()[name]
    assert isinstance(provider, Provider)
    assert provider.name == name and provider.label and provider.auth_hint
    assert provider.key_env.isupper() and hasattr(Settings(), provider.key_env.lower()), provider.key_env
    assert provider.counts in (REQUESTS, RUNS)
    assert isinstance(provider.has_counts, bool)
    assert not provider.configured(Settings())
    for member, parameters in SIGNATURES.items():
        fn = getattr(provider, member)
        if fn is None:
            assert member in OPTIONAL, f"{name}.{member} is required"
            continue
        assert list(inspect.signature(fn).parameters) == parameters, f"{name}.{member}"
    assert typing.get_type_hints(provider.fetch)["return"].__name__ == "Fetched"
    assert (FIXTURES / name).is_dir() and any((FIXTURES / name).iterdir()), f"tests/fixtures/{name} is missing"
    assert (Path(__file__).parent / "providers" / f"test_{name}.py").exists(), f"no tests for {name}"


def test_an_unknown_provider_lists_the_valid_ones():
    with pytest.raises(InputError, match="choose from openai, anthropic, elevenlabs, deepgram, openrouter, apify"):
        get_provider("aws")
