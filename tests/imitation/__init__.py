"""A faithful, stateful imitation of the six provider APIs Spendboard collects from.

A ``Ledger`` holds the truth (what each provider "billed", per UTC day and line item, and Apify's runs). One
handler per provider answers the real endpoints the adapters call, in the real response shapes
(``shared/docs/provider-apis.md``), filtered by the requested window the way the real API filters:

One module per API answers its real endpoints (see each module's docstring for the quirks it reproduces):

* ``openai``: costs and every usage endpoint; each line item split per project, odd amount strings.
* ``anthropic``: the cost report in cents.
* ``elevenlabs``: the analytics table, request counts (the key's user only unless asked for the workspace), the
  subscription with a discounted, taxed invoice.
* ``deepgram``: projects, billing and usage breakdowns (usage by display names).
* ``openrouter``: ``/activity`` (30 days), workspaces and their keys.
* ``apify``: runs (``FakeApify``), Actor and task names, the dataset listing, monthly usage cycles.

``ledger`` holds the truth, ``wire`` the shared formats, faults and error shapes, ``server`` the local HTTP server.

The providers' own totals (what ``core.reconcile`` checks the stored lines against) are served too:

* OpenAI ``/costs`` without ``group_by`` and Anthropic's cost report without ``group_by[]``: one result per
  bucket holding the day's total (Anthropic still in cents, as a string).
* Deepgram's billing breakdown without ``grouping``: one row per day for each project.
* OpenRouter ``GET /api/v1/keys``: every key with its ``usage_monthly`` (this UTC month to date, *today
  included*), the month split over several keys in two workspaces (one disabled, listed only with
  ``include_disabled=true``), ``keys_page_size`` keys per page, paged by ``offset``.
* Apify ``GET /v2/users/me/usage/monthly?date=YYYY-MM-DD``: the usage cycle containing ``date``, anchored on the
  subscription's anniversary day (``apify_cycle_day``, e.g. the 2nd: ``2026-08-02T00:00:00.000Z`` to
  ``2026-09-01T23:59:59.999Z``), with ``dailyServiceUsages`` for each day of the cycle up to ``today``.

These billing totals equal the itemised figures, plus ``Ledger.billing_extra[provider][day]``: what a provider
bills that its itemised endpoints do not show (Apify platform fees outside runs, a restatement, a missing line).
``Imitation.billing_total`` and ``Imitation.keys_usage_monthly`` give the exact figures the APIs answer.

An adapter's unit tests serve recorded vendor pages for chosen endpoints (``replay``, see ``recorded``) and fetch
through ``fetch``/``fetch_error``/``client``; everything else answers from the ledger.

Every handler checks the credential (a wrong one gets 401 in that API's error shape) and supports faults:
``fail_once`` (429 with ``Retry-After`` by default), ``down`` (500, or another status, always), ``malformed``
(200 with a body that is not JSON, or JSON of the wrong shape), ``hang`` (``httpx.ReadTimeout`` through a
MockTransport; over real HTTP the server holds the request until ``hang_seconds`` pass or the imitation closes,
then drops the connection).

With ``echo_credentials=True`` every error message quotes the credential the request carried: the worst case
for leaks (an API quoting back the key it rejected), so tests can show the key never reaches the output.
"""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from core.config import Settings
from core.http import RetryPolicy
from core.periods import month_end
from core.providers import get_provider
from core.providers.contract import Fetched
from tests.conftest import NO_SLEEP
from tests.imitation import anthropic, apify, deepgram, elevenlabs, openai, openrouter
from tests.imitation.apify import FakeApify, ImitationApify, run_item
from tests.imitation.ledger import Entry, Expected, Ledger, Run, populate, stored_daily
from tests.imitation.recorded import Recorded
from tests.imitation.server import serve
from tests.imitation.wire import ZERO, BadRequest, Fault, error_response

__all__ = [
    "KEYS",
    "PROVIDERS",
    "PROVIDER_NAMES",
    "Entry",
    "Expected",
    "FakeApify",
    "Imitation",
    "Ledger",
    "Run",
    "populate",
    "run_item",
    "serve",
    "stored_daily",
]

# Each provider's settings, written once: (key setting, key variable, base-URL variable, path after the server).
PROVIDERS = {
    "openai": ("openai_admin_key", "OPENAI_ADMIN_KEY", "OPENAI_BASE_URL", "/v1"),
    "anthropic": ("anthropic_admin_key", "ANTHROPIC_ADMIN_KEY", "ANTHROPIC_BASE_URL", ""),
    "elevenlabs": ("elevenlabs_api_key", "ELEVENLABS_API_KEY", "ELEVENLABS_BASE_URL", ""),
    "deepgram": ("deepgram_api_key", "DEEPGRAM_API_KEY", "DEEPGRAM_BASE_URL", ""),
    "openrouter": ("openrouter_management_key", "OPENROUTER_MANAGEMENT_KEY", "OPENROUTER_BASE_URL", "/api/v1"),
    "apify": ("apify_token", "APIFY_TOKEN", "APIFY_BASE_URL", ""),
}
PROVIDER_NAMES = tuple(PROVIDERS)
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
_HANDLERS = {
    "openai": openai.handle,
    "anthropic": anthropic.handle,
    "elevenlabs": elevenlabs.handle,
    "deepgram": deepgram.handle,
    "openrouter": openrouter.handle,
    "apify": apify.handle,
}


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
        self._faults: dict[str, Fault] = {}
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._apify = ImitationApify(self.ledger, self.keys, page_size)
        self._recorded = Recorded()
        self.OPENROUTER_KEYS = openrouter.KEYS
        self.openrouter_inference_key = False  # True: GET /key says the key is not a management key

    # ---- faults

    def fail_once(
        self, name: str, status: int = 429, retry_after: str | None = "1", times: int = 1, after: int = 0
    ) -> None:
        """The next ``times`` requests get ``status`` (429 carries ``Retry-After``), then answers are normal.
        ``after`` (here and below): that many requests are answered normally first."""
        with self._lock:
            self._faults[name] = Fault("once", status=status, retry_after=retry_after, times=times, after=after)

    def down(self, name: str, after: int = 0, status: int = 500) -> None:
        """HTTP 500 (or ``status``) on every request."""
        with self._lock:
            self._faults[name] = Fault("down", status=status, after=after)

    def malformed(self, name: str, body: str = "not_json", after: int = 0) -> None:
        """HTTP 200 with a body that is not JSON (``not_json``) or JSON of the wrong shape (``wrong_shape``)."""
        with self._lock:
            self._faults[name] = Fault("malformed", status=200, body=body, after=after)

    def hang(self, name: str, after: int = 0) -> None:
        """Never answer: a read timeout through MockTransport, a held then dropped connection when served."""
        with self._lock:
            self._faults[name] = Fault("hang", after=after)

    def heal(self, name: str | None = None) -> None:
        """Clear the faults (and rotated keys) of one provider, or of all."""
        with self._lock:
            for each in [name] if name else list(PROVIDER_NAMES):
                self._faults.pop(each, None)
                self.keys[each] = KEYS[each]

    def rotate_key(self, name: str) -> None:
        """The provider now accepts another key only: the configured one gets 401 (``heal`` undoes it)."""
        self.keys[name] = f"{KEYS[name]}-rotated"

    def replay(self, name: str, path: str, *answers: Any, page: str | None = None) -> None:
        """Answer ``path`` (its first page, or the ``page`` cursor) with recorded answers, in turn, the last
        repeating: JSON bodies, ``httpx.Response``s, exceptions, or handlers (see ``tests.imitation.recorded``)."""
        self._recorded.add(name, path, answers, page)

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
                return error_response(name, 401, self._auth_message(name, request))
            try:
                return self._recorded.answer(name, request) or _HANDLERS[name](self, request)
            except BadRequest as exc:
                return error_response(name, exc.status, exc.message)

        return handle

    def transports(self) -> dict[str, httpx.MockTransport]:
        return {name: httpx.MockTransport(self.handler(name)) for name in PROVIDER_NAMES}

    def client(self, name: str, settings: Settings | None = None) -> httpx.Client:
        """The adapter's own client (its base URL, headers and key), talking to this imitation."""
        return get_provider(name).client(settings or self.settings(), httpx.MockTransport(self.handler(name)))

    def fetch(
        self, name: str, first: date, last: date, settings: Settings | None = None, policy: RetryPolicy = NO_SLEEP
    ) -> Fetched:
        """What the adapter's ``fetch`` returns for ``first``..``last`` against this imitation."""
        settings = settings or self.settings()
        with self.client(name, settings) as http:
            return get_provider(name).fetch(http, first, last, settings, policy)

    def fetch_error(self, name: str, error: type[Exception], first: date, last: date, **kw) -> Exception:
        """The ``error`` a fetch must raise; its message is one line and names no credential."""
        with pytest.raises(error) as info:
            self.fetch(name, first, last, **kw)
        message = str(info.value)
        assert "\n" not in message and not any(key in message for key in KEYS.values()), message
        return info.value

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
            yield {PROVIDERS[name][2]: f"{urls[name]}{PROVIDERS[name][3]}" for name in PROVIDER_NAMES}
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
            **{PROVIDERS[name][0]: KEYS[name] for name in PROVIDER_NAMES},
            "elevenlabs_usd_per_1k_credits": self.usd_per_1k_credits,
        }
        values.update(overrides)
        return Settings(**values)

    def environ(self, database_url: str, base_urls: dict[str, str], **extra: str) -> dict[str, str]:
        env = {
            "DATABASE_URL": database_url,
            **{PROVIDERS[name][1]: KEYS[name] for name in PROVIDER_NAMES},
            "ELEVENLABS_USD_PER_1K_CREDITS": str(self.usd_per_1k_credits),
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
        seen = [self.today] if seen_on is None else [seen_on] if isinstance(seen_on, date) else list(seen_on)
        last = min(month_end(month), max(seen))
        for name in PROVIDER_NAMES:
            days = self.daily(name, month, month_end(month), seen_on=seen_on, usd_per_1k_credits=usd_per_1k_credits)
            served = {month + timedelta(days=i) for i in range((last - month).days + 1)}
            if name == "openrouter":  # its 30 days; today counts too: it is served once it is over
                windows = [self.openrouter_days(d) for d in seen]
                served = {d for d in served if d == max(seen) or any(lo <= d <= hi for lo, hi in windows)}
            out[name] = Expected(
                sum((d.cost for d in days.values()), ZERO),
                None if name == "anthropic" else sum(d.requests for d in days.values()),
                len(days),
                len(served),
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

    def _faulty(self, name: str, fault: Fault, request: httpx.Request) -> httpx.Response:
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
        return error_response(name, fault.status, self._echo(message, request), headers)

    # ---- the providers' own figures, answered by their modules

    OPENROUTER_WORKSPACES = openrouter.WORKSPACES

    def subscription_usd_per_1k_credits(self) -> Decimal:
        """What the ElevenLabs plan costs per 1,000 credits: what the invoice charges over the monthly credits."""
        return elevenlabs.subscription_usd_per_1k_credits(self)

    def openrouter_billed(self, first: date, last: date) -> Decimal:
        """What OpenRouter bills over ``first``..``last`` (never after ``today``), BYOK excluded."""
        return openrouter.billed(self, first, last)

    def keys_usage_monthly(self) -> Decimal:
        """The sum of every key's ``usage_monthly`` (every workspace): this UTC month up to and including today."""
        return openrouter.keys_usage_monthly(self)

    def apify_cycle(self, day: date) -> tuple[date, date]:
        """Apify's usage cycle (first and last day, inclusive) containing ``day``."""
        return apify.cycle(self, day)
