"""The provider registry's checklist, enforced: every provider module keeps the shape the engine relies on."""

import inspect
from pathlib import Path

import pytest

from core.config import Settings
from core.errors import InputError
from core.providers import PROVIDERS, get_provider

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("name", list(PROVIDERS))
def test_each_provider_module_has_the_registry_shape(name):
    module = PROVIDERS[name]
    assert name == module.NAME and module.LABEL and module.KEY_ENV.isupper()
    assert hasattr(Settings(), module.KEY_ENV.lower()), f"Settings has no field for {module.KEY_ENV}"
    assert not module.configured(Settings())
    assert list(inspect.signature(module.client).parameters) == ["settings", "transport"]
    fetch = module.fetch if name != "apify" else module.iter_run_pages
    assert callable(fetch)
    assert (FIXTURES / name).is_dir() and any((FIXTURES / name).iterdir()), f"tests/fixtures/{name} is missing"
    assert (Path(__file__).parent / "providers" / f"test_{name}.py").exists(), f"no tests for {name}"


def test_an_unknown_provider_lists_the_valid_ones():
    with pytest.raises(InputError, match="choose from openai, anthropic, elevenlabs, deepgram, openrouter, apify"):
        get_provider("aws")
