"""Who is looking, on every script run, and what they may see and do.

- Single sign-on: Streamlit's ``st.login`` / ``st.user`` / ``st.logout`` (``[auth]`` in secrets.toml); the person's
  role comes from ``ADMIN_EMAILS``.
- The team password: a signed cookie set by ``/auth/password`` (``core.web``) for a sign-in recorded in SQL; its
  holder is an admin. Signing out ends that sign-in for good.
- No sign-in configured: everyone who reaches the app is an admin (the settings page says so).
- A report link: ``core.web`` swaps ``?token=`` for a cookie before the page loads; a token that still reaches the
  script (no HTTP layer in front) is checked, remembered for the session and removed from the address bar.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import streamlit as st

from core.config import Settings
from core.people import Person, open_person, password_person, sign_in_configured, sso_person
from core.ui.services import leave_legacy_multipage_mode, services
from core.web.keys import REPORT_COOKIE, SESSION_COOKIE
from core.web.routes import sign_in_url
from core.web.sign_in import end_password_session, password_session, report_cookie_valid, report_token_matches

_REPORT = "_spendboard_report_token_ok"


@dataclass(frozen=True)
class Access:
    person: Person | None  # who is signed in (None: nobody)
    report: bool  # may read the monthly report page
    refused: tuple[str, str] | None = None  # (message key, email) when a single sign-on identity was turned away

    @property
    def full(self) -> bool:
        """Every page (read only for a viewer)."""
        return self.person is not None

    @property
    def admin(self) -> bool:
        """Every action: collect, send, back-fill, reconcile, settings."""
        return self.person is not None and self.person.is_admin


def _sso(settings: Settings) -> tuple[Person | None, tuple[str, str] | None]:
    if not settings.sso_providers or not st.user.get("is_logged_in"):
        return None, None
    email = st.user.get("email")
    if st.user.get("email_verified") is False:
        return None, ("signin_unverified", str(email))
    person = sso_person(settings, email, st.user.get("name"))
    return person, None if person else ("signin_not_allowed", str(email or "?"))


def access(settings: Settings) -> Access:
    """Evaluate this run's session (cheap: one indexed read when a password cookie is present)."""
    person, refused = _sso(settings)
    cookie = st.context.cookies.get(SESSION_COOKIE)
    if person is None and settings.app_password and password_session(settings, services().store, cookie):
        person = password_person()
    if person is None and not sign_in_configured(settings):
        person = open_person()
    token = st.query_params.get("token")
    if token is not None:
        if report_token_matches(settings, token):
            st.session_state[_REPORT] = True
        del st.query_params["token"]  # no HTTP layer swapped it: at least keep it out of the address bar
    if settings.report_secret_token:
        report = (
            person is not None
            or bool(st.session_state.get(_REPORT))
            or report_cookie_valid(settings, st.context.cookies.get(REPORT_COOKIE))
        )
    else:
        report = person is not None  # no token configured: the report is exactly as open as the app
    return Access(person, report, refused)


def _here() -> str:
    """This page's path and query (what to come back to after signing in with the password)."""
    path = urlsplit(st.context.url or "/").path or "/"
    query = {k: v for k, v in st.query_params.to_dict().items() if k != "token"}
    return path + (f"?{urlencode(query)}" if query else "")


def sign_in_screen(settings: Settings, t, allowed: Access, *, report_page: bool = False) -> None:
    """What someone who is not signed in sees: a button per identity provider and/or the password form's link."""
    st.title(t("signin_title"))
    if allowed.refused:
        key, email = allowed.refused
        st.error(t(key, email=email))
    for name, label in settings.sso_providers:
        if st.button(t("signin_with", provider=label), key=f"sign_in_{name}", type="primary"):
            st.login(name)
    if settings.app_password:
        url = html.escape(sign_in_url(_here()), quote=True)
        st.markdown(
            f'<a href="{url}" target="_self">{html.escape(t("signin_password_link"))}</a>', unsafe_allow_html=True
        )
    if not settings.sso_providers and not settings.app_password:
        st.error(t("access_denied"))
    if report_page and settings.report_secret_token:
        st.caption(t("signin_report_hint"))


def who(t, person: Person) -> str:
    if person.email:
        return person.email
    return t("who_password") if person.kind == "password" else t("who_open")


def sign_out_button(settings: Settings, t, allowed: Access) -> None:
    """The sidebar's "Signed in as" line and Sign-out button (single sign-on or the password)."""
    person = allowed.person
    if person is None or person.kind == "open":
        return
    st.sidebar.caption(t("signed_in_as", who=who(t, person), role=t(f"role_{person.role}")))
    if st.sidebar.button(t("sign_out"), key="sign_out"):
        if person.kind == "sso":
            st.logout()
        else:  # the cookie stays in the browser but stands for nothing any more (and is dropped on the next load)
            end_password_session(settings, services().store, st.context.cookies.get(SESSION_COOKIE))
            st.rerun()


def require(settings: Settings, t, *, report_page: bool = False) -> Access:
    """Stop the page unless the session may see it (each page checks, not only the entry script)."""
    leave_legacy_multipage_mode()
    allowed = access(settings)
    if (report_page and not allowed.report) or (not report_page and not allowed.full):
        sign_in_screen(settings, t, allowed, report_page=report_page)
        st.stop()
    return allowed


def authorize(settings: Settings, t, action: str) -> Person | None:
    """The admin about to do ``action``, or None after saying no (checked where the action runs, not only by
    hiding its button: a viewer's session never gets to act)."""
    allowed = access(settings)
    if not allowed.admin:
        st.error(t("admins_only"), icon=":material/lock:")
        return None
    return allowed.person
