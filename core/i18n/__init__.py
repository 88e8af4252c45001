"""Every user-facing string, in one catalogue assembled from one module per area (``core/i18n/<area>.py``, each
``STRINGS = {"en": {...}, "fr": {...}}``). English by default, French with ``APP_LANGUAGE=fr``.

A value is a ``str.format`` template, or a dict of CLDR plural forms (``{"one": ..., "other": ...}``) chosen by
Babel's plural rules for the language from the ``count`` argument: ``t("runs_count", count=n)``. Whole numbers and
Decimals given as values are written the language's way (``8,745`` / ``8 745``), ``count`` included, so a template
says ``{count}``; text (money, dates already formatted by ``core.i18n.formats``) goes in as it is.

Other areas add their module to ``AREAS``; ``core.i18n.formats`` holds the number, money and date formatters.
``describe(error, language)`` renders an error made with ``SpendError.keyed`` in the language; a value may itself be
catalogue text (``Text(key, values)``), rendered in the same language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import import_module

LANGUAGES = ("en", "fr")
# One module per area; a key defined twice fails at import.
AREAS = ("app", "actions", "auth", "cli", "data", "email", "guardrails", "providers")


@cache
def catalogue() -> dict[str, dict[str, str | dict[str, str]]]:
    merged: dict[str, dict[str, str | dict[str, str]]] = {lang: {} for lang in LANGUAGES}
    for area in AREAS:
        strings = import_module(f"core.i18n.{area}").STRINGS
        for lang in LANGUAGES:
            clash = merged[lang].keys() & strings.get(lang, {}).keys()
            if clash:
                raise RuntimeError(f"i18n keys defined twice ({area}): {sorted(clash)[:5]}")
            merged[lang].update(strings.get(lang, {}))
    return merged


@cache
def _plural_rule(language: str) -> Callable[[int | float], str]:
    from babel import Locale

    return Locale.parse(language).plural_form


@dataclass(frozen=True)
class Text:
    """Catalogue text given as a value of another text: rendered in that text's language (``str()``: English)."""

    key: str
    values: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return translator("en")(self.key, **self.values)


def _shown(value, language: str):
    """Numbers the language's way, ``Text`` in the language; anything else as given."""
    if isinstance(value, Text):
        return translator(language)(value.key, **value.values)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        from core.i18n.formats import format_number

        return format_number(value, language)
    return value


@cache
def translator(language: str) -> Callable[..., str]:
    """``t(key, **values)`` for a language (falls back to English for a key the language lacks)."""
    table = catalogue().get(language, catalogue()["en"])
    english = catalogue()["en"]

    def t(key: str, **values) -> str:
        text = table.get(key) or english[key]
        lang = language if key in table else "en"
        if isinstance(text, dict):
            form = _plural_rule(lang)(abs(values["count"]))
            text = text.get(form) or text["other"]
        return text.format(**{k: _shown(v, lang) for k, v in values.items()}) if values else text

    return t


def describe(error: BaseException, language: str) -> str:
    """An error's one line in ``language``: a ``SpendError.keyed`` error from the catalogue, any other as it says."""
    key = getattr(error, "key", None)
    return translator(language)(key, **error.values) if key else str(error)  # type: ignore[attr-defined]
