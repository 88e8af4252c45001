"""A faithful, stateful imitation of the six provider APIs Spendboard collects from.

A ``Ledger`` holds the truth (what each provider "billed", per UTC day and line item, and Apify's runs). One
handler per provider answers the real endpoints the adapters call, in the real response shapes
(``shared/docs/provider-apis.md``), filtered by the requested window the way the real API filters:

* OpenAI ``/v1/organization/costs`` and ``/usage/completions``: unix-second ``start_time`` (inclusive) and
  ``end_time`` (exclusive), one bucket per UTC day *including empty days*, ``limit`` buckets per page at most
  (and never more than ``page_size``, so a month always spans several pages), ``has_more``/``next_page``.
  ``amount.value`` alternates between a JSON number and a numeric string, as live responses do.
* Anthropic ``/v1/organizations/cost_report``: RFC 3339 window, ``group_by[]=description``, amounts in CENTS as
  decimal strings, one description split over two results (two context windows), paginated like OpenAI.
* ElevenLabs: the analytics table (``column_units``, credits as strings), ``character-stats`` request counts
  (millisecond buckets), and ``/v1/user/subscription``.
* Deepgram: ``/v1/projects`` and each project's billing and usage breakdowns, rows keyed by ``grouping.start``,
  ``end`` taken as inclusive (so one day more than the adapter keeps comes back).
* OpenRouter ``/api/v1/activity``: only the last 30 completed UTC days before ``today``; every model is split
  over two provider endpoints, with BYOK usage that is not billed.
* Apify ``/v2/actor-runs``: ``tests.fakes.FakeApify`` (offset/limit/desc/startedAfter/startedBefore), paged.

The providers' own totals (what ``core.reconcile`` checks the stored lines against) are served too:

* OpenAI ``/costs`` without ``group_by`` and Anthropic's cost report without ``group_by[]``: one result per
  bucket holding the day's total (Anthropic still in cents, as a string).
* Deepgram's billing breakdown without ``grouping``: one row per day for each project.
* OpenRouter ``GET /api/v1/keys``: every key with its ``usage_monthly`` (this UTC month to date, *today
  included*), the month split over several keys (one disabled, listed only with ``include_disabled=true``),
  ``keys_page_size`` keys per page, paged by ``offset``.
* Apify ``GET /v2/users/me/usage/monthly?date=YYYY-MM-DD``: the usage cycle containing ``date``, anchored on the
  subscription's anniversary day (``apify_cycle_day``, e.g. the 2nd: ``2026-08-02T00:00:00.000Z`` to
  ``2026-09-01T23:59:59.999Z``), with ``dailyServiceUsages`` for each day of the cycle up to ``today``.

These billing totals equal the itemised figures, plus ``Ledger.billing_extra[provider][day]``: what a provider
bills that its itemised endpoints do not show (Apify platform fees outside runs, a restatement, a missing line).
``Imitation.billing_total`` and ``Imitation.keys_usage_monthly`` give the exact figures the APIs answer.

Every handler checks the credential (a wrong one gets 401 in that API's error shape) and supports faults:
``fail_once`` (429 with ``Retry-After`` by default), ``down`` (500 always), ``malformed`` (200 with a body that is
not JSON, or JSON of the wrong shape), ``hang`` (``httpx.ReadTimeout`` through a MockTransport; over real HTTP
the server holds the request until ``hang_seconds`` pass or the imitation closes, then drops the connection).

With ``echo_credentials=True`` every error message quotes the credential the request carried: the worst case
for leaks (an API quoting back the key it rejected), so tests can show the key never reaches the output.
"""

from __future__ import annotations

import base64
import calendar
import contextlib
import hashlib
import json
import random
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

import httpx

from core.config import Settings
from core.periods import month_end
from core.store import ledger, runs
from tests.fakes import FakeApify, run_item, serve

PROVIDER_NAMES = ("openai", "anthropic", "elevenlabs", "deepgram", "openrouter", "apify")
KEYS = {
    "openai": "sk-admin-fake-imitation-openai-7f3a9c21",
    "anthropic": "sk-ant-admin01-fake-imitation-anthropic-5e8b",
    "elevenlabs": "sk_imitation_elevenlabs_2d4f6a8c",
    "deepgram": "dg-imitation-deepgram-91b3c5d7",
    "openrouter": "sk-or-v1-imitation-management-4c6e8a0b",
    "apify": "apify_api_imitation_token_3b5d7f9a",
}
USD_PER_1K_CREDITS = Decimal("0.30")
HISTORY_DAYS = 30  # OpenRouter /activity: the last 30 completed UTC days
ZERO = Decimal(0)


# ---------------------------------------------------------------- the truth


@dataclass
class Entry:
    """One provider x UTC day x line item. ``cost`` is USD, except ElevenLabs where ``credits`` is the truth."""

    provider: str
    day: date
    name: str  # the line item as the provider names it (OpenAI line_item, Anthropic description, ...)
    cost: Decimal = ZERO
    requests: int | None = 0
    model: str | None = None
    product: str | None = None  # ElevenLabs product_type
    project: str = "proj-a"  # Deepgram project
    credits: Decimal | None = None  # ElevenLabs


@dataclass
class Run:
    """One Apify run."""

    id: str
    act_id: str
    started_at: datetime
    usd: Decimal | None
    status: str = "SUCCEEDED"


@dataclass
class Expected:
    cost: Decimal
    requests: int | None
    days: int = 0  # days with any figure: a provider with none has nothing stored for the month


@dataclass
class Ledger:
    entries: list[Entry] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    # provider -> UTC day -> USD that only the billing totals include (never the itemised lines or runs)
    billing_extra: dict[str, dict[date, Decimal]] = field(default_factory=lambda: defaultdict(dict))

    def add_billing_extra(self, provider: str, day: date, usd: Decimal | str | int) -> Decimal:
        """Add to what ``provider`` bills on ``day`` beyond its itemised figures; returns the day's extra."""
        days = self.billing_extra[provider]
        days[day] = days.get(day, ZERO) + Decimal(usd)
        return days[day]

    def extra(self, provider: str, first: date, last: date) -> Decimal:
        """The billing extra of ``provider`` over ``first``..``last`` (inclusive)."""
        return sum((usd for day, usd in self.billing_extra.get(provider, {}).items() if first <= day <= last), ZERO)

    def add(
        self, provider: str, day: date, name: str, cost: Decimal | str | int = 0, requests: int | None = 0, **kw
    ) -> Entry:
        if provider == "anthropic":
            requests = None  # Anthropic has no request counts at all
        entry = Entry(provider, day, name, Decimal(cost), requests, **kw)
        self.entries.append(entry)
        return entry

    def add_credits(
        self, day: date, model: str | None, product: str | None, credits: Decimal | str, requests: int | None = 0
    ) -> Entry:
        name = f"{model} / {product}" if model and product else (model or product or "unattributed")
        if model is None:
            requests = None  # request counts are only broken down by model: a line without one has none
        entry = Entry("elevenlabs", day, name, ZERO, requests, model=model, product=product, credits=Decimal(credits))
        self.entries.append(entry)
        return entry

    def add_run(
        self, run_id: str, act_id: str, started_at: datetime, usd: Decimal | str | None, status: str = "SUCCEEDED"
    ) -> Run:
        run = Run(run_id, act_id, started_at, None if usd is None else Decimal(usd), status)
        self.runs.append(run)
        return run

    def of(self, provider: str, first: date | None = None, last: date | None = None) -> list[Entry]:
        return [
            e
            for e in self.entries
            if e.provider == provider and (first is None or e.day >= first) and (last is None or e.day <= last)
        ]

    def remove(self, provider: str, day: date, name: str | None = None) -> int:
        """Drop lines upstream (a restated day); returns how many went."""
        keep = [e for e in self.entries if not (e.provider == provider and e.day == day and name in (None, e.name))]
        removed = len(self.entries) - len(keep)
        self.entries[:] = keep
        return removed

    def restate(self, provider: str, day: date, factor: Decimal | str = "1.5") -> None:
        """Change every figure of a provider's day (costs, credits and run costs scaled, requests + 1)."""
        for e in self.of(provider, day, day):
            e.cost = e.cost * Decimal(factor)
            if e.credits is not None:
                e.credits = e.credits * Decimal(factor)
            if e.requests is not None:
                e.requests += 1
        if provider == "apify":  # a run's cost settles later
            for r in self.runs_between(day, day):
                r.usd = (r.usd or ZERO) * Decimal(factor) + Decimal("0.0000001")

    def runs_between(self, first: date, last: date) -> list[Run]:
        return [r for r in self.runs if first <= r.started_at.date() <= last]


def populate(ledger: Ledger, first: date, last: date, *, seed: int = 7) -> Ledger:
    """Deterministic, awkward figures (binary-unfriendly decimals, fractional cents, empty days, unicode names)
    for every provider over ``first``..``last``."""
    rng = random.Random(seed)

    def money(low: int, high: int, places: int) -> Decimal:
        return Decimal(rng.randint(low, high)).scaleb(-places)

    day = first
    n = 0
    while day <= last:
        n += 1
        empty = n % 9 == 4  # some days nobody spent anything
        if not empty:
            # OpenAI: line items per model; one model only has requests (cost 0 is not listed by /costs).
            ledger.add(
                "openai",
                day,
                "gpt-4o-2024-08-06, input",
                money(1, 900_000, 6),
                rng.randint(1, 400),
                model="gpt-4o-2024-08-06",
            )
            ledger.add("openai", day, "gpt-4o-2024-08-06, output", money(1, 90_000, 5), 0, model="gpt-4o-2024-08-06")
            if n % 2:
                ledger.add("openai", day, "Text tokens", "0.1", 0, model=None)
            if n % 3 == 0:
                ledger.add(
                    "openai",
                    day,
                    "gpt-4o-mini-2024-07-18, input",
                    0,
                    rng.randint(1, 50),
                    model="gpt-4o-mini-2024-07-18",
                )
            # Anthropic: fractional cents.
            ledger.add(
                "anthropic",
                day,
                "Claude Sonnet 4 Usage - Input Tokens",
                money(1, 9_999_999, 7),
                model="claude-sonnet-4-20250514",
            )
            ledger.add(
                "anthropic",
                day,
                "Claude Sonnet 4 Usage - Output Tokens",
                money(1, 999_999, 7),
                model="claude-sonnet-4-20250514",
            )
            if n % 4 == 1:
                ledger.add("anthropic", day, "Web Search Usage", "0.2", model=None)
            # ElevenLabs: credits with decimals.
            ledger.add_credits(
                day, "eleven_multilingual_v2", "text-to-speech", money(1, 999_999, 1), rng.randint(0, 90)
            )
            ledger.add_credits(day, "scribe_v1", "speech-to-text", money(1, 99_999, 2), rng.randint(1, 20))
            if n % 5 == 2:
                ledger.add_credits(day, None, "sound-effects", "20", 0)
            # Deepgram: two projects, the same line item in both.
            ledger.add(
                "deepgram",
                day,
                "streaming::nova-3",
                money(1, 99_999, 4),
                rng.randint(1, 300),
                model="Nova-3",
                project="proj-a",
            )
            ledger.add(
                "deepgram",
                day,
                "streaming::nova-3",
                money(1, 9_999, 3),
                rng.randint(1, 30),
                model="Nova-3",
                project="proj-b",
            )
            if n % 2 == 0:
                ledger.add(
                    "deepgram",
                    day,
                    "sync::aura-2",
                    "0.1",
                    rng.randint(1, 9),
                    model="aura-2-thalia-en",
                    project="proj-a",
                )
            # OpenRouter: two models (one with an HTML-looking name).
            ledger.add(
                "openrouter", day, "openai/gpt-4.1", money(1, 999_999, 6), rng.randint(2, 80), model="openai/gpt-4.1"
            )
            if n % 3 != 1:
                ledger.add(
                    "openrouter",
                    day,
                    "anthropic/claude-sonnet-4.5 <b>",
                    money(1, 99_999, 5),
                    rng.randint(2, 20),
                    model="anthropic/claude-sonnet-4.5 <b>",
                )
        # Apify: runs at awkward times, one with an unknown cost.
        for i in range(n % 3):
            started = datetime.combine(day, time(), UTC) + timedelta(milliseconds=rng.randint(0, 86_399_999))
            usd = None if (n + i) % 17 == 5 else money(0, 99_999_999, 7)
            ledger.add_run(
                f"run{day:%Y%m%d}x{i}",
                ("actA", "actB", "actC")[i],
                started,
                usd,
                ("SUCCEEDED", "FAILED", "ABORTED")[(n + i) % 3],
            )
        day += timedelta(days=1)
    return ledger


# ---------------------------------------------------------------- helpers


def _unix(day: date) -> int:
    return calendar.timegm(day.timetuple())


def _ms(day: date) -> int:
    return _unix(day) * 1000


def _day_of_unix(seconds: int) -> date:
    return datetime.fromtimestamp(seconds, UTC).date()


def _json_number_or_string(value: Decimal, i: int) -> float | str:
    """JSON numbers survive exactly for the few significant digits used here; strings happen live too."""
    return format(value, "f") if i % 2 else float(value)


def _exact_number(value: Decimal) -> float | str:
    """A JSON number when the float reads back as exactly ``value`` (as the adapters parse it), else a string."""
    number = float(value)
    return number if Decimal(repr(number)) == value else format(value, "f")


def _split(total: Decimal, shares: tuple[int, ...]) -> list[Decimal]:
    """``total`` cut into parts (``1/share`` each, the last part the rest) that add up to it exactly."""
    quantum = Decimal(1).scaleb(min(total.as_tuple().exponent, 0))
    parts = [(total / share).quantize(quantum, rounding=ROUND_DOWN) for share in shares]
    return [*parts, total - sum(parts, ZERO)]


def _token(value: str) -> str:
    return "page_" + base64.urlsafe_b64encode(value.encode()).decode()


def _untoken(token: str) -> str | None:
    if not token.startswith("page_"):
        return None
    try:
        return base64.urlsafe_b64decode(token[5:].encode()).decode()
    except ValueError:
        return None


class _BadRequest(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class _Fault:
    kind: str  # once | down | malformed | hang
    status: int = 429
    retry_after: str | None = "1"
    times: int = 1
    body: str = "not_json"
    after: int = 0  # requests answered normally before the fault starts (a failure half-way through paging)


# ---------------------------------------------------------------- error shapes per API


def _error(name: str, status: int, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    headers = dict(headers or {})
    if name == "openai":
        kind = {401: "invalid_request_error", 429: "requests", 400: "invalid_request_error"}.get(status, "server_error")
        code = {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(status)
        body: Any = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    elif name == "anthropic":
        kind = {
            400: "invalid_request_error",
            401: "authentication_error",
            403: "permission_error",
            404: "not_found_error",
            429: "rate_limit_error",
            529: "overloaded_error",
        }.get(status, "api_error")
        body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_011imitation"}
        headers.setdefault("request-id", "req_011imitation")
    elif name == "elevenlabs":
        if status == 422:
            body = {"detail": [{"loc": ["body"], "msg": message, "type": "value_error"}]}
        else:
            kind = {401: "invalid_api_key", 429: "system_busy", 404: "not_found"}.get(status, "internal_error")
            body = {"detail": {"status": kind, "message": message}}
    elif name == "deepgram":
        kind = {
            400: "INVALID_QUERY_PARAMETER",
            401: "INVALID_AUTH",
            403: "INSUFFICIENT_PERMISSIONS",
            404: "PROJECT_NOT_FOUND",
            429: "TOO_MANY_REQUESTS",
        }.get(status, "INTERNAL_SERVER_ERROR")
        body = {
            "category": kind,
            "message": message,
            "details": message,
            "request_id": "6f3b2c1e-0000-4000-8000-00000000imit",
        }
    elif name == "openrouter":
        body = {"error": {"code": status, "message": message}}
    else:  # apify
        kind = {
            400: "invalid-value",
            401: "token-not-provided",
            404: "record-not-found",
            429: "rate-limit-exceeded",
        }.get(status, "internal-server-error")
        body = {"error": {"type": kind, "message": message}}
    return httpx.Response(status, json=body, headers=headers)


# ---------------------------------------------------------------- the imitation


class ImitationApify(FakeApify):
    """``FakeApify`` reading its runs from the ledger, with pages of at most ``page_size`` runs."""

    def __init__(self, ledger: Ledger, keys: dict[str, str], page_size: int):
        super().__init__([], token=keys["apify"])
        self.ledger = ledger
        self.keys = keys
        self.page_size = page_size

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.token = self.keys["apify"]
        self.runs = [self._item(r) for r in self.ledger.runs]
        return super().handle(request)

    def _list(self, request: httpx.Request) -> httpx.Response:
        limit = min(int(request.url.params.get("limit", 1000)), 1000, self.page_size)
        capped = httpx.Request(request.method, request.url.copy_set_param("limit", str(limit)), headers=request.headers)
        return super()._list(capped)

    @staticmethod
    def _item(run: Run) -> dict:
        item = run_item(run.id, run.started_at, None if run.usd is None else float(run.usd), run.status, act=run.act_id)
        stamp = run.started_at.astimezone(UTC)
        item["startedAt"] = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
        item["finishedAt"] = None if run.status == "RUNNING" else item["startedAt"]
        return item


class Imitation:
    """All six APIs over one ``Ledger``. ``today`` is the imitation's UTC date (OpenRouter's window follows it)."""

    def __init__(
        self,
        today: date,
        ledger: Ledger | None = None,
        *,
        page_size: int = 5,
        usd_per_1k_credits: Decimal = USD_PER_1K_CREDITS,
        echo_credentials: bool = False,
        hang_seconds: float = 60.0,
        projects: tuple[str, ...] = ("proj-a", "proj-b"),
        apify_cycle_day: int = 2,
        keys_page_size: int = 2,
        elevenlabs_plan: str = "creator",
    ):
        if not 1 <= apify_cycle_day <= 31:
            raise ValueError("apify_cycle_day is a day of the month (1..31)")
        self.today = today
        self.ledger = ledger if ledger is not None else Ledger()
        self.page_size = page_size
        self.usd_per_1k_credits = usd_per_1k_credits
        self.echo_credentials = echo_credentials
        self.hang_seconds = hang_seconds
        self.projects = projects
        self.apify_cycle_day = apify_cycle_day  # Apify usage cycles start on this day of each month
        self.keys_page_size = keys_page_size  # OpenRouter GET /keys: keys per page
        self.elevenlabs_plan = elevenlabs_plan  # "creator" (priced from its invoice) or "free" (cannot be priced)
        self.keys = dict(KEYS)  # what each API accepts
        self.served = False
        self.requests: dict[str, list[httpx.Request]] = defaultdict(list)
        self._faults: dict[str, _Fault] = {}
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._apify = ImitationApify(self.ledger, self.keys, page_size)
        self._routes: dict[str, Callable[[httpx.Request], httpx.Response]] = {
            "openai": self._openai,
            "anthropic": self._anthropic,
            "elevenlabs": self._elevenlabs,
            "deepgram": self._deepgram,
            "openrouter": self._openrouter,
            "apify": self._apify_route,
        }

    # ---- faults

    def fail_once(
        self, name: str, status: int = 429, retry_after: str | None = "1", times: int = 1, after: int = 0
    ) -> None:
        """The next ``times`` requests get ``status`` (429 carries ``Retry-After``), then answers are normal.
        ``after`` (here and below): that many requests are answered normally first."""
        with self._lock:
            self._faults[name] = _Fault("once", status=status, retry_after=retry_after, times=times, after=after)

    def down(self, name: str, after: int = 0) -> None:
        """HTTP 500 on every request."""
        with self._lock:
            self._faults[name] = _Fault("down", status=500, after=after)

    def malformed(self, name: str, body: str = "not_json", after: int = 0) -> None:
        """HTTP 200 with a body that is not JSON (``not_json``) or JSON of the wrong shape (``wrong_shape``)."""
        with self._lock:
            self._faults[name] = _Fault("malformed", status=200, body=body, after=after)

    def hang(self, name: str, after: int = 0) -> None:
        """Never answer: a read timeout through MockTransport, a held then dropped connection when served."""
        with self._lock:
            self._faults[name] = _Fault("hang", after=after)

    def heal(self, name: str | None = None) -> None:
        """Clear the faults (and rotated keys) of one provider, or of all."""
        with self._lock:
            for each in [name] if name else list(PROVIDER_NAMES):
                self._faults.pop(each, None)
                self.keys[each] = KEYS[each]

    def rotate_key(self, name: str) -> None:
        """The provider now accepts another key only: the configured one gets 401 (``heal`` undoes it)."""
        self.keys[name] = f"{KEYS[name]}-rotated"

    # ---- wiring

    def handler(self, name: str) -> Callable[[httpx.Request], httpx.Response]:
        def handle(request: httpx.Request) -> httpx.Response:
            request.read()
            with self._lock:
                self.requests[name].append(request)
                fault = self._faults.get(name)
                if fault and fault.after > 0:
                    fault.after -= 1
                    fault = None
                elif fault and fault.kind == "once":
                    fault.times -= 1
                    if fault.times <= 0:
                        del self._faults[name]
            if fault:
                return self._faulty(name, fault, request)
            if not self._authorised(name, request):
                return _error(name, 401, self._auth_message(name, request))
            try:
                return self._routes[name](request)
            except _BadRequest as exc:
                return _error(name, exc.status, exc.message)

        return handle

    def transports(self) -> dict[str, httpx.MockTransport]:
        return {name: httpx.MockTransport(self.handler(name)) for name in PROVIDER_NAMES}

    @contextlib.contextmanager
    def serve(self) -> Iterator[dict[str, str]]:
        """Serve every API on its own 127.0.0.1 port; yields the ``*_BASE_URL`` environment variables."""
        self.served = True
        self._release.clear()
        servers = [serve(self.handler(name)) for name in PROVIDER_NAMES]
        urls: dict[str, str] = {}
        try:
            for name, server in zip(PROVIDER_NAMES, servers, strict=True):
                urls[name] = server.__enter__()
            yield {
                "OPENAI_BASE_URL": f"{urls['openai']}/v1",
                "ANTHROPIC_BASE_URL": urls["anthropic"],
                "ELEVENLABS_BASE_URL": urls["elevenlabs"],
                "DEEPGRAM_BASE_URL": urls["deepgram"],
                "OPENROUTER_BASE_URL": f"{urls['openrouter']}/api/v1",
                "APIFY_BASE_URL": urls["apify"],
            }
        finally:
            self._release.set()  # let any held ("hung") request go
            # Each stop waits up to half a second for its serving loop: stop them side by side.
            started = servers[: len(urls)]
            stops = [threading.Thread(target=s.__exit__, args=(None, None, None)) for s in started]
            for t in stops:
                t.start()
            for t in stops:
                t.join()
            self.served = False

    def settings(self, database_url: str = "sqlite://", **overrides) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "openai_admin_key": KEYS["openai"],
            "anthropic_admin_key": KEYS["anthropic"],
            "elevenlabs_api_key": KEYS["elevenlabs"],
            "elevenlabs_usd_per_1k_credits": self.usd_per_1k_credits,
            "deepgram_api_key": KEYS["deepgram"],
            "openrouter_management_key": KEYS["openrouter"],
            "apify_token": KEYS["apify"],
        }
        values.update(overrides)
        return Settings(**values)

    def environ(self, database_url: str, base_urls: dict[str, str], **extra: str) -> dict[str, str]:
        env = {
            "DATABASE_URL": database_url,
            "OPENAI_ADMIN_KEY": KEYS["openai"],
            "ANTHROPIC_ADMIN_KEY": KEYS["anthropic"],
            "ELEVENLABS_API_KEY": KEYS["elevenlabs"],
            "ELEVENLABS_USD_PER_1K_CREDITS": str(self.usd_per_1k_credits),
            "DEEPGRAM_API_KEY": KEYS["deepgram"],
            "OPENROUTER_MANAGEMENT_KEY": KEYS["openrouter"],
            "APIFY_TOKEN": KEYS["apify"],
            **base_urls,
        }
        env.update(extra)
        return env

    # ---- expectations

    def openrouter_days(self, today: date | None = None) -> tuple[date, date]:
        """The days ``/activity`` answers for on ``today`` (inclusive): the last 30 completed UTC days."""
        today = today or self.today
        return today - timedelta(days=HISTORY_DAYS), today - timedelta(days=1)

    def daily(
        self,
        name: str,
        first: date,
        last: date,
        *,
        seen_on: date | Iterable[date] | None = None,
        usd_per_1k_credits: Decimal | None = None,
    ) -> dict[date, Expected]:
        """A provider's exact cost and requests per UTC day in ``first``..``last``, from the ledger, as collections
        run on the days ``seen_on`` (default: the imitation's ``today``) can know them: nothing after the latest
        of those days exists yet, and OpenRouter only has the days inside one of their 30-day windows."""
        days = [self.today] if seen_on is None else [seen_on] if isinstance(seen_on, date) else list(seen_on)
        last = min(last, max(days))
        price = self.usd_per_1k_credits if usd_per_1k_credits is None else usd_per_1k_credits
        out: dict[date, Expected] = {}
        if name == "apify":
            for run in self.ledger.runs_between(first, last):
                got = out.setdefault(run.started_at.astimezone(UTC).date(), Expected(ZERO, 0))
                got.cost += run.usd if run.usd is not None else ZERO
                got.requests += 1
            return out
        windows = [self.openrouter_days(d) for d in days]
        for e in self.ledger.of(name, first, last):
            if name == "openrouter" and not any(lo <= e.day <= hi for lo, hi in windows):
                continue
            got = out.setdefault(e.day, Expected(ZERO, None if name == "anthropic" else 0))
            got.cost += e.credits * price / 1000 if name == "elevenlabs" else e.cost
            if got.requests is not None:
                got.requests += e.requests or 0
        return out

    def expected(
        self, month: date, *, seen_on: date | Iterable[date] | None = None, usd_per_1k_credits: Decimal | None = None
    ) -> dict[str, Expected]:
        """Each provider's exact cost and requests in ``month`` (see ``daily`` for ``seen_on``)."""
        out = {}
        for name in PROVIDER_NAMES:
            days = self.daily(name, month, month_end(month), seen_on=seen_on, usd_per_1k_credits=usd_per_1k_credits)
            out[name] = Expected(
                sum((d.cost for d in days.values()), ZERO),
                None if name == "anthropic" else sum(d.requests for d in days.values()),
                len(days),
            )
        return out

    def billing_total(self, name: str, first: date, last: date) -> Decimal | None:
        """What the provider's own total (the endpoint reconciliation reads) says for ``first``..``last``: its
        itemised figures plus ``billing_extra``, up to ``today``. None for ElevenLabs, which has no such total.
        (OpenRouter's ``/keys`` only has the current month: see ``keys_usage_monthly``. An Apify run whose cost
        the runs API does not report counts as 0 here too.)"""
        last = min(last, self.today)
        if name == "elevenlabs":
            return None
        if name == "openrouter":
            return self.openrouter_billed(first, last)
        if name == "apify":
            items = sum((r.usd or ZERO for r in self.ledger.runs_between(first, last)), ZERO)
        else:
            entries = self.ledger.of(name, first, last)
            items = sum((e.cost for e in entries if name != "deepgram" or e.project in self.projects), ZERO)
        return items + self.ledger.extra(name, first, last)

    # ---- internals

    def _authorised(self, name: str, request: httpx.Request) -> bool:
        key = self.keys[name]
        h = request.headers
        if name in ("openai", "openrouter", "apify"):
            return h.get("Authorization") == f"Bearer {key}"
        if name == "anthropic":
            return h.get("x-api-key") == key
        if name == "elevenlabs":
            return h.get("xi-api-key") == key
        return h.get("Authorization") == f"Token {key}"

    def _credential(self, request: httpx.Request) -> str:
        h = request.headers
        value = h.get("Authorization") or h.get("x-api-key") or h.get("xi-api-key") or ""
        return value.split(" ", 1)[-1]

    def _auth_message(self, name: str, request: httpx.Request) -> str:
        message = {
            "openai": "Incorrect API key provided. You can find your API key at https://platform.openai.com.",
            "anthropic": "invalid x-api-key",
            "elevenlabs": "Invalid API key",
            "deepgram": "Invalid credentials.",
            "openrouter": "No auth credentials found",
            "apify": "Authentication token was not valid",
        }[name]
        return self._echo(message, request)

    def _echo(self, message: str, request: httpx.Request) -> str:
        return f"{message} (key: {self._credential(request)})" if self.echo_credentials else message

    def _faulty(self, name: str, fault: _Fault, request: httpx.Request) -> httpx.Response:
        if fault.kind == "hang":
            if not self.served:
                raise httpx.ReadTimeout("the imitation never answers", request=request)
            self._release.wait(self.hang_seconds)
            raise ConnectionAbortedError("the imitation dropped the connection without answering")
        if fault.kind == "malformed":
            if fault.body == "wrong_shape":
                return httpx.Response(200, json={"data": "unexpected", "results": None, "note": "wrong shape"})
            return httpx.Response(200, content=b'{"data": [{"oops": ', headers={"Content-Type": "application/json"})
        headers = {"Retry-After": fault.retry_after} if fault.status == 429 and fault.retry_after else {}
        message = "Rate limit exceeded" if fault.status == 429 else "The server had an error processing your request"
        return _error(name, fault.status, self._echo(message, request), headers)

    # ---- OpenAI

    def _openai(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method != "GET" or path not in ("/v1/organization/costs", "/v1/organization/usage/completions"):
            raise _BadRequest(f"Invalid URL ({request.method} {path})", 404)
        costs = path.endswith("/costs")
        q = request.url.params
        try:
            start = int(q["start_time"])
            end = int(q["end_time"]) if "end_time" in q else None
            limit = int(q.get("limit", 7))
        except (KeyError, ValueError):
            raise _BadRequest("start_time is required; start_time, end_time and limit must be integers") from None
        if q.get("bucket_width", "1d") != "1d":
            raise _BadRequest("bucket_width must be 1d")  # this imitation only knows daily buckets
        if not 1 <= limit <= (180 if costs else 31):
            raise _BadRequest(f"limit must be between 1 and {180 if costs else 31}")
        group_by = q.get_list("group_by")
        allowed = (
            {"project_id", "line_item", "api_key_id"}
            if costs
            else {"project_id", "user_id", "api_key_id", "model", "batch", "service_tier"}
        )
        if set(group_by) - allowed:
            raise _BadRequest(f"invalid group_by {group_by}")
        first = _day_of_unix(start)
        if _unix(first) < start:
            first += timedelta(days=1)  # buckets start at or after start_time
        limit_end = end if end is not None else _unix(first) + limit * 86400
        days = []
        while _unix(first + timedelta(days=len(days))) < limit_end:  # end_time is exclusive
            days.append(first + timedelta(days=len(days)))
        if "page" in q:
            cursor = _untoken(q["page"])
            if cursor is None or not cursor.isdigit():
                raise _BadRequest("invalid page cursor")
            days = [d for d in days if _unix(d) >= int(cursor)]
        page, rest = days[: min(limit, self.page_size)], days[min(limit, self.page_size) :]
        buckets = []
        for day in page:
            entries = self.ledger.of("openai", day, day)
            if costs:
                extra = self.ledger.extra("openai", day, day) if "line_item" not in group_by else ZERO
                results = self._openai_costs(entries, group_by, extra)
            else:
                results = self._openai_usage(entries, group_by)
            buckets.append(
                {"object": "bucket", "start_time": _unix(day), "end_time": _unix(day) + 86400, "results": results}
            )
        return httpx.Response(
            200,
            json={
                "object": "page",
                "data": buckets,
                "has_more": bool(rest),
                "next_page": _token(str(_unix(rest[0]))) if rest else None,
            },
        )

    @staticmethod
    def _openai_costs(entries: list[Entry], group_by: list[str], extra: Decimal = ZERO) -> list[dict]:
        """One result per line item, or (without ``group_by=line_item``) one with the day's billed total."""
        sums: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
        for e in entries:
            if e.cost:
                sums[e.name if "line_item" in group_by else None] += e.cost
        if extra:
            sums[None] += extra
        return [
            {
                "object": "organization.costs.result",
                "amount": {"value": _json_number_or_string(cost, i), "currency": "usd"},
                "line_item": item,
                "project_id": None,
                "api_key_id": None,
                "quantity": 1000 * (i + 1) if item else None,
                "quantity_unit": "tokens" if item else None,
            }
            for i, (item, cost) in enumerate(sums.items())
        ]

    @staticmethod
    def _openai_usage(entries: list[Entry], group_by: list[str]) -> list[dict]:
        sums: dict[str | None, int] = defaultdict(int)
        for e in entries:
            sums[e.model if "model" in group_by else None] += e.requests or 0
        return [
            {
                "object": "organization.usage.completions.result",
                "input_tokens": 1000 * n,
                "output_tokens": 500 * n,
                "input_cached_tokens": 0,
                "input_audio_tokens": 0,
                "output_audio_tokens": 0,
                "num_model_requests": n,
                "project_id": None,
                "user_id": None,
                "api_key_id": None,
                "model": model,
                "batch": None,
                "service_tier": None,
            }
            for model, n in sums.items()
        ]

    # ---- Anthropic

    def _anthropic(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method != "GET" or path != "/v1/organizations/cost_report":
            raise _BadRequest(f"Not found: {path}", 404)
        if request.headers.get("anthropic-version") != "2023-06-01":
            raise _BadRequest("anthropic-version: header is required")
        q = request.url.params
        try:
            start = datetime.fromisoformat(q["starting_at"].replace("Z", "+00:00")).astimezone(UTC)
            end = (
                datetime.fromisoformat(q["ending_at"].replace("Z", "+00:00")).astimezone(UTC)
                if "ending_at" in q
                else None
            )
            limit = int(q.get("limit", 7))
        except (KeyError, ValueError):
            raise _BadRequest("starting_at is required; times must be RFC 3339") from None
        if q.get("bucket_width", "1d") != "1d" or not 1 <= limit <= 31:
            raise _BadRequest("bucket_width must be 1d and limit between 1 and 31")
        group_by = q.get_list("group_by[]")
        if set(group_by) - {"workspace_id", "description"}:
            raise _BadRequest(f"invalid group_by[] {group_by}")
        first = start.date()  # snapped to the start of the UTC day
        stop = end.date() if end is not None else first + timedelta(days=limit)  # buckets ending by ending_at
        days = [first + timedelta(days=i) for i in range(max((stop - first).days, 0))]
        if "page" in q:
            cursor = _untoken(q["page"])
            try:
                since = date.fromisoformat((cursor or "")[:10])
            except ValueError:
                raise _BadRequest("invalid page token") from None
            days = [d for d in days if d >= since]
        page, rest = days[: min(limit, self.page_size)], days[min(limit, self.page_size) :]
        data = []
        for day in page:
            results = []
            entries = self.ledger.of("anthropic", day, day)
            if "description" in group_by:
                for e in entries:
                    cents = e.cost * 100
                    head = (cents * 3 / 4).quantize(Decimal("0.00001")) if cents >= 1 else cents
                    for part, window in ((head, "0-200k"), (cents - head, "200k-1M")):
                        if part or window == "0-200k":
                            results.append(self._anthropic_result(e, part, window))
            elif entries or self.ledger.extra("anthropic", day, day):
                total = sum((e.cost for e in entries), ZERO) + self.ledger.extra("anthropic", day, day)
                results.append(
                    {
                        "amount": format(total * 100, "f"),  # cents, as a decimal string
                        "currency": "USD",
                        "description": None,
                        "cost_type": None,
                        "model": None,
                        "token_type": None,
                        "service_tier": None,
                        "context_window": None,
                        "inference_geo": None,
                        "workspace_id": None,
                    }
                )
            data.append(
                {
                    "starting_at": f"{day}T00:00:00Z",
                    "ending_at": f"{day + timedelta(days=1)}T00:00:00Z",
                    "results": results,
                }
            )
        return httpx.Response(
            200,
            json={
                "data": data,
                "has_more": bool(rest),
                "next_page": _token(f"{rest[0]}T00:00:00Z") if rest else None,
            },
            headers={"request-id": "req_011imitation"},
        )

    @staticmethod
    def _anthropic_result(e: Entry, cents: Decimal, window: str) -> dict:
        token = None
        if e.model:
            token = "output_tokens" if "Output" in e.name else "uncached_input_tokens"
        return {
            "amount": format(cents, "f"),
            "currency": "USD",
            "description": e.name,
            "cost_type": "tokens" if e.model else "web_search",
            "model": e.model,
            "token_type": token,
            "service_tier": "standard" if e.model else None,
            "context_window": window if e.model else None,
            "inference_geo": "global",
            "workspace_id": None,
        }

    # ---- ElevenLabs

    def _elevenlabs(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path == "/v1/user/subscription":
            return httpx.Response(200, json=self._subscription())
        if request.method == "POST" and path == "/v1/workspace/analytics/query/usage-by-product-over-time":
            return self._elevenlabs_usage(request)
        if request.method == "GET" and path == "/v1/usage/character-stats":
            return self._elevenlabs_stats(request)
        raise _BadRequest(f"Not found: {path}", 404)

    def subscription_usd_per_1k_credits(self) -> Decimal:
        """What the plan costs per 1,000 credits: the monthly invoice over the monthly credits."""
        sub = self._subscription()
        return Decimal(sub["next_invoice"]["subtotal_cents"]) / 100 / sub["character_limit"] * 1000

    def _subscription(self) -> dict:
        if self.elevenlabs_plan == "free":  # no invoice: credits cannot be priced from the plan
            return {
                "tier": "free",
                "status": "free",
                "character_count": 4321,
                "character_limit": 10000,
                "next_character_count_reset_unix": 1788220800,
                "currency": None,
                "billing_period": "monthly_period",
                "character_refresh_period": "monthly_period",
                "can_extend_character_limit": False,
                "max_credit_limit_extension": "0",
                "current_overage": None,
                "next_invoice": None,
                "open_invoices": [],
                "has_open_invoices": False,
            }
        return {
            "tier": "creator",
            "status": "active",
            "character_count": 43210,
            "character_limit": 100000,
            "next_character_count_reset_unix": 1788220800,
            "currency": "usd",
            "billing_period": "monthly_period",
            "character_refresh_period": "monthly_period",
            "can_extend_character_limit": True,
            "max_credit_limit_extension": "unlimited",
            "current_overage": {"amount": "0", "currency": "usd"},
            "next_invoice": {
                "amount_due_cents": 2200,
                "subtotal_cents": 2200,
                "tax_cents": 0,
                "discounts": [],
                "discount_percent_off": None,
                "discount_amount_off": None,
                "next_payment_attempt_unix": 1788220800,
                "payment_intent_statusses": [],
            },
            "open_invoices": [],
            "has_open_invoices": False,
        }

    def _elevenlabs_usage(self, request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.content)
            start, end = int(body["start_time"]), int(body["end_time"])
        except (ValueError, KeyError, TypeError):
            raise _BadRequest("start_time and end_time (unix milliseconds) are required", 422) from None
        if start < 1577836800000 or end <= start:
            raise _BadRequest("start_time must be >= 1577836800000 and before end_time", 422)
        if body.get("interval_seconds") != 86400 or body.get("time_zone", "UTC") != "UTC":
            raise _BadRequest("this imitation answers daily UTC intervals only", 422)
        group_by = body.get("group_by") or []
        if set(group_by) - {"product_type", "model"}:
            raise _BadRequest(f"unsupported group_by {group_by}", 422)
        first = _day_of_unix(start // 1000)
        last = _day_of_unix((end - 1) // 1000)
        sums: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        for e in self.ledger.of("elevenlabs", first, last):
            if _ms(e.day) < start or _ms(e.day) >= end:
                continue
            key = (e.day, *(e.product if g == "product_type" else e.model for g in group_by))
            sums[key] += e.credits or ZERO
        rows = [
            [f"{key[0]}T00:00:00Z", *key[1:], format(credits, "f")]
            for key, credits in sorted(sums.items(), key=lambda kv: tuple("" if v is None else str(v) for v in kv[0]))
        ]
        return httpx.Response(
            200,
            json={
                "columns": ["timestamp", *group_by, "credits_used"],
                "column_types": ["DateTime", *(["String"] * len(group_by)), "Float"],
                "column_units": ["s", *([None] * len(group_by)), "credits"],
                "rows": rows,
            },
        )

    def _elevenlabs_stats(self, request: httpx.Request) -> httpx.Response:
        q = request.url.params
        try:
            start, end = int(q["start_unix"]), int(q["end_unix"])
        except (KeyError, ValueError):
            raise _BadRequest("start_unix and end_unix (unix milliseconds) are required", 422) from None
        if q.get("aggregation_interval", "day") != "day" or q.get("breakdown_type") != "model":
            raise _BadRequest("this imitation answers daily per-model breakdowns only", 422)
        metric = q.get("metric", "credits")
        if metric not in ("request_count", "credits"):
            raise _BadRequest(f"unsupported metric {metric}", 422)
        first, last = _day_of_unix(start // 1000), _day_of_unix(end // 1000)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        usage: dict[str, list] = {}
        for e in self.ledger.of("elevenlabs", first, last):
            if e.model is None:
                continue
            series = usage.setdefault(e.model, [0] * len(days))
            value = (e.requests or 0) if metric == "request_count" else float(e.credits or 0)
            series[(e.day - first).days] += value
        return httpx.Response(200, json={"time": [_ms(d) for d in days], "usage": usage or {"All": [0] * len(days)}})

    # ---- Deepgram

    def _deepgram(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        if request.method != "GET" or parts[:2] != ["v1", "projects"]:
            raise _BadRequest(f"Not found: {request.url.path}", 404)
        if len(parts) == 2:
            return httpx.Response(
                200, json={"projects": [{"project_id": p, "name": f"Project {p}"} for p in self.projects]}
            )
        if len(parts) != 5 or parts[3:] not in (["billing", "breakdown"], ["usage", "breakdown"]):
            raise _BadRequest(f"Not found: {request.url.path}", 404)
        project = parts[2]
        if project not in self.projects:
            raise _BadRequest(f"Project {project} not found or not accessible", 404)
        q = request.url.params
        try:
            first = date.fromisoformat(q["start"])
            last = date.fromisoformat(q["end"])  # inclusive
        except (KeyError, ValueError):
            raise _BadRequest("start and end must be YYYY-MM-DD") from None
        entries = [e for e in self.ledger.of("deepgram", first, last) if e.project == project]
        window = {"start": str(first), "end": str(last), "resolution": {"units": "day", "amount": 1}}
        if parts[3] == "billing":
            grouping = q.get_list("grouping")
            if set(grouping) - {"accessor", "deployment", "line_item", "tags"}:
                raise _BadRequest(f"Invalid value for 'grouping': {grouping}")
            sums: dict[tuple[date, str | None], Decimal] = defaultdict(lambda: ZERO)
            for e in entries:
                sums[(e.day, e.name if "line_item" in grouping else None)] += e.cost
            if "line_item" not in grouping and project == self.projects[0]:  # billed to the first project
                for day, usd in self.ledger.billing_extra.get("deepgram", {}).items():
                    if first <= day <= last:
                        sums[(day, None)] += usd
            results = [
                {
                    "dollars": _json_number_or_string(cost, i),
                    "grouping": {
                        "start": str(day),
                        "end": str(day),
                        "line_item": item,
                        "accessor": None,
                        "deployment": None,
                        "tags": None,
                    },
                }
                for i, ((day, item), cost) in enumerate(sorted(sums.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")))
            ]
            return httpx.Response(200, json={**window, "results": results})
        grouping = q.get_list("grouping")
        if len(grouping) > 1 or (
            grouping
            and grouping[0] not in ("accessor", "endpoint", "feature_set", "models", "method", "tags", "deployment")
        ):
            raise _BadRequest(f"Invalid value for 'grouping': {grouping}")
        counts: dict[tuple[date, str | None], int] = defaultdict(int)
        for e in entries:
            counts[(e.day, e.model if grouping == ["models"] else None)] += e.requests or 0
        results = [
            {
                "hours": round(n * 0.01, 2),
                "total_hours": round(n * 0.01, 2),
                "agent_hours": 0,
                "tokens_in": 0,
                "tokens_out": 0,
                "tts_characters": 0,
                "requests": n,
                "grouping": {
                    "start": str(day),
                    "end": str(day),
                    "models": [model] if model else None,
                    "endpoint": "listen",
                    "method": "streaming",
                    "accessor": None,
                    "feature_set": None,
                    "tags": None,
                    "deployment": None,
                },
            }
            for (day, model), n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
        ]
        return httpx.Response(200, json={**window, "results": results})

    # ---- OpenRouter

    def _openrouter(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/api/v1/keys":
            return self._openrouter_keys(request)
        if request.method != "GET" or request.url.path != "/api/v1/activity":
            raise _BadRequest(f"Not found: {request.url.path}", 404)
        first, last = self.openrouter_days()
        q = request.url.params
        if "date" in q:
            try:
                only = date.fromisoformat(q["date"])
            except ValueError:
                raise _BadRequest("date must be YYYY-MM-DD") from None
            if not first <= only <= last:
                raise _BadRequest("date must be within the last 30 completed UTC days")
            first = last = only
        rows = []
        for i, e in enumerate(sorted(self.ledger.of("openrouter", first, last), key=lambda e: (e.day, e.name))):
            requests = e.requests or 0
            head_cost = (e.cost * 3 / 5).quantize(Decimal(1).scaleb(e.cost.as_tuple().exponent - 1))
            halves = (
                (head_cost, requests - requests // 2, "OpenAI", "550e8400-e29b-41d4-a716-44665544000"),
                (e.cost - head_cost, requests // 2, "Azure", "7c9e6679-7425-40de-944b-e07fc1f90ae"),
            )
            for j, (cost, n, provider, endpoint) in enumerate(halves):
                rows.append(
                    {
                        "date": str(e.day),
                        "model": e.name,
                        "model_permaslug": f"{e.name}-2025-04-14",
                        "endpoint_id": f"{endpoint}{j}",
                        "provider_name": provider,
                        "usage": _json_number_or_string(cost, i + j),
                        "byok_usage_inference": 0.25 if j else 0,  # paid on the customer's own keys: not billed
                        "requests": n,
                        "prompt_tokens": 10 * n,
                        "completion_tokens": 25 * n,
                        "reasoning_tokens": 0,
                    }
                )
        return httpx.Response(200, json={"data": rows})

    # ---- OpenRouter keys: the month-to-date counters

    OPENROUTER_KEYS = (  # (name, n: the key used 1/n of every counter, disabled); the last key has the rest
        ("Production", 2, False),
        ("Batch jobs", 3, False),
        ("Old laptop (revoked)", 0, True),
    )

    def openrouter_billed(self, first: date, last: date) -> Decimal:
        """What OpenRouter bills over ``first``..``last`` (never after ``today``), BYOK excluded."""
        last = min(last, self.today)
        items = sum((e.cost for e in self.ledger.of("openrouter", first, last)), ZERO)
        return items + self.ledger.extra("openrouter", first, last)

    def keys_usage_monthly(self) -> Decimal:
        """The sum of every key's ``usage_monthly``: this UTC month up to and including today."""
        return self.openrouter_billed(self.today.replace(day=1), self.today)

    def _openrouter_keys(self, request: httpx.Request) -> httpx.Response:
        q = request.url.params
        try:
            offset = int(q.get("offset", 0))
        except ValueError:
            raise _BadRequest("offset must be an integer") from None
        if offset < 0:
            raise _BadRequest("offset must be >= 0")
        today = self.today
        periods = {
            "usage": (date(2000, 1, 1), today),
            "usage_daily": (today, today),
            "usage_weekly": (today - timedelta(days=today.weekday()), today),
            "usage_monthly": (today.replace(day=1), today),
        }
        shares = tuple(share for _, share, _ in self.OPENROUTER_KEYS[:-1])
        usage = {field: _split(self.openrouter_billed(*span), shares) for field, span in periods.items()}
        byok = {
            field: _split(Decimal("0.25") * len(self.ledger.of("openrouter", *span)), shares)
            for field, span in periods.items()
        }
        keys = []
        for i, (name, _, disabled) in enumerate(self.OPENROUTER_KEYS):
            if disabled and q.get("include_disabled", "false").lower() != "true":
                continue
            digest = hashlib.sha256(name.encode()).hexdigest()
            keys.append(
                {
                    "hash": digest,
                    "name": name,
                    "label": f"sk-or-v1-{digest[:3]}...{digest[-3:]}",
                    "disabled": disabled,
                    "limit": None,
                    "limit_remaining": None,
                    "limit_reset": None,
                    "include_byok_in_limit": False,
                    **{field: _exact_number(parts[i]) for field, parts in usage.items()},
                    **{f"byok_{field}": _exact_number(parts[i]) for field, parts in byok.items()},
                    "created_at": "2026-01-05T10:00:00.000Z",
                    "updated_at": None,
                    "expires_at": None,
                    "workspace_id": None,
                }
            )
        return httpx.Response(200, json={"data": keys[offset : offset + self.keys_page_size]})

    # ---- Apify

    def _apify_route(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v2/users/me/usage/monthly":
            return self._apify_usage(request)
        return self._apify.handle(request)

    def apify_cycle(self, day: date) -> tuple[date, date]:
        """The usage cycle (first and last day, inclusive) containing ``day``: it starts on the anniversary day
        of a month (the month's last day when it is shorter) and ends the day before the next one starts."""

        def anchor(year: int, month: int) -> date:
            return date(year, month, min(self.apify_cycle_day, calendar.monthrange(year, month)[1]))

        start = anchor(day.year, day.month)
        if start > day:
            before = day.replace(day=1) - timedelta(days=1)
            start = anchor(before.year, before.month)
        after = month_end(start) + timedelta(days=1)
        return start, anchor(after.year, after.month) - timedelta(days=1)

    def _apify_usage(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET":
            raise _BadRequest(f"Not found: {request.url.path}", 404)
        try:
            asked = date.fromisoformat(request.url.params["date"][:10])
        except (KeyError, ValueError):
            raise _BadRequest("date must be given as YYYY-MM-DD") from None
        start, end = self.apify_cycle(asked)
        daily = []
        compute_total = extra_total = ZERO
        day = start
        while day <= min(end, self.today):
            compute = sum((r.usd or ZERO for r in self.ledger.runs_between(day, day)), ZERO)
            extra = self.ledger.extra("apify", day, day)
            compute_total += compute
            extra_total += extra
            services = {
                "ACTOR_COMPUTE_UNITS": {
                    "quantity": _exact_number(compute / Decimal("0.4")),
                    "baseAmountUsd": _exact_number(compute),
                }
            }
            if extra:  # platform usage outside runs: proxies, storage
                services["PROXY_RESIDENTIAL_TRANSFER_GBYTES"] = {
                    "quantity": _exact_number(extra / 8),
                    "baseAmountUsd": _exact_number(extra),
                }
            daily.append(
                {
                    "date": f"{day}T00:00:00.000Z",
                    "totalUsageCreditsUsd": _exact_number(compute + extra),
                    "serviceUsage": services,
                }
            )
            day += timedelta(days=1)

        def service(amount: Decimal, unit_price: str, quantity: Decimal) -> dict:
            return {
                "quantity": _exact_number(quantity),
                "baseAmountUsd": _exact_number(amount),
                "baseUnitPriceUsd": float(unit_price),
                "amountAfterVolumeDiscountUsd": _exact_number(amount),
                "priceTiers": [],
            }

        monthly = {"ACTOR_COMPUTE_UNITS": service(compute_total, "0.4", compute_total / Decimal("0.4"))}
        if extra_total:
            monthly["PROXY_RESIDENTIAL_TRANSFER_GBYTES"] = service(extra_total, "8", extra_total / 8)
        total = _exact_number(compute_total + extra_total)
        return httpx.Response(
            200,
            json={
                "data": {
                    "usageCycle": {"startAt": f"{start}T00:00:00.000Z", "endAt": f"{end}T23:59:59.999Z"},
                    "monthlyServiceUsage": monthly,
                    "dailyServiceUsages": daily,
                    "totalUsageCreditsUsdBeforeVolumeDiscount": total,
                    "totalUsageCreditsUsdAfterVolumeDiscount": total,
                }
            },
        )


def stored_daily(store, name: str, first: date, last: date) -> dict[date, Expected]:
    """What the store holds per UTC day for a provider (lines, or Apify runs by start day)."""
    out: dict[date, Expected] = {}
    if name == "apify":
        for r in runs.list_runs(store, first=first, last=last, limit=10_000).items:
            got = out.setdefault(r.created_at.date(), Expected(Decimal(0), 0))
            got.cost += r.cost_usd or 0
            got.requests += 1
        return out
    for line in ledger.lines_between(store, first, last, name):
        got = out.setdefault(line.day, Expected(Decimal(0), None))
        got.cost += line.cost_usd
        if line.requests is not None:
            got.requests = (got.requests or 0) + line.requests
    return out
