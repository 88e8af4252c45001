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


# French values deliberately identical to English, each with the reason. Any other identical value is a string
# someone forgot to translate.
SAME_IN_FRENCH = {
    "app_title": "the product's name",
    "total": "the same word in French",
    "email_total": "the same word in French",
    "chart_date": "the same word in French",
    "col_scraper": "the English word is the one French teams use",
    "phase_other": "only a placeholder",
    "col_action": "the same word in French",
    "col_budget": "the same word in French",
    "email_budget_title": "the same word in French",
    "col_score": "the same word in French",
    "alert_channel_webhook": "the English word is the one French teams use (and a placeholder)",
    "doctor_status_ok": "OK is French too",
    "cli_backfill_pages": "page(s): the same word in French",
    "cli_tables": "table(s): the same word in French",
}
# A French template may name the month as it follows "de" (d'octobre, de mars) where English just names it.
FRENCH_ONLY_FIELDS, ENGLISH_ONLY_FIELDS = {"of_month"}, {"month"}


def _fields(value) -> set[str]:
    import string

    texts = value.values() if isinstance(value, dict) else [value]
    return {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}


def test_no_french_value_is_left_in_english_except_deliberate_ones():
    en, fr = catalogue()["en"], catalogue()["fr"]
    same = {key for key, value in fr.items() if value == en[key]}
    assert same <= set(SAME_IN_FRENCH), f"untranslated: {sorted(same - set(SAME_IN_FRENCH))}"
    stale = {key for key in SAME_IN_FRENCH if key in fr} - same  # (a key of an area not merged yet is no entry)
    assert not stale, f"translated now, drop from the list: {sorted(stale)}"


def test_both_languages_use_the_same_placeholders():
    en, fr = catalogue()["en"], catalogue()["fr"]
    for key in en:
        only_fr, only_en = _fields(fr[key]) - _fields(en[key]), _fields(en[key]) - _fields(fr[key])
        assert only_fr <= FRENCH_ONLY_FIELDS and only_en <= ENGLISH_ONLY_FIELDS, (key, only_fr, only_en)
        if isinstance(en[key], dict):
            forms = [_fields(v) for v in (*en[key].values(), *fr[key].values())]
            assert all(f - {"count"} <= forms[0] | {"count"} | FRENCH_ONLY_FIELDS for f in forms), key


def test_a_plural_entry_needs_its_count_and_numbers_are_written_the_languages_way():
    assert translator("en")("runs_count", count=1) == "1 run"
    assert translator("fr")("runs_count", count=1234) == "1\u202f234 exécutions"
    with pytest.raises(KeyError):
        translator("en")("runs_count")
