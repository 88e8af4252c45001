"""The truth an imitation answers from: what each provider billed per UTC day and line item, and Apify's runs."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from core.store import ledger, runs

ZERO = Decimal(0)


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
    served: int = 0  # days the API answers for, spend or not (fewer for OpenRouter's old months)


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
