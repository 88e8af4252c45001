"""A small OpenID Connect provider on 127.0.0.1 for the sign-in tests: discovery document, JWKS, an authorize page
where the test types who signs in, a token endpoint (authorization code + PKCE S256, client secret) issuing an
RS256-signed ID token (joserfc), userinfo, and an end-session endpoint. Standard library HTTP server; nothing here
touches the network beyond 127.0.0.1.

    with OIDCProvider(client_id="spendboard", client_secret="s3cret") as idp:
        idp.metadata_url   # -> [auth] server_metadata_url
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey


class OIDCProvider:
    def __init__(self, *, client_id: str, client_secret: str, verified: bool = True):
        self.client_id = client_id
        self.client_secret = client_secret
        self.verified = verified  # the email_verified claim of every ID token
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, for assertions
        self.signed_in: list[str] = []  # emails, in order
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def __enter__(self) -> OIDCProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def id_token(self, email: str, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": hashlib.sha256(email.encode()).hexdigest()[:24],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 600,
            "email": email,
            "email_verified": self.verified,
            "name": email.split("@")[0].title(),
        }
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):  # quiet
                pass

            def _send(self, status: int, body: bytes = b"", content_type: str = "application/json", **headers):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

            def _json(self, data: dict, status: int = 200):
                self._send(status, json.dumps(data).encode())

            def _form(self) -> dict[str, str]:
                length = int(self.headers.get("Content-Length") or 0)
                fields = parse_qs(self.rfile.read(length).decode())
                return {k: v[0] for k, v in fields.items()}

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                provider.requests.append(("GET", url.path))
                if url.path == "/.well-known/openid-configuration":
                    return self._json(provider.metadata())
                if url.path == "/jwks":
                    return self._json({"keys": [provider.key.as_dict(private=False)]})
                if url.path == "/authorize":
                    return self._authorize_page(query)
                if url.path == "/userinfo":
                    token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                    claims = provider.tokens.get(token)
                    return self._json(claims) if claims else self._json({"error": "invalid_token"}, 401)
                if url.path == "/logout":
                    target = query.get("post_logout_redirect_uri")
                    if target:
                        return self._send(302, Location=target)
                    return self._send(200, b"signed out", "text/plain")
                return self._send(404, b"not found", "text/plain")

            def _authorize_page(self, query: dict[str, str]):
                if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                    return self._send(400, b"bad authorization request", "text/plain")
                hidden = "".join(
                    f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in query.items()
                )
                page = (
                    "<!doctype html><title>Test identity provider</title><h1>Test identity provider</h1>"
                    f'<form method="post" action="/authorize">{hidden}'
                    '<label for="email">Email</label><input id="email" name="email" type="email">'
                    '<button type="submit">Continue</button></form>'
                )
                self._send(200, page.encode(), "text/html; charset=utf-8")

            def do_POST(self):
                url = urlsplit(self.path)
                provider.requests.append(("POST", url.path))
                form = self._form()
                if url.path == "/authorize":
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = form
                    target = form["redirect_uri"] + "?" + urlencode({"code": code, "state": form.get("state", "")})
                    return self._send(302, Location=target)
                if url.path == "/token":
                    return self._token(form)
                return self._send(404, b"not found", "text/plain")

            def _client_ok(self, form: dict[str, str]) -> bool:
                auth = self.headers.get("Authorization") or ""
                if auth.startswith("Basic "):
                    client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                else:
                    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
                return client_id == provider.client_id and secrets.compare_digest(secret, provider.client_secret)

            def _token(self, form: dict[str, str]):
                if not self._client_ok(form):
                    return self._json({"error": "invalid_client"}, 401)
                grant = provider.codes.pop(form.get("code", ""), None)
                if grant is None or form.get("grant_type") != "authorization_code":
                    return self._json({"error": "invalid_grant"}, 400)
                if form.get("redirect_uri") != grant["redirect_uri"]:
                    return self._json({"error": "invalid_grant", "error_description": "redirect_uri"}, 400)
                challenge = grant.get("code_challenge")
                if challenge:
                    digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                    if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge:
                        return self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
                email = grant["email"]
                provider.signed_in.append(email)
                access = secrets.token_urlsafe(24)
                provider.tokens[access] = {"sub": email, "email": email, "email_verified": provider.verified}
                return self._json(
                    {
                        "access_token": access,
                        "token_type": "Bearer",
                        "expires_in": 600,
                        "id_token": provider.id_token(email, grant.get("nonce")),
                        "scope": grant.get("scope", "openid"),
                    }
                )

        return Handler
