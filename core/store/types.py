"""Column types that behave identically on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.types import TypeDecorator

from core.money import SCALE, from_nanos, quantize, to_nanos


class Money(TypeDecorator):
    """Exact USD as ``Decimal``.

    PostgreSQL stores ``NUMERIC(20, 9)``. SQLite would store ``Numeric`` as a binary REAL (0.1 + 0.2 drift), so
    there the column holds integer nano-dollars and ``SUM()`` stays an exact integer sum. Both read back as the
    same ``Decimal``; ``func.sum(col)`` inherits this type, so aggregates convert the same way.
    """

    impl = Numeric(20, SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(20, SCALE, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = value if isinstance(value, Decimal) else Decimal(str(value))
        return to_nanos(value) if dialect.name == "sqlite" else quantize(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return from_nanos(value)
        return value if isinstance(value, Decimal) else Decimal(str(value))


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on both backends (SQLite would silently drop the offset without converting)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("an aware datetime is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # func.min/max over the column on SQLite
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
