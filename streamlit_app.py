"""Spendboard: the frame around every page (config, shared services, navigation)."""

import streamlit as st

from core.ui.services import services, t

st.set_page_config(page_title="Spendboard", page_icon=":material/payments:", layout="wide")
services()  # built once per process; a configuration error stops here with one clear message

pages = [
    st.Page("pages/overview.py", title=t("nav_overview"), icon=":material/monitoring:", default=True),
    st.Page("pages/scraper_runs.py", title=t("nav_runs"), icon=":material/list_alt:", url_path="runs"),
]
st.navigation(pages).run()
