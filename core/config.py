"""Settings, read once from the environment and ``.streamlit/secrets.toml`` (the environment wins).

Core functions take a ``Settings`` argument and never read ``os.environ`` themselves; tests build
``Settings(...)`` directly.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path

from core.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///data/spendboard.db"
SECRETS_FILE = Path(".streamlit/secrets.toml")
LANGUAGES = ("en", "fr")
_EMAIL_RE = re.compile(r"^[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+$")
_DOMAIN_RE = re.compile(r"^@[^@\s,<>]+\.[^@\s,<>]+$")
_TOKEN_RE = re.compile(r"^[\x21-\x7e]+$")  # API keys are printable ASCII without spaces
_API_KEYS = (
    "apify_token",
    "openai_admin_key",
    "anthropic_admin_key",
    "elevenlabs_api_key",
    "deepgram_api_key",
    "openrouter_management_key",
    "resend_api_key",
    "notion_api_key",
)
# Bounds on numeric settings, so that a typo is refused at start instead of producing absurd figures.
# ElevenLabs sells credits at $0.12-$0.30 per 1,000 across its plans (Business to Creator overage); $5 is more than
# fifteen times the dearest, so anything above it is a mistake (a price per credit, or per million, say).
MAX_USD_PER_1K_CREDITS = Decimal(5)
MAX_TOLERANCE_USD = Decimal(1000)  # a month "matching" within more than $1,000 is not reconciling anything
MAX_DRIFT_PERCENT = Decimal(100)
MAX_ANOMALY_MIN_USD = Decimal(10) ** 6  # a spike must be at least this many dollars above its baseline


def _secret(**kw):
    """A field whose value never shows up in repr() (so never in logs or tracebacks)."""
    return field(default=None, repr=False, **kw)


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)  # may hold a password
    app_language: str = "en"
    app_base_url: str = "http://localhost:8501"
    app_password: str | None = _secret()
    report_secret_token: str | None = _secret()
    apify_token: str | None = _secret()
    apify_base_url: str = "https://api.apify.com"
    openai_admin_key: str | None = _secret()
    openai_base_url: str = "https://api.openai.com/v1"
    anthropic_admin_key: str | None = _secret()
    anthropic_base_url: str = "https://api.anthropic.com"
    elevenlabs_api_key: str | None = _secret()
    elevenlabs_base_url: str = "https://api.elevenlabs.io"
    elevenlabs_usd_per_1k_credits: Decimal | None = None
    deepgram_api_key: str | None = _secret()
    deepgram_base_url: str = "https://api.deepgram.com"
    deepgram_project_ids: tuple[str, ...] = ()
    openrouter_management_key: str | None = _secret()
    openrouter_base_url: str = "https://openrouter.ai/api/v1"
    resend_api_key: str | None = _secret()
    resend_api_url: str = "https://api.resend.com"
    report_email_from: str | None = None
    report_email_to: tuple[str, ...] = ()
    notion_api_key: str | None = _secret()
    notion_base_url: str = "https://api.notion.com"
    notion_snapshots_db_id: str | None = None
    notion_summaries_db_id: str | None = None
    reconcile_tolerance_usd: Decimal = Decimal("0.01")  # |drift| at or under this is a match
    reconcile_small_drift_percent: Decimal = Decimal("2")  # |drift %| at or under this is a small drift
    # Access (core.people, core.web): who is an admin, who may sign in, how long a password sign-in lasts.
    admin_emails: tuple[str, ...] = ()  # addresses and/or "@domain" entries
    viewer_emails: tuple[str, ...] = ()  # who may sign in with single sign-on (empty: anyone the provider signs in)
    session_secret: str | None = _secret()  # signs Spendboard's cookies (default: [auth] cookie_secret)
    session_days: int = 7  # a password sign-in (and a report link) lasts this long in the browser
    # Single sign-on, read from the [auth] table of .streamlit/secrets.toml (Streamlit's st.login configuration):
    # (name for st.login, label for the button); "default" is the provider configured directly under [auth].
    sso_providers: tuple[tuple[str, str], ...] = ()
    sso_cookie_secret: str | None = _secret()
    alert_email_to: tuple[str, ...] = ()  # budget and anomaly alerts (default: REPORT_EMAIL_TO)
    alert_webhook_url: str | None = _secret()  # Slack-compatible incoming webhook; its path is the secret
    anomaly_min_usd: Decimal = Decimal("5")  # a day is flagged only when at least this far above its baseline

    def secret_values(self) -> list[str]:
        """Every configured secret, so output can be checked (and scrubbed) for leaks."""
        values = [getattr(self, f.name) for f in fields(self) if not f.repr and f.name != "database_url"]
        password = _url_password(self.database_url)
        return [v for v in [*values, password] if v]

    def redact(self, text: str) -> str:
        """``text`` with every configured secret replaced by ``***`` (a last line of defence for messages)."""
        for value in sorted(self.secret_values(), key=len, reverse=True):
            if len(value) >= 4:
                text = text.replace(value, "***")
        return text

    @property
    def alert_recipients(self) -> tuple[str, ...]:
        """Who gets budget and anomaly alerts: ``ALERT_EMAIL_TO``, else ``REPORT_EMAIL_TO``."""
        return self.alert_email_to or self.report_email_to

    @property
    def database_display(self) -> str:
        """The database URL with any password masked, safe to show."""
        password = _url_password(self.database_url)
        return self.database_url.replace(f":{password}@", ":***@") if password else self.database_url


def mask(secret: str | None) -> str | None:
    """A key as it may be shown: its last 4 characters only, and only when it is long enough to stay secret."""
    if not secret:
        return None
    return "••••" + secret[-4:] if len(secret) >= 16 else "••••"


def _url_password(url: str) -> str | None:
    m = re.match(r"^[a-z0-9+]+://[^:/@]*:([^@]*)@", url)
    return m.group(1) if m else None


_URL_FIELDS = {f.name for f in fields(Settings) if f.name.endswith(("_base_url", "_api_url"))}
_FROM_AUTH_TABLE = {"sso_providers", "sso_cookie_secret"}  # only from [auth] in secrets.toml, never the environment
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
_PROVIDER_LABELS = {  # the identity provider's name on the sign-in button, from its metadata URL's host
    "accounts.google.com": "Google",
    "login.microsoftonline.com": "Microsoft",
    "okta.com": "Okta",
    "auth0.com": "Auth0",
}


def _env_name(name: str) -> str:
    return name.upper()


def _load_toml(path: Path | None) -> dict:
    if path is None or not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path} cannot be read ({exc.strerror or type(exc).__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {str(exc).splitlines()[0][:200]}") from None


def _read_secrets_file(path: Path | None) -> dict[str, str]:
    data = _load_toml(path)
    return {k: str(v) for k, v in data.items() if isinstance(v, str | int | float)}


def _sso(auth: object) -> dict[str, object]:
    """Single sign-on as Streamlit's ``st.login`` reads it from ``[auth]``: the providers configured, checked for the
    keys each one needs (so a missing key is named at start, not when someone clicks Sign in)."""
    if not isinstance(auth, dict) or not auth:
        return {}
    providers: list[tuple[str, str]] = []
    sections = [("default", auth)] + [(k, v) for k, v in auth.items() if isinstance(v, dict)]
    for name, section in sections:
        if not any(key in section for key in _PROVIDER_KEYS):
            continue
        where = "[auth]" if name == "default" else f"[auth.{name}]"
        missing = [key for key in _PROVIDER_KEYS if not str(section.get(key) or "").strip()]
        if missing:
            raise ConfigError(f"{where} in secrets.toml lacks {', '.join(missing)} (see README > Sign-in)")
        host = re.sub(r"^https?://([^/:]+).*$", r"\1", str(section["server_metadata_url"])).lower()
        label = next((v for k, v in _PROVIDER_LABELS.items() if host == k or host.endswith("." + k)), None)
        providers.append((name, label or (name.capitalize() if name != "default" else host)))
    if not providers:
        return {}
    for key in ("redirect_uri", "cookie_secret"):
        if not str(auth.get(key) or "").strip():
            raise ConfigError(f"[auth] in secrets.toml lacks {key} (see README > Sign-in)")
    if not str(auth["redirect_uri"]).rstrip("/").endswith("/oauth2callback"):
        raise ConfigError(
            "[auth] redirect_uri must end with /oauth2callback, e.g. https://spend.example.com/oauth2callback"
        )
    return {"sso_providers": tuple(providers), "sso_cookie_secret": str(auth["cookie_secret"])}


def load_settings(environ: Mapping[str, str] | None = None, secrets_file: Path | None = SECRETS_FILE) -> Settings:
    """Read and validate every setting. Raises ``ConfigError`` naming the variable and what it expects."""
    env = dict(_read_secrets_file(secrets_file))
    env.update({k: v for k, v in (os.environ if environ is None else environ).items() if v != ""})
    values: dict[str, object] = _sso(_load_toml(secrets_file).get("auth"))
    for f in fields(Settings):
        if f.name in _FROM_AUTH_TABLE:
            continue
        raw = env.get(_env_name(f.name))
        if raw is None or not raw.strip():
            continue
        values[f.name] = _parse(f.name, raw.strip())
    return Settings(**values)


def _parse(name: str, raw: str) -> object:
    var = _env_name(name)
    if name == "database_url":
        return normalise_database_url(raw)
    if name in _URL_FIELDS or name == "app_base_url":
        if not re.match(r"^https?://[^\s/]+", raw):
            raise ConfigError(f"{var} must be an http(s) URL such as https://example.com (got {raw[:60]!r})")
        return raw.rstrip("/")
    if name == "app_language":
        if raw.lower() not in LANGUAGES:
            raise ConfigError(f"{var} must be one of {', '.join(LANGUAGES)} (got {raw!r})")
        return raw.lower()
    if name == "reconcile_tolerance_usd":
        return _bounded(var, raw, "a number of dollars", Decimal(0), MAX_TOLERANCE_USD)
    if name == "reconcile_small_drift_percent":
        return _bounded(var, raw, "a percentage", Decimal(0), MAX_DRIFT_PERCENT)
    if name == "elevenlabs_usd_per_1k_credits":
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or not 0 < value <= MAX_USD_PER_1K_CREDITS:
            raise ConfigError(
                f"{var} must be the dollars your plan charges per 1,000 credits, more than 0 and at most "
                f"{MAX_USD_PER_1K_CREDITS} (ElevenLabs plans charge $0.12-$0.30; got {raw[:40]!r}); "
                "leave it unset to price from the invoice"
            )
        return value
    if name == "anomaly_min_usd":
        return _bounded(var, raw, "a number of dollars", Decimal(0), MAX_ANOMALY_MIN_USD)
    if name == "alert_webhook_url":
        if not re.match(r"^https?://[^\s/]+/\S*$", raw):
            raise ConfigError(f"{var} must be an http(s) webhook URL such as https://hooks.slack.com/services/...")
        return raw
    if name in _API_KEYS and not _TOKEN_RE.match(raw):
        raise ConfigError(f"{var} must be printable ASCII without spaces (an API key); check for a stray character")
    if name == "deepgram_project_ids":
        return tuple(p.strip() for p in raw.split(",") if p.strip())
    if name in ("report_email_to", "alert_email_to"):
        addresses = tuple(a.strip() for a in raw.split(",") if a.strip())
        bad = [a for a in addresses if not _EMAIL_RE.match(a)]
        if bad:
            raise ConfigError(f"{var} must be comma-separated email addresses (bad: {bad[0]!r})")
        return addresses
    if name in ("admin_emails", "viewer_emails"):
        entries = tuple(e.strip().lower() for e in raw.split(",") if e.strip())
        bad = [e for e in entries if not (_EMAIL_RE.match(e) or _DOMAIN_RE.match(e))]
        if bad:
            raise ConfigError(f"{var} must be comma-separated addresses or @domain entries (bad: {bad[0]!r})")
        return entries
    if name == "session_days":
        if not raw.isdigit() or not 1 <= int(raw) <= 365:
            raise ConfigError(f"{var} must be a whole number of days from 1 to 365 (got {raw[:20]!r})")
        return int(raw)
    if name == "report_email_from" and not re.search(r"[^@\s<]+@[^@\s>]+", raw):
        raise ConfigError(f"{var} must be an email address, e.g. 'Spendboard <reports@example.com>'")
    return raw


def _bounded(var: str, raw: str, expects: str, low: Decimal, high: Decimal) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not low <= value <= high:
        raise ConfigError(f"{var} must be {expects} from {low} to {high} (got {raw[:40]!r})")
    return value


_SQLITE_HINT = "sqlite:///relative/path.db, sqlite:////absolute/path.db or sqlite:// (in memory)"


def normalise_database_url(raw: str) -> str:
    """Accept sqlite and Postgres URLs; ``postgres://`` and ``postgresql://`` both mean psycopg 3. A URL that
    cannot be parsed (a port that is not a number, a SQLite URL with a host) is refused here, not at first use."""
    var = "DATABASE_URL"
    if raw.startswith("sqlite:"):
        if raw != "sqlite://" and not (raw.startswith("sqlite:///") and len(raw) > len("sqlite:///")):
            raise ConfigError(f"{var} for SQLite must look like {_SQLITE_HINT} (got {raw[:60]!r})")
        return raw
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if raw.startswith(prefix):
            url = "postgresql+psycopg://" + raw[len(prefix) :]
            _check_postgres_url(url)
            return url
    raise ConfigError(f"{var} must start with sqlite:/// or postgresql+psycopg:// (got {raw.split('://')[0]!r}://...)")


def _check_postgres_url(url: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    shown = re.sub(r"://([^:/@]*):[^@]*@", r"://\1:***@", url)[:80]
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"DATABASE_URL is not a valid PostgreSQL URL (got {shown!r}); the form is "
            "postgresql://user:password@host:5432/database (the port is a number)"
        ) from None
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise ConfigError(f"DATABASE_URL's port must be from 1 to 65535 (got {parsed.port})")
