"""The app's language and the viewer's own clock, for pages: ``fmt()`` formats every figure, ``when()`` gives a
timestamp in the viewer's time zone with its UTC twin for a tooltip, ``days_caption()`` says that days are UTC days.

    f = fmt()
    st.metric(f.t("total_spent"), f.money(total))
    text, utc = when(run.started_at)
    st.caption(text, help=utc)
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from core.i18n.formats import Formats
from core.ui.services import services


def viewer_timezone() -> tzinfo:
    """The browser's time zone (``st.context.timezone``); UTC until the browser has said, or if it is unknown."""
    try:
        name = st.context.timezone
    except Exception:  # no browser behind this run (a bare script, some test harnesses)
        return UTC
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def fmt() -> Formats:
    """Formatters (and ``t``) in ``APP_LANGUAGE``, with times in the viewer's time zone."""
    return Formats(services().settings.app_language, viewer_timezone())


def when(moment: datetime, f: Formats | None = None) -> tuple[str, str]:
    """``(local text, "In UTC: …")``: show the first, put the second in ``help=`` (the hover)."""
    f = f or fmt()
    return f.datetime(moment), f.t("time_in_utc", when=f.datetime_utc(moment))


def days_caption(f: Formats | None = None) -> str:
    """ "Days are UTC days…", naming the viewer's zone when it is not UTC itself."""
    f = f or fmt()
    if f.tz is UTC or f.tz_name in ("UTC", "Etc/UTC"):
        return f.t("days_are_utc")
    return f.t("days_are_utc_local", zone=f.tz_name)
