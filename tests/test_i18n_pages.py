"""The page checker finds hard-coded text, and the action row it is used on shows catalogue strings only."""

import streamlit as st
from streamlit.testing.v1 import AppTest

from core.i18n import translator
from tests.conftest import clean_app_env
from tests.i18n_pages import hard_coded, pseudo_catalogue, visible_texts


def _page_with_one_hard_coded_caption():
    import streamlit as st

    from core.i18n import translator
    from core.i18n.formats import Formats

    t, f = translator("en"), Formats("en")
    st.title(t("nav_overview"))
    st.metric(t("total_spent"), f.money(__import__("decimal").Decimal("1234.5")), delta="+$3.20")
    st.selectbox(t("period"), ["day", "week"], format_func=lambda p: t(f"period_{p}"))
    st.caption(f.date(__import__("datetime").date(2026, 10, 20), "weekday"))
    st.caption("Updated just now")  # hard-coded: must be found
    st.code("provider error body: not checked")


def test_the_checker_finds_hard_coded_text_and_accepts_catalogue_text_and_data():
    with pseudo_catalogue():
        at = AppTest.from_function(_page_with_one_hard_coded_caption, default_timeout=30).run()
        assert not at.exception
        assert hard_coded(at) == [("caption", "Updated just now")]
        texts = [text for _, text in visible_texts(at)]
        assert "⟦Total spent⟧" in texts and "⟦Today⟧" in texts and "$1,234.50" in texts
        assert not any("provider error body" in text for text in texts)
    assert translator("en")("total_spent") == "Total spent"  # the real catalogue is back


def test_the_collect_and_send_row_shows_only_catalogue_strings(monkeypatch, tmp_path):
    clean_app_env(monkeypatch, tmp_path)
    st.cache_resource.clear()

    def row():
        from datetime import date

        from core.ui.actions import render_actions
        from core.ui.services import services

        render_actions(services(), collect_month=None, send_month=date(2026, 10, 1))

    with pseudo_catalogue():
        at = AppTest.from_function(row, default_timeout=30).run()
        assert not at.exception
        assert hard_coded(at) == []
        assert any("October 2026" in text for _, text in visible_texts(at))
    st.cache_resource.clear()


def _page_with_a_chart():
    from datetime import date
    from decimal import Decimal

    import streamlit as st

    from core import charts
    from core.i18n.formats import Formats
    from core.models import ChartPoint

    points = [ChartPoint(date(2026, 10, d), Decimal("1.5"), d, 1200) for d in range(1, 8)]
    st.plotly_chart(charts.spending_area(points, Formats("en")), config=charts.CONFIG)


def test_a_chart_built_by_core_charts_shows_only_catalogue_words_and_data():
    with pseudo_catalogue():
        at = AppTest.from_function(_page_with_a_chart, default_timeout=30).run()
        assert not at.exception
        texts = [text for kind, text in visible_texts(at) if kind == "plotly_chart"]
        assert "⟦Day (UTC)⟧" in texts and "⟦Cost (USD)⟧" in texts
        assert hard_coded(at) == []
