"""Times that explain themselves: the viewer's zone from the browser, UTC on hover, "days are UTC days"."""

from datetime import UTC, datetime

import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import clean_app_env


def _page():
    from datetime import UTC, datetime

    import streamlit as st

    from core.ui.locale import days_caption, fmt, when

    text, utc = when(datetime(2026, 10, 20, 14, 3, tzinfo=UTC))
    st.caption(text, help=utc)
    st.caption(days_caption())
    st.caption(fmt().tz_name)


def run(monkeypatch, tmp_path, timezone: str | None, language: str = "en") -> AppTest:
    clean_app_env(monkeypatch, tmp_path)
    monkeypatch.setenv("APP_LANGUAGE", language)
    st.cache_resource.clear()
    at = AppTest.from_function(_page, default_timeout=30)
    if timezone is not None:
        at.context["timezone"] = timezone
    at.run()
    assert not at.exception
    st.cache_resource.clear()
    return at


def test_a_timestamp_in_the_viewers_zone_with_utc_on_hover(monkeypatch, tmp_path):
    at = run(monkeypatch, tmp_path, "Europe/Paris", "fr")
    stamp, days, zone = at.caption
    assert stamp.value == "20 oct. 2026, 16:03" and stamp.help == "En UTC : 20 oct. 2026, 14:03 UTC"
    assert days.value == (
        "Les jours sont des jours UTC, de minuit à minuit UTC ; les heures sont données dans votre fuseau horaire "
        "(Europe/Paris)."
    )
    assert zone.value == "Europe/Paris"


def test_utc_until_the_browser_says_and_for_an_unknown_zone(monkeypatch, tmp_path):
    for timezone in (None, "Mars/Olympus_Mons"):
        at = run(monkeypatch, tmp_path, timezone)
        stamp, days, _ = at.caption
        assert stamp.value == "Oct 20, 2026, 2:03\u202fPM"
        assert days.value == "Days are UTC days, midnight to midnight UTC."


def test_a_naive_stored_time_is_read_as_utc():
    from zoneinfo import ZoneInfo

    from core.i18n.formats import Formats

    f = Formats("en", ZoneInfo("Asia/Tokyo"))
    assert f.datetime(datetime(2026, 10, 20, 14, 3)) == f.datetime(datetime(2026, 10, 20, 14, 3, tzinfo=UTC))
