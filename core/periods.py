"""Period and month maths, all in UTC calendar days. Pure functions: ``today`` is always passed in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from core.errors import InputError

PERIODS = ("day", "week", "month", "all")
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
RANGES = {"7d": 7, "30d": 30, "90d": 90}
# Dates a person may ask about: Spendboard's data starts after 2000, and a far-future bound keeps every date we
# derive (the day after, the end of the month) inside what Python and both databases can represent.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2999, 12, 31)
_MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")  # ASCII digits only (\d also matches ٢٠٢٦)


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_today() -> date:
    return utc_now().date()


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise InputError(f"period must be one of {', '.join(PERIODS)} (got {period!r})")
    return period


def period_window(period: str, today: date) -> tuple[date | None, date]:
    """Inclusive ``(first_day, last_day)`` of a period ending today; ``first_day`` is None for ``all``."""
    check_period(period)
    if period == "all":
        return None, today
    return today - timedelta(days=PERIOD_DAYS[period] - 1), today


def previous_window(period: str, today: date) -> tuple[date, date] | None:
    """The equal-length window just before ``period_window``; None for ``all``."""
    start, _ = period_window(period, today)
    if start is None:
        return None
    length = PERIOD_DAYS[period]
    return start - timedelta(days=length), start - timedelta(days=1)


def check_range(range_: str) -> int:
    if range_ not in RANGES:
        raise InputError(f"range must be one of {', '.join(RANGES)} (got {range_!r})")
    return RANGES[range_]


def range_days(range_: str, today: date) -> list[date]:
    """Every day of a chart range, oldest first, ending today."""
    n = check_range(range_)
    return [today - timedelta(days=i) for i in range(n - 1, -1, -1)]


def parse_day(text: str, *, what: str = "date") -> date:
    """``"2026-10-03"`` -> ``date(2026, 10, 3)``, between ``EARLIEST_DAY`` and ``LATEST_DAY``."""
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InputError.keyed("err_day_format", what=what, got=repr(str(text)[:40])) from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InputError.keyed("err_day_range", what=what, first=str(EARLIEST_DAY), last=str(LATEST_DAY), got=text)
    return day


def parse_month(text: str, *, today: date | None = None) -> date:
    """``"2026-10"`` -> ``date(2026, 10, 1)``; with ``today``, a month that has not started yet is refused."""
    m = _MONTH_RE.fullmatch(text or "") if isinstance(text, str) else None
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < EARLIEST_DAY.year:
        raise InputError.keyed("err_month_format", got=repr(str(text)[:40]))
    month = date(int(m.group(1)), int(m.group(2)), 1)
    if today is not None:
        return check_started(month, today)
    if month > LATEST_DAY:
        raise InputError.keyed("err_month_too_late", latest=month_key(LATEST_DAY), got=text)
    return month


def check_started(month: date, today: date) -> date:
    """``month`` itself, or ``InputError`` when it is after the current UTC month: there is nothing to collect,
    report, send or archive for a month that has not begun."""
    if month_start(month) > month_start(today):
        raise InputError.keyed("err_month_not_started", month=month_key(month), today=str(today))
    return month


def month_key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    first = month_start(month)
    return month_start(first - timedelta(days=1))


def month_end(month: date) -> date:
    """Last day of the month (28, 29, 30 or 31)."""
    return next_month(month) - timedelta(days=1)


def last_complete_month(today: date) -> date:
    return previous_month(today)


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
