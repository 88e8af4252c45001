"""The middleware in front of Streamlit (pure ASGI, so the WebSocket passes untouched).

1. ``/report?token=...`` (or any page with a token): a valid token is swapped for a signed cookie and the browser is
   redirected to the same address without it. The redirect replaces the history entry, so Back never returns to
   the token, and the token never reaches the page, the logs of the page's own requests or a Referer.
2. Streamlit endpoints that reveal something (``/_stcore/metrics``, the script health check, the agent API, media
   and uploads) answer 404 to a browser that is not signed in.
3. With the team password as the only way in, a page load without a sign-in goes to the password form (a report
   page with a report cookie is let through; the page itself still checks everything).
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from core.people import sign_in_configured, sso_person
from core.web.context import Web, web
from core.web.keys import REPORT_COOKIE, SESSION_COOKIE
from core.web.routes import base_path, client_key, secure, sign_in_url
from core.web.sign_in import lifetime, password_session, report_cookie, report_cookie_valid, report_token_matches

log = logging.getLogger("spendboard.auth")

REPORT_PATH = "/report"
# Answer only a signed-in browser (anything else gets 404, as if they did not exist).
SIGNED_IN_ONLY = ("/_stcore/metrics", "/_stcore/script-health-check", "/_stcore/agent/")
# Answer a signed-in browser or a report reader.
WITH_ANY_ACCESS = ("/media/", "/_stcore/upload_file")
# Never a page: Streamlit's internals and assets, the sign-in routes. The frontend of a deep link such as /report
# also probes /report/_stcore/health (to find the base path), so these count anywhere in the path.
NOT_PAGES = ("/_stcore/", "/static/", "/media/", "/component/", "/auth/", "/oauth2callback")


def _cookies(scope: Scope) -> dict[str, str]:
    return cookie_parser(_header(scope, b"cookie"))  # Starlette's parser: as lenient as browsers are


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def sso_email(cookies: dict[str, str]) -> tuple[str | None, bool]:
    """(email, verified) from Streamlit's own sign-in cookie (``st.login``), checked with Streamlit's cookie secret
    the way its WebSocket does. Anything unreadable counts as not signed in."""
    try:
        from streamlit.auth_util import get_cookie_with_chunks
        from streamlit.web.server.server_util import get_cookie_secret
        from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value
        from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME

        secret = get_cookie_secret()

        def single(name: str) -> bytes | None:
            raw = cookies.get(name)
            return None if raw is None else decode_signed_value(secret, name, raw.encode("latin-1"))

        raw = get_cookie_with_chunks(single, USER_COOKIE_NAME)
        payload = json.loads(raw) if raw else None
    except Exception:  # fail closed, whatever Streamlit's internals do
        return None, False
    if not isinstance(payload, dict) or not payload.get("is_logged_in"):
        return None, False
    return payload.get("email"), payload.get("email_verified") is not False


def signed_in(w: Web, cookies: dict[str, str]) -> bool:
    """Whether the browser holding ``cookies`` is a signed-in person (anyone, when no sign-in is configured)."""
    s = w.settings
    if not sign_in_configured(s):
        return True
    if s.app_password and password_session(s, w.store, cookies.get(SESSION_COOKIE)):
        return True
    if s.sso_providers:
        email, verified = sso_email(cookies)
        return verified and sso_person(s, email) is not None
    return False


def _is_page(scope: Scope, path: str) -> bool:
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or _within(path, NOT_PAGES):
        return False
    return "." not in path.rsplit("/", 1)[-1]  # favicon.png, manifest.json ... are assets


def _within(path: str, prefixes: tuple[str, ...]) -> bool:
    """Whether ``path`` is under one of ``prefixes``, at the root or below a page path (/report/_stcore/...)."""
    return any(p in path for p in prefixes)


def _without_token(scope: Scope) -> str:
    query = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k != "token"]
    return scope["path"] + (f"?{urlencode(query)}" if query else "")


class Gate:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path, base = scope["path"], base_path()
        if base and (path == base or path.startswith(base + "/")):
            path = path[len(base) :] or "/"
        w = web()
        if w is None:  # configuration wrong: the pages say so; nothing revealing meanwhile
            if _within(path, SIGNED_IN_ONLY) or _within(path, WITH_ANY_ACCESS):
                return await self._not_found(scope, receive, send)
            return await self.app(scope, receive, send)
        cookies = _cookies(scope)

        if _within(path, SIGNED_IN_ONLY) or _within(path, WITH_ANY_ACCESS):
            allowed = await run_in_threadpool(signed_in, w, cookies)
            if not allowed and _within(path, WITH_ANY_ACCESS):
                allowed = report_cookie_valid(w.settings, cookies.get(REPORT_COOKIE))
            if not allowed:
                return await self._not_found(scope, receive, send)

        if not _is_page(scope, path):
            return await self.app(scope, receive, send)

        if "token" in dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))):  # on any page
            return await self._swap_token(w, scope, receive, send)

        if w.settings.app_password and not w.settings.sso_providers:
            session = await run_in_threadpool(password_session, w.settings, w.store, cookies.get(SESSION_COOKIE))
            report = path == REPORT_PATH and report_cookie_valid(w.settings, cookies.get(REPORT_COOKIE))
            if not session and not report:
                response = RedirectResponse(sign_in_url(_without_token(scope)), status_code=303)
                if SESSION_COOKIE in cookies:  # expired, signed out, or made with an older password
                    response.delete_cookie(SESSION_COOKIE, path="/")
                return await response(scope, receive, send)
        return await self.app(scope, receive, send)

    @staticmethod
    async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        return await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)

    async def _swap_token(self, w: Web, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.requests import Request

        request = Request(scope)
        key = client_key(request)
        token = request.query_params.get("token")
        response = RedirectResponse(_without_token(scope), status_code=303)
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        if w.throttle.wait(key) > 0:
            log.warning("report link: attempt from %s refused while it waits", key)
        elif report_token_matches(w.settings, token):
            w.throttle.succeeded(key)
            response.set_cookie(
                REPORT_COOKIE,
                report_cookie(w.settings),
                max_age=int(lifetime(w.settings).total_seconds()),
                path="/",
                httponly=True,
                samesite="lax",
                secure=secure(request, w),
            )
        else:
            failures = w.throttle.failed(key)
            log.warning("report link: wrong token from %s (%d in a row)", key, failures)
        await response(scope, receive, send)
