"""The catalogue: every key in both languages, plural forms that Babel's rules can choose from."""

import pytest

from core.i18n import LANGUAGES, catalogue, translator


def test_every_key_exists_in_every_language():
    keys = {lang: set(catalogue()[lang]) for lang in LANGUAGES}
    for lang in LANGUAGES:
        assert keys[lang] == keys["en"], f"{lang}: {sorted(keys[lang] ^ keys['en'])[:10]}"


def test_plural_entries_have_an_other_form_in_both_languages():
    for lang in LANGUAGES:
        for key, value in catalogue()[lang].items():
            if isinstance(value, dict):
                assert "other" in value and set(value) <= {"zero", "one", "two", "few", "many", "other"}, key
                assert isinstance(catalogue()["en"][key], dict), f"{key} is plural in {lang} only"


@pytest.mark.parametrize(
    ("lang", "count", "form"),
    [("en", 1, "one"), ("en", 0, "other"), ("fr", 0, "one"), ("fr", 1, "one"), ("fr", 2, "other")],
)
def test_plural_forms_follow_the_language_rules(lang, count, form, monkeypatch):
    monkeypatch.setitem(catalogue()[lang], "_probe", {"one": "one", "other": "other"})
    monkeypatch.setitem(catalogue()["en"], "_probe", {"one": "one", "other": "other"})
    assert translator(lang)("_probe", count=count) == form
