"""Money is Decimal, exact to the provider's figure; never float arithmetic.

Storage keeps 9 decimal places (nano-dollars) on both backends, which is finer than any provider reports
in practice (Anthropic's fractional cents give 7 places at most).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

ZERO = Decimal(0)
SCALE = 9
QUANTUM = Decimal(1).scaleb(-SCALE)  # 1e-9 USD
NANOS_PER_USD = 10**SCALE
CENT = Decimal("0.01")
MAX_ABS_USD = Decimal(10) ** 9  # one line or run costing a billion dollars is a broken payload, not spend
# No figure we read (dollars, credits, counts, millisecond timestamps) has more than 24 digits either side of the
# point; beyond that, Decimal arithmetic itself overflows (``1e999999999``), so such text is refused as it is read.
MAX_EXPONENT = 24


def parse_usd(value: object, *, what: str = "amount") -> Decimal:
    """A provider's money amount (JSON number or numeric string) as exact Decimal; absurd amounts are refused."""
    result = parse_decimal(value, what=what)
    if abs(result) >= MAX_ABS_USD:
        raise ValueError(f"{what} is {value!r}, an implausible amount (a billion dollars or more)")
    return result


def parse_decimal(value: object, *, what: str = "value") -> Decimal:
    """Parse a JSON number or a numeric string into an exact Decimal.

    Floats arrive from ``json.loads`` already rounded to the nearest double; ``str(float)`` gives the shortest
    representation that round-trips, which is exactly the decimal text the provider sent.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{what} is {value!r}, expected a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{what} is {value!r}, expected a decimal number") from None
    else:
        raise ValueError(f"{what} is {type(value).__name__}, expected a number")
    if not result.is_finite():
        raise ValueError(f"{what} is {value!r}, expected a finite number")
    if result and not -MAX_EXPONENT <= result.adjusted() <= MAX_EXPONENT:
        raise ValueError(f"{what} is {str(value)[:40]!r}, outside any plausible range")
    return result


def quantize(value: Decimal) -> Decimal:
    """Round to the stored precision (1e-9 USD)."""
    return value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)


def to_nanos(value: Decimal) -> int:
    return int(quantize(value).scaleb(SCALE))


def from_nanos(nanos: int) -> Decimal:
    return Decimal(int(nanos)).scaleb(-SCALE)


def format_json(value: Decimal | None) -> str | None:
    """Full-precision decimal string for JSON output (at least 6 decimals, never rounded to cents)."""
    if value is None:
        return None
    value = quantize(value).normalize()
    if value.as_tuple().exponent > -6:
        value = value.quantize(Decimal("0.000001"))
    return format(value, "f")


def format_usd(value: Decimal | None, *, signed: bool = False) -> str:
    """Human display: ``$1,234.56`` (rounded to the cent for display only)."""
    if value is None:
        return "—"
    cents = value.quantize(CENT, rounding=ROUND_HALF_EVEN)
    sign = "-" if cents < 0 else ("+" if signed and cents > 0 else "")
    return f"{sign}${abs(cents):,.2f}"


def change_percent(current: Decimal, previous: Decimal | None) -> Decimal | None:
    """Change in percentage points, 2 decimals; None when there is nothing to compare with."""
    if previous is None or previous == 0:
        return None
    return ((current - previous) * 100 / previous).quantize(CENT, rounding=ROUND_HALF_EVEN)
