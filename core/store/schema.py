"""Tables. Names of ``scraper_runs`` columns are fixed (other tools read them)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from core.store.types import Money, UTCDateTime

SCHEMA_VERSION = 2
metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, primary_key=True))

scraper_runs = Table(
    "scraper_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False, unique=True),
    Column("scraper_id", String(128), nullable=False),  # the Actor id (or the caller's own scraper id)
    Column("user_id", String(128)),
    Column("source", String(32), nullable=False),  # app | import | demo | ...
    Column("cost_usd", Money),  # Apify's usageTotalUsd; NULL when Apify did not report it
    Column("usage_details", JSON),  # {"usageUsd": {...}, "usage": {...}, "stats": {...}}
    Column("item_count", Integer),
    Column("status", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),  # the run's start, UTC
    Column("finished_at", UTCDateTime),
    Column("origin", String(32)),  # meta.origin: API, SCHEDULER, WEB...
    Column("updated_at", UTCDateTime, nullable=False),
)
# Covering index: rebuilding the ledger lines of some days reads runs by start time without touching the table.
Index(
    "ix_scraper_runs_created_lines",
    scraper_runs.c.created_at,
    scraper_runs.c.scraper_id,
    scraper_runs.c.user_id,
    scraper_runs.c.source,
    scraper_runs.c.cost_usd,
)
Index("ix_scraper_runs_scraper_created", scraper_runs.c.scraper_id, scraper_runs.c.created_at)
Index("ix_scraper_runs_source_created", scraper_runs.c.source, scraper_runs.c.created_at)

# The spend ledger: every provider's spend, one line per provider x UTC day x line item (x owner). Apify's lines are
# the sum of its runs' reported cost per (day, scraper, run owner), rebuilt from ``scraper_runs`` in the same
# transaction as the runs, so the two never disagree.
daily_costs = Table(
    "daily_costs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("provider", String(32), nullable=False),
    Column("day", Date, nullable=False),
    # sha256 of the full line item, owner and sample marker: two distinct items never merge, whatever their length
    Column("item_key", String(64), nullable=False),
    Column("line_item", Text, nullable=False),
    Column("model", Text),
    Column("owner", String(128), nullable=False),  # a run's user id for per-person lines, "" for team-wide lines
    Column("count_unit", String(16), nullable=False),  # what ``requests`` counts: requests | runs
    Column("cost_usd", Money, nullable=False),
    Column("requests", BigInteger),  # NULL where the provider has no count (Anthropic)
    Column("cost_source", String(32), nullable=False),
    Column("collected_at", UTCDateTime, nullable=False),
    Column("quantity", Money),  # the usage behind a derived or unpriced line (e.g. ElevenLabs credits), exact
    Column("unit", String(32)),
    UniqueConstraint("provider", "day", "item_key", name="uq_ledger_line"),
)
# has_sample_data(): finding no sample line should not scan the table.
_SAMPLE_LINE = daily_costs.c.cost_source == "demo"
Index("ix_ledger_sample", daily_costs.c.cost_source, sqlite_where=_SAMPLE_LINE, postgresql_where=_SAMPLE_LINE)

# One row per provider x UTC day x owner x cost source, rewritten with the ledger lines it sums: what the Overview,
# the report totals and the provenance line read, so their cost does not grow with the number of runs or lines.
daily_totals = Table(
    "daily_totals",
    metadata,
    Column("provider", String(32), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("owner", String(128), primary_key=True),
    Column("cost_source", String(32), primary_key=True),
    Column("count_unit", String(16), nullable=False),
    Column("cost_usd", Money, nullable=False),
    Column("count", BigInteger),  # NULL when no line of the group has a count
    Column("quantity", Money),
    Column("unit", String(32)),
    Column("lines", Integer, nullable=False),
    Column("collected_at", UTCDateTime, nullable=False),
)
# Range scans over days (every provider) never touch the table.
Index(
    "ix_daily_totals_day",
    daily_totals.c.day,
    daily_totals.c.provider,
    daily_totals.c.owner,
    daily_totals.c.cost_source,
    daily_totals.c.count_unit,
    daily_totals.c.cost_usd,
    daily_totals.c.count,
)
# Grouping by provider and cost source (the provenance line, per-provider totals) reads this index in its order, with
# no sort of the day range's rows: the all-time provenance line on SQLite goes from ~9 ms to ~2 ms (bench/README.md).
Index(
    "ix_daily_totals_source",
    daily_totals.c.provider,
    daily_totals.c.cost_source,
    daily_totals.c.day,
    daily_totals.c.cost_usd,
    daily_totals.c.quantity,
    daily_totals.c.unit,
)

# Bumped by every write, in the same transaction: caches are keyed by it, so a write made anywhere (app, command
# line, cron, another instance) shows on every instance at its next rerun.
data_version = Table(
    "data_version",
    metadata,
    Column("id", Integer, primary_key=True),  # a single row, id 1
    Column("version", BigInteger, nullable=False),
)

provider_snapshots = Table(
    "provider_snapshots",
    metadata,
    Column("month", Date, primary_key=True),
    Column("provider", String(32), primary_key=True),
    Column("total_cost_usd", Money, nullable=False),
    Column("requests", BigInteger),
    Column("breakdown", JSON, nullable=False),  # [{"model", "line_item", "cost_usd", "requests"}]
    Column("cost_source", String(32), nullable=False),
    Column("collected_at", UTCDateTime, nullable=False),
    Column("revised_from_usd", Money),  # the total before a closed month changed (None: never revised)
    # complete | partial | not_available (total 0 then means no figure, never $0) | None (not judged)
    Column("availability", String(16)),
)

monthly_summaries = Table(
    "monthly_summaries",
    metadata,
    Column("month", Date, primary_key=True),
    Column("total_cost_usd", Money, nullable=False),
    Column("previous_month_cost_usd", Money),
    Column("change_percent", Numeric(14, 2)),
    Column("provider_count", Integer, nullable=False),
    Column("report_url", Text),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("email_sent_at", UTCDateTime),
    Column("email_recipients", Text),
    Column("email_id", String(128)),
    Column("email_total_usd", Money),  # the total the email announced
    Column("revised_at", UTCDateTime),  # a closed month changed after it was emailed or archived
    Column("revised_from_usd", Money),
)

provider_status = Table(
    "provider_status",
    metadata,
    Column("provider", String(32), primary_key=True),
    Column("status", String(16), nullable=False),  # ok | failed | not_configured
    Column("error", Text),
    Column("attempted_at", UTCDateTime, nullable=False),
    Column("succeeded_at", UTCDateTime),
)

# What each collection saw per provider and day, so that a day that later goes missing is noticed and refilled.
collected_days = Table(
    "collected_days",
    metadata,
    Column("provider", String(32), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("lines", Integer, nullable=False),
    Column("cost_usd", Money, nullable=False),
    Column("collected_at", UTCDateTime, nullable=False),
)

reconciliations = Table(
    "reconciliations",
    metadata,
    Column("month", Date, primary_key=True),
    Column("provider", String(32), primary_key=True),
    Column("spendboard_usd", Money, nullable=False),
    Column("provider_usd", Money),
    Column("drift_usd", Money),
    Column("drift_percent", Numeric(14, 2)),
    Column("status", String(16), nullable=False),  # matches | small_drift | mismatch | unavailable | failed
    Column("source", Text),
    Column("note", Text),
    Column("checked_at", UTCDateTime, nullable=False),
)

collection_runs = Table(
    "collection_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("month", Date, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(16), nullable=False),  # running | ok | partial | failed
    Column("providers", JSON),  # {name: {"status", "cost_usd", "requests", "error"}}
)

# Notion archive (core.notion). SQL stays the source of truth; these tables only remember what was sent where.
notion_pages = Table(
    "notion_pages",
    metadata,
    Column("data_source_id", String(64), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("provider", String(32), primary_key=True),  # "" for the month's summary page
    Column("page_id", String(64), nullable=False),
    Column("synced_at", UTCDateTime, nullable=False),
)

notion_pending = Table(
    "notion_pending",
    metadata,
    Column("month", Date, primary_key=True),
    Column("since", UTCDateTime, nullable=False),  # first request not yet archived
    Column("generation", Integer, nullable=False),  # bumped by every request; a sync clears only what it sent
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("last_attempt_at", UTCDateTime),
)

notion_sync_state = Table(
    "notion_sync_state",
    metadata,
    Column("id", Integer, primary_key=True),  # a single row, id 1
    Column("last_sync_at", UTCDateTime),  # end of the last sync that sent months without an error
    Column("last_attempt_at", UTCDateTime),
    Column("last_error", Text),
)

# Tables of other areas live with their queries in their own modules, on the same ``metadata``; importing them here
# makes them part of the schema wherever the store is opened.
from core.store import actors, guardrails, locks, outbox, people  # noqa: E402, F401
