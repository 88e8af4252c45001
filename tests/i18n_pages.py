"""Checking that a page shows only catalogue strings (and data), for AppTest page tests.

The catalogue is swapped for a *pseudo-English* one where every value is wrapped in ``⟦…⟧``. Run the page, and
every text it shows (titles, captions, Markdown, alerts, widget labels, options and help, metric labels, deltas,
pop-over and expander labels, dataframe headers, chart axis titles, ticks, legends and hovers) must then be made of
wrapped segments and data only: numbers, money, dates (Babel's month and day names), and the data strings you name
(provider labels, scraper ids...). Whatever is left is a string someone wrote into the page instead of the catalogue.

    with pseudo_catalogue():
        at = AppTest.from_file(APP).run()
    assert hard_coded(at, data=provider_labels) == []

``st.code``/``st.text`` elements are data by design (that is how provider text must be shown) and are not checked.

The command line's human lines are checked the same way with ``hard_coded_lines(lines, data=...)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from babel import Locale

from core.i18n import catalogue

OPEN, CLOSE = "⟦", "⟧"
_NOT_CHECKED = {"code", "text", "json", "html", "exception", "space"}
_TEXT_FIELDS = {"body", "label", "help", "options", "placeholder", "delta", "delta_description", "title", "text"}
_ICON = re.compile(r":material/[a-z0-9_]+:")
_DIRECTIVE = re.compile(r":(?:red|green|orange|blue|violet|gray|grey|yellow|rainbow|primary)(?:-background|-badge)?\[")
_WRAPPED = re.compile(rf"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
_WORD = re.compile(r"[^\W\d_]+")


def unescape(markdown: str) -> str:
    """Markdown source as the reader sees it: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _wrap(value):
    if isinstance(value, dict):
        return {form: f"{OPEN}{text}{CLOSE}" for form, text in value.items()}
    return f"{OPEN}{value}{CLOSE}"


@contextmanager
def pseudo_catalogue(language: str = "en") -> Iterator[None]:
    """Wrap every catalogue value of ``language`` in ``⟦…⟧`` for the duration (in place: translators see it)."""
    table = catalogue()[language]
    saved = dict(table)
    table.update({key: _wrap(value) for key, value in saved.items()})
    try:
        yield
    finally:
        table.clear()
        table.update(saved)


def _proto_strings(proto) -> Iterator[str]:
    for descriptor, value in proto.ListFields():
        repeated = descriptor.is_repeated
        items = list(value) if repeated else [value]
        if descriptor.message_type is not None:
            for item in items:
                yield from _proto_strings(item)
        elif descriptor.name in _TEXT_FIELDS:
            yield from (item for item in items if isinstance(item, str))


def _plotly_strings(spec: str) -> Iterator[str]:
    figure = json.loads(spec)
    layout = figure.get("layout", {})
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            title = axis.get("title")
            yield from [title.get("text", "")] if isinstance(title, dict) else [title or ""]
            yield from (str(v) for v in axis.get("ticktext", []))
    for trace in figure.get("data", []):
        if trace.get("showlegend", True) and trace.get("name"):
            yield str(trace["name"])
        template = re.sub(r"%\{[^}]*\}|<extra>.*?</extra>|<[^>]+>", " ", trace.get("hovertemplate", ""))
        yield template
        for value in trace.get("customdata", []) or []:
            yield from (str(v) for v in (value if isinstance(value, list) else [value]) if isinstance(v, str))
        yield from (str(v) for v in trace.get("text", []) or [] if isinstance(v, str))
        if trace.get("type") in ("scatter", "bar") and layout.get("xaxis", {}).get("type") == "category":
            yield from (str(v) for v in trace.get("x", []))


def visible_texts(at) -> list[tuple[str, str]]:
    """``(element type, text)`` for every text a person can read on the page (data elements excepted)."""
    found = []
    for root in (at.main, at.sidebar):
        for node in root:
            kind = getattr(node, "type", type(node).__name__.lower())
            if kind in _NOT_CHECKED or getattr(node, "proto", None) is None:
                continue
            if kind in ("dataframe", "arrow_data_frame", "table"):
                found += [(kind, str(column)) for column in node.value.columns]
            elif kind == "plotly_chart":  # Plotly's own markup (<br>, <b>) is not text
                found += [(kind, re.sub(r"<[^>]+>", " ", text)) for text in _plotly_strings(node.proto.spec)]
            else:
                found += [(kind, text) for text in _proto_strings(node.proto)]
    return [(kind, text) for kind, text in found if text.strip()]


def _date_words(language: str) -> set[str]:
    loc = Locale.parse(language)
    words = {"UTC", "GMT", "US", "AM", "PM"}
    for table in (loc.months, loc.days):
        for context in table.values():
            for width in context.values():
                for name in width.values():
                    words.update(_WORD.findall(name))
    return words | set(loc.periods.values())


def _outside(texts: Iterable[str], data: Iterable[str], language: str) -> list[str]:
    """The texts with a word outside the wrapped segments, the data strings and the language's date words."""
    data = sorted({d for d in data if d}, key=len, reverse=True)
    allowed = _date_words(language)
    bad = []
    for text in texts:
        rest = text
        while _WRAPPED.search(rest):
            rest = _WRAPPED.sub(" ", rest)
        for value in data:
            rest = rest.replace(value, " ")
        if any(word not in allowed for word in _WORD.findall(rest)):
            bad.append(text)
    return bad


def hard_coded(at, *, data: Iterable[str] = (), language: str = "en") -> list[tuple[str, str]]:
    """Texts with words outside the (pseudo-)catalogue: ``(element type, text)``; ``[]`` means all is well."""
    texts = [(kind, text, unescape(_DIRECTIVE.sub("", _ICON.sub("", text)))) for kind, text in visible_texts(at)]
    bad = set(_outside([shown for _, _, shown in texts], data, language))
    return [(kind, text) for kind, text, shown in texts if shown in bad]


def hard_coded_lines(lines: Iterable[str], *, data: Iterable[str] = (), language: str = "en") -> list[str]:
    """Command-line output lines with words outside the (pseudo-)catalogue; ``[]`` means all is well."""
    return _outside([line for line in lines if line.strip()], data, language)
