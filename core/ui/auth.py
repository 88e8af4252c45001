"""Who may see what. ``APP_PASSWORD`` gates the whole app (kept for the session); a valid ``?token=`` opens the
monthly report only. Both are compared in constant time. Actions (collect, send) need a full session."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import streamlit as st

from core.config import Settings
from core.ui.services import leave_legacy_multipage_mode

_SESSION = "_spendboard_authenticated"
_REPORT = "_spendboard_report_token_ok"
MAX_TOKEN_LENGTH = 512


@dataclass(frozen=True)
class Access:
    full: bool  # every page and every action
    report: bool  # the monthly report page (read only)


def _equal(given: str | None, expected: str | None) -> bool:
    if not given or not expected or len(given) > MAX_TOKEN_LENGTH:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def access(settings: Settings) -> Access:
    """Evaluate the session. A valid report token is remembered for the session and removed from the URL."""
    full = not settings.app_password or bool(st.session_state.get(_SESSION))
    token = st.query_params.get("token")
    if token is not None:
        if _equal(token, settings.report_secret_token):
            st.session_state[_REPORT] = True
        del st.query_params["token"]  # keep it out of the address bar and history
    if settings.report_secret_token:
        # The report needs its token, or a session that signed in with APP_PASSWORD.
        signed_in = bool(settings.app_password) and full
        report = signed_in or bool(st.session_state.get(_REPORT))
    else:
        report = full  # no token configured: the report is exactly as open as the app
    return Access(full=full, report=report)


def password_form(settings: Settings, t) -> None:
    """The app's sign-in form; reruns into the app once the password matches (Enter or the button)."""
    st.title("Spendboard")
    password = st.columns([2, 3])[0].text_input(
        t("password"), type="password", key="_sign_in_password", max_chars=MAX_TOKEN_LENGTH
    )
    clicked = st.button(t("sign_in"), key="sign_in", type="primary")
    if clicked or password:
        if _equal(password, settings.app_password):
            st.session_state[_SESSION] = True
            del st.session_state["_sign_in_password"]
            st.rerun()
        st.error(t("wrong_password"))


def sign_out_button(settings: Settings, t) -> None:
    signed_in = settings.app_password and st.session_state.get(_SESSION)
    if signed_in and st.sidebar.button(t("sign_out"), key="sign_out"):
        st.session_state.pop(_SESSION, None)
        st.rerun()


def require(settings: Settings, t, *, report_page: bool = False) -> None:
    """Stop the page unless the session may see it (each page checks, not only the entry script)."""
    leave_legacy_multipage_mode()
    allowed = access(settings)
    if report_page and not allowed.report:
        st.error(t("access_denied"))
        st.stop()
    if not report_page and not allowed.full:
        if settings.app_password:
            password_form(settings, t)
        else:
            st.error(t("access_denied"))
        st.stop()
