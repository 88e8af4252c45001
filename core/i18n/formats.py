"""Numbers, money, percentages, dates and times in the app's language, from CLDR data (Babel).

Every human-facing figure goes through here: ``$1,234.56`` / ``1 234,56 $US``, ``8,745`` / ``8 745``,
``80.2%`` / ``80,2 %``, ``Tue, Oct 20, 2026`` / ``mar. 20 oct. 2026``, ``October 2026`` / ``octobre 2026``.
Machine output (JSON, CSV) never does: it stays locale-free.

The functions take the language explicitly; ``Formats`` binds a language (and the viewer's time zone) once, with the
catalogue's ``t`` next to the formatters, so a page or the email holds one object::

    f = Formats("fr", ZoneInfo("Europe/Paris"))
    f.money(Decimal("75.58"))      # '75,58 $US'
    f.t("vs_previous", count=1)    # 'par rapport à la veille'

Money is rounded half-even to the cent for display only (``exact=True`` keeps up to 6 decimals, for single runs).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from babel import Locale, dates, lists, numbers

CURRENCY = "USD"  # every amount Spendboard holds is in US dollars
UNKNOWN = "—"  # what any formatter shows for a value nobody reported
EXACT_DIGITS = 6


@cache
def locale(language: str) -> Locale:
    return Locale.parse(language)


def _symbols(language: str) -> dict[str, str]:
    return locale(language).number_symbols["latn"]


@cache
def _pattern(language: str, kind: str, digits: int | None = None) -> numbers.NumberPattern:
    """The locale's own pattern (where the sign, symbol and spaces go), with ``digits`` fraction digits."""
    loc = locale(language)
    source = {"currency": loc.currency_formats["standard"], "percent": loc.percent_formats[None]}.get(kind)
    pattern = copy.copy(source or loc.decimal_formats[None])
    if digits is not None:
        pattern.frac_prec = (digits, digits)
    return pattern


def _signed(text: str, value: Decimal | int, signed: bool, language: str) -> str:
    return _symbols(language)["plusSign"] + text if signed and value > 0 else text


def format_money(value: Decimal | int | None, language: str, *, signed: bool = False, exact: bool = False) -> str:
    """``$1,234.56`` / ``1 234,56 $US``; ``exact`` keeps up to 6 decimals (``$0.003421``) for single runs."""
    if value is None:
        return UNKNOWN
    value = Decimal(value) if isinstance(value, int) else value  # whole dollars may come as int; floats may not
    if exact:
        shown = value.quantize(Decimal(1).scaleb(-EXACT_DIGITS), ROUND_HALF_EVEN).normalize()
        digits = max(2, -shown.as_tuple().exponent)
    else:
        digits = 2
    value = value.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_EVEN)
    text = _pattern(language, "currency", digits).apply(value, language, currency=CURRENCY, currency_digits=False)
    return _signed(text, value, signed, language)


def format_number(value: int | Decimal | None, language: str, *, digits: int | None = None) -> str:
    """``8,745`` / ``8 745``; a Decimal keeps its own decimals unless ``digits`` is given."""
    if value is None:
        return UNKNOWN
    if digits is None and isinstance(value, Decimal):
        digits = max(0, -value.normalize().as_tuple().exponent)
    return _pattern(language, "decimal", digits or 0).apply(value, language)


def format_percent(points: Decimal | int | None, language: str, *, digits: int = 1, signed: bool = False) -> str:
    """Percentage points (``Decimal("12.5")`` means 12.5 %) as ``+12.5%`` / ``+12,5 %``."""
    if points is None:
        return UNKNOWN
    ratio = (Decimal(points) / 100).quantize(Decimal(1).scaleb(-digits - 2), ROUND_HALF_EVEN)
    return _signed(_pattern(language, "percent", digits).apply(ratio, language), ratio, signed, language)


def format_date(day: date | datetime, language: str, style: str = "medium") -> str:
    """``medium``: ``Oct 20, 2026`` / ``20 oct. 2026``; ``weekday``: ``Tue, Oct 20, 2026`` / ``mar. 20 oct. 2026``;
    ``day``: ``Oct 20`` / ``20 oct.``; ``weekday_day``: ``Tue, Oct 20`` / ``mar. 20 oct.``; ``iso``: ``2026-10-20``."""
    if isinstance(day, datetime):
        day = day.date()
    skeleton = {"medium": "yMMMd", "weekday": "yMMMEd", "day": "MMMd", "weekday_day": "MMMEd"}.get(style)
    if style == "iso":
        return day.isoformat()
    if skeleton is None:
        raise ValueError(f"unknown date style {style!r}")
    return dates.format_skeleton(skeleton, day, locale=locale(language))


def format_month(month: date, language: str) -> str:
    """``October 2026`` / ``octobre 2026`` (the month on its own, as in a selector or a title)."""
    return dates.format_skeleton("yMMMM", month, locale=locale(language))


def format_of_month(month: date, language: str) -> str:
    """The month as it follows "of": ``October 2026``; in French ``de mars 2026`` but ``d'octobre 2026``."""
    text = format_month(month, language)
    if language == "fr":
        return ("d'" if text[0] in "aeiouyhâàéèêîôû" else "de ") + text
    return text


def month_name(month: date, language: str) -> str:
    """``October`` / ``octobre``."""
    return dates.format_date(month, "LLLL", locale=locale(language))


def date_input_format(language: str) -> str:
    """Streamlit's ``st.date_input(format=...)`` in the language's order and separator, from its short date pattern:
    ``MM/DD/YYYY`` / ``DD/MM/YYYY``."""
    pattern = locale(language).date_formats["short"].pattern
    order = sorted("dMy", key=lambda c: pattern.find(c) if c in pattern else 99)
    separator = next((c for c in pattern if c in "/-."), "/")
    return separator.join({"d": "DD", "M": "MM", "y": "YYYY"}[c] for c in order)


def format_datetime(moment: datetime, language: str, tz: tzinfo = UTC, *, utc_suffix: bool = False) -> str:
    """A moment in ``tz`` (the viewer's zone): ``Oct 20, 2026, 4:03 PM`` / ``20 oct. 2026, 16:03``.

    ``utc_suffix`` adds the zone's offset (``UTC`` for UTC itself), for text that must say which clock it means."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the store's times are UTC
    local = moment.astimezone(tz)
    loc = locale(language)
    text = loc.datetime_formats["medium"].format(
        dates.format_time(local, "short", locale=loc), dates.format_date(local, "medium", locale=loc)
    )
    if utc_suffix:
        offset = local.utcoffset()
        text += " UTC" if not offset else " " + dates.format_datetime(local, "ZZZZ", locale=loc).replace("GMT", "UTC")
    return text


def format_list(items: Iterable[str], language: str) -> str:
    """``a, b, and c`` / ``a, b et c``."""
    items = list(items)
    return lists.format_list(items, locale=locale(language)) if items else UNKNOWN


def format_seconds(seconds: float, language: str) -> str:
    """A short duration: ``1.2 s`` / ``1,2 s`` (one decimal under 10 s, whole seconds above)."""
    value = Decimal(str(round(seconds, 1 if seconds < 10 else 0)))
    return f"{format_number(value, language, digits=1 if seconds < 10 else 0)}\u00a0s"


def plotly_separators(language: str) -> str:
    """Plotly's ``layout.separators``: the decimal mark then the thousands separator of the language."""
    symbols = _symbols(language)
    return symbols["decimal"] + symbols["group"]


@dataclass(frozen=True)
class Formats:
    """One language (and the viewer's time zone) bound to the formatters and the catalogue."""

    language: str = "en"
    tz: tzinfo = field(default=UTC)

    @property
    def t(self) -> Callable[..., str]:
        from core.i18n import translator

        return translator(self.language)

    def money(self, value: Decimal | None, *, signed: bool = False, exact: bool = False) -> str:
        return format_money(value, self.language, signed=signed, exact=exact)

    def number(self, value: int | Decimal | None, *, digits: int | None = None) -> str:
        return format_number(value, self.language, digits=digits)

    def percent(self, points: Decimal | int | None, *, digits: int = 1, signed: bool = False) -> str:
        return format_percent(points, self.language, digits=digits, signed=signed)

    def date(self, day: date | datetime, style: str = "medium") -> str:
        return format_date(day, self.language, style)

    def month(self, month: date) -> str:
        return format_month(month, self.language)

    def of_month(self, month: date) -> str:
        return format_of_month(month, self.language)

    def month_name(self, month: date) -> str:
        return month_name(month, self.language)

    @property
    def date_input_format(self) -> str:
        return date_input_format(self.language)

    def datetime(self, moment: datetime, *, utc_suffix: bool = False) -> str:
        """In the viewer's zone."""
        return format_datetime(moment, self.language, self.tz, utc_suffix=utc_suffix)

    def datetime_utc(self, moment: datetime) -> str:
        """In UTC, saying so: the hover text next to a local time."""
        return format_datetime(moment, self.language, UTC, utc_suffix=True)

    def list(self, items: Iterable[str]) -> str:
        return format_list(items, self.language)

    def seconds(self, seconds: float) -> str:
        return format_seconds(seconds, self.language)

    def error(self, error: BaseException) -> str:
        """An error's one line in this language (``core.i18n.describe``)."""
        from core.i18n import describe

        return describe(error, self.language)

    def word(self, prefix: str, code: str | None) -> str:
        """A stored code in words through the catalogue key ``prefix + code`` (``status_`` + ``ok``: ``ok`` /
        ``réussie``); a code the catalogue does not know as it came, ``—`` for none."""
        from core.i18n import catalogue

        if not code:
            return UNKNOWN
        key = prefix + code.lower().replace("-", "_")
        return self.t(key) if key in catalogue()["en"] else code

    def run_status(self, status: str | None) -> str:
        """An Apify run status (``SUCCEEDED``, ``TIMED-OUT``...) in words; an unknown one as it came."""
        return self.word("run_status_", status)

    @property
    def tz_name(self) -> str:
        return getattr(self.tz, "key", None) or str(self.tz)
