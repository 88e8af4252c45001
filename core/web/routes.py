"""``/auth/password``: the password form (GET) and its check (POST). The password travels only in the POST body;
what comes back is a signed cookie standing for a sign-in recorded in SQL. Streamlit's own ``/auth/login``,
``/auth/logout`` and ``/oauth2callback`` (single sign-on) are left alone."""

from __future__ import annotations

import html
import logging
import math
import re
from urllib.parse import parse_qs, quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from core.i18n import translator
from core.web.context import Web, web
from core.web.keys import SESSION_COOKIE
from core.web.sign_in import MAX_SECRET_LENGTH, lifetime, password_matches, start_password_session

log = logging.getLogger("spendboard.auth")

PASSWORD_PATH = "/auth/password"
MAX_BODY = 8192
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",  # (no-referrer would make the browser send "Origin: null" with the form)
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'",
}


def base_path() -> str:
    """Streamlit's ``server.baseUrlPath`` as a prefix ("" or "/spend"): every path here lives under it."""
    from streamlit import config

    value = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{value}" if value else ""


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this site only (never another host, never back here)."""
    home = base_path() + "/"
    if not value or len(value) > 512 or not value.startswith(home) or value.startswith(("//", "/\\")):
        return home
    if re.search(r"[\x00-\x1f\\]", value) or urlsplit(value).netloc or value.startswith(base_path() + "/auth/"):
        return home
    return value


def secure(request: Request, w: Web) -> bool:
    return request.url.scheme == "https" or w.settings.app_base_url.startswith("https://")


def _page(w: Web, *, next_: str, message: str | None = None, status: int = 200, retry_after: int | None = None):
    t = translator(w.settings.app_language)
    note = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    other = (
        f'<p class="other"><a href="{base_path()}/">{html.escape(t("signin_other_ways"))}</a></p>'
        if w.settings.sso_providers
        else ""
    )
    body = f"""<!doctype html>
<html lang="{w.settings.app_language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Spendboard · {html.escape(t("sign_in"))}</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f7f8fa; color: #1f2430; margin: 0; }}
main {{ max-width: 22rem; margin: 12vh auto; background: #fff; padding: 2rem; border-radius: .75rem;
       box-shadow: 0 1px 4px rgba(0,0,0,.08); }}
h1 {{ font-size: 1.4rem; margin: 0 0 1.25rem; }}
label {{ display: block; font-size: .9rem; margin-bottom: .35rem; }}
input[type=password] {{ width: 100%; box-sizing: border-box; padding: .55rem .6rem; font-size: 1rem;
       border: 1px solid #c8ccd4; border-radius: .4rem; }}
button {{ margin-top: 1rem; width: 100%; padding: .6rem; font-size: 1rem; border: 0; border-radius: .4rem;
       background: #4F6BED; color: #fff; cursor: pointer; }}
.error {{ color: #b3261e; }}
.other {{ margin-top: 1rem; font-size: .9rem; }}
</style></head>
<body><main>
<h1>Spendboard</h1>
{note}
<form method="post" action="{base_path()}{PASSWORD_PATH}">
<input type="hidden" name="next" value="{html.escape(next_)}">
<label for="password">{html.escape(t("password"))}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus
       maxlength="{MAX_SECRET_LENGTH}">
<button type="submit">{html.escape(t("sign_in"))}</button>
</form>
{other}
</main></body></html>"""
    headers = dict(SECURITY_HEADERS)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return HTMLResponse(body, status_code=status, headers=headers)


async def _form(request: Request) -> dict[str, str]:
    """The urlencoded form of a POST (bounded; no multipart parser needed for two fields)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return {}
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    return {k: v[0] for k, v in fields.items() if v}


def _same_origin(request: Request) -> bool:
    """Whether a POST comes from this site's own form (a browser says so; a client that sends neither header is
    not a browser another site can drive)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def password(request: Request) -> Response:
    w = web()
    if w is None or not w.settings.app_password:
        return RedirectResponse(base_path() + "/", status_code=303)
    if request.method == "GET":
        return _page(w, next_=safe_next(request.query_params.get("next")))
    if not _same_origin(request):
        return Response("Cross-site sign-in refused.", status_code=403, headers=SECURITY_HEADERS)
    form = await _form(request)
    next_ = safe_next(form.get("next"))
    t = translator(w.settings.app_language)
    key = client_key(request)
    wait = w.throttle.wait(key)
    if wait > 0:  # refused unchecked: guessing faster than the delay learns nothing
        seconds = math.ceil(wait)
        log.warning("sign-in: attempt from %s refused, %d s of delay left", key, seconds)
        return _page(w, next_=next_, message=t("signin_wait", count=seconds), status=429, retry_after=seconds)
    if not password_matches(w.settings, form.get("password")):
        failures = w.throttle.failed(key)
        log.warning("sign-in: wrong password from %s (%d in a row)", key, failures)  # never the attempt itself
        return _page(w, next_=next_, message=t("wrong_password"), status=401)
    w.throttle.succeeded(key)
    cookie = await run_in_threadpool(start_password_session, w.settings, w.store)
    log.info("sign-in: password sign-in from %s", key)
    response = RedirectResponse(next_, status_code=303, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(lifetime(w.settings).total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure(request, w),
    )
    return response


def sign_in_url(next_: str) -> str:
    """The password form, coming back to ``next_`` (a full path on this site) once signed in."""
    return f"{base_path()}{PASSWORD_PATH}?next={quote(safe_next(next_), safe='/')}"


def routes() -> list[Route]:
    return [Route(base_path() + PASSWORD_PATH, password, methods=["GET", "POST"])]
