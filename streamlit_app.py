"""Spendboard. ``streamlit run streamlit_app.py`` imports this file once to build the web server (``app``: Streamlit
with Spendboard's sign-in routes and middleware, ``core.web``), then runs it as ``__main__`` for every browser
session: the frame around every page (config, shared services, access, navigation)."""

import streamlit as st

if __name__ != "__main__":  # imported by `streamlit run` (or an ASGI server): the web server, built once
    from core.web import MIDDLEWARE, ROUTES

    app = st.App(__file__, routes=ROUTES, middleware=MIDDLEWARE)
else:
    from core.ui import style
    from core.ui.auth import access, sign_in_screen, sign_out_button
    from core.ui.services import leave_legacy_multipage_mode, services, t

    st.set_page_config(page_title="Spendboard", page_icon=style.FAVICON, layout="wide")  # served by the app, no CDN
    style.apply()
    svc = services()  # built once per process; a configuration error stops here with one clear message
    allowed = access(svc.settings)

    overview = st.Page("pages/overview.py", title=t("nav_overview"), icon=":material/monitoring:", default=True)
    runs = st.Page("pages/scraper_runs.py", title=t("nav_runs"), icon=":material/list_alt:", url_path="runs")
    report = st.Page(
        "pages/report.py",
        title=t("nav_report"),
        icon=":material/summarize:",
        url_path="report",
        visibility="visible" if allowed.report else "hidden",
    )
    settings = st.Page("pages/settings.py", title=t("nav_settings"), icon=":material/settings:", url_path="settings")

    page = st.navigation([overview, runs, report, settings], position="sidebar" if allowed.full else "hidden")
    leave_legacy_multipage_mode()  # navigation is declared now: mark the session so pages never reroute it
    on_report = page.url_path == report.url_path
    if not (allowed.report if on_report else allowed.full):  # nothing else is shown
        sign_in_screen(svc.settings, t, allowed, report_page=on_report)
        st.stop()
    sign_out_button(svc.settings, t, allowed)
    page.run()
