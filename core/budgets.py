"""Monthly budgets in USD: one for the whole team (``total``) and, optionally, one per provider.

Kept in SQL (``core.store.guardrails``); set from the settings page (admins) or ``python -m core budget``.
Amounts are exact ``Decimal`` dollars with at most two decimals, above zero and below a billion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from core.errors import InputError
from core.money import MAX_ABS_USD, ZERO
from core.providers import NAMES
from core.store import guardrails as table
from core.store.db import Store

TOTAL = "total"
CENTS = Decimal("0.01")
SCOPES = (TOTAL, *NAMES)


@dataclass(frozen=True)
class Budget:
    scope: str  # "total" or a provider
    monthly_usd: Decimal


@dataclass(frozen=True)
class BudgetUse:
    """How much of one budget a month used (``forecast_usd`` only for a month still running)."""

    scope: str
    spent_usd: Decimal
    budget_usd: Decimal
    percent: Decimal  # of the budget, rounded to 0.1
    forecast_usd: Decimal | None

    @property
    def over(self) -> bool:
        return self.spent_usd > self.budget_usd


def parse_scope(text: str) -> str:
    scope = (text or "").strip().lower()
    if scope not in SCOPES:
        raise InputError.keyed("err_budget_scope", names=", ".join(NAMES), got=repr(text[:40]))
    return scope


def parse_amount(text: str | Decimal) -> Decimal:
    """A budget from user input: dollars with at most two decimals (``500``, ``1250.50``)."""
    raw = str(text).strip().replace(",", "").removeprefix("$")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise InputError.keyed("err_budget_amount", got=repr(str(text)[:40]))
    if value <= 0 or value >= MAX_ABS_USD:
        raise InputError.keyed("err_budget_range", got=raw)
    if value != value.quantize(CENTS):
        raise InputError.keyed("err_budget_cents", got=raw)
    return value.quantize(CENTS)


def set_budget(store: Store, scope: str, amount: str | Decimal) -> Budget:
    """Validate, then set (or replace) a budget; bad input raises ``InputError`` and writes nothing."""
    budget = Budget(parse_scope(scope), parse_amount(amount))
    table.save_budget(store, budget.scope, budget.monthly_usd)
    return budget


def remove_budget(store: Store, scope: str) -> bool:
    """Remove a budget; False when that scope had none."""
    return table.delete_budget(store, parse_scope(scope))


def list_budgets(store: Store) -> list[Budget]:
    """Every budget, the team's first, then providers in the registry's order."""
    stored = table.load_budgets(store)
    return [Budget(s, stored[s].quantize(CENTS)) for s in SCOPES if s in stored]  # stored as cents, read at 1e-9


def percent(spent: Decimal, budget: Decimal) -> Decimal:
    return (spent * 100 / budget).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN) if budget else ZERO


def budget_use(store: Store, month: date, today: date) -> list[BudgetUse]:
    """Each budget's use in ``month`` (the team first): spend so far, and the forecast while the month runs."""
    from core.forecast import month_forecast
    from core.periods import month_end

    forecast = month_forecast(store, month, today)
    running = today <= month_end(month)
    rows = []
    for b in list_budgets(store):
        part = forecast.scope(None if b.scope == TOTAL else b.scope)
        spent = part.month_to_date_usd if part is not None else ZERO
        ahead = (part.forecast_usd if part is not None else ZERO) if running else None
        rows.append(BudgetUse(b.scope, spent, b.monthly_usd, percent(spent, b.monthly_usd), ahead))
    return rows


def email_lines(store: Store, month: date, today: date, language: str = "en") -> list[str]:
    """The report email's budget status, one line per budget ("The team: $412.00 of $500.00 (82.4%)"), for
    ``core.report_email``; empty when no budget is set."""
    from core.i18n.formats import Formats
    from core.providers import label

    f = Formats(language)
    t = f.t
    lines = []
    for use in budget_use(store, month, today):
        who = t("alert_scope_total") if use.scope == TOTAL else label(use.scope)
        line = t(
            "email_budget_line",
            who=who,
            spent=f.money(use.spent_usd),
            budget=f.money(use.budget_usd),
            percent=f.percent(use.percent),
        )
        lines.append(f"{line} — {t('email_budget_over')}" if use.over else line)
    return lines
