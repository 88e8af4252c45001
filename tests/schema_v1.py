"""The schema as it was at version 1 (before the spend ledger), frozen here to build a version-1 database in the
migration tests. Never imported by the application."""

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

SCHEMA_VERSION = 1
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
# Covering index: period sums and daily charts are range scans that never touch the table.
Index("ix_scraper_runs_created_cost", scraper_runs.c.created_at, scraper_runs.c.cost_usd)
Index("ix_scraper_runs_scraper_created", scraper_runs.c.scraper_id, scraper_runs.c.created_at)
Index("ix_scraper_runs_source_created", scraper_runs.c.source, scraper_runs.c.created_at)

daily_costs = Table(
    "daily_costs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("provider", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("line_item", String(512), nullable=False),
    Column("model", String(256)),
    Column("cost_usd", Money, nullable=False),
    Column("requests", BigInteger),  # NULL where the provider has no count (Anthropic)
    Column("cost_source", String(32), nullable=False),
    Column("collected_at", UTCDateTime, nullable=False),
    Column("quantity", String(40)),  # usage behind an unpriced line, as exact decimal text (e.g. credits)
    Column("unit", String(32)),
    UniqueConstraint("provider", "day", "line_item", name="uq_daily_costs_provider_day_item"),
)
# Covering index: period sums, daily charts and the provenance split (cost, requests, cost_source) are range scans
# that never touch the table.
Index(
    "ix_daily_costs_day_provider_cost",
    daily_costs.c.day,
    daily_costs.c.provider,
    daily_costs.c.cost_source,
    daily_costs.c.cost_usd,
    daily_costs.c.requests,
)
# has_demo_data(): finding no sample line should not scan the table.
_DEMO_LINE = daily_costs.c.cost_source == "demo"
Index("ix_daily_costs_demo", daily_costs.c.cost_source, sqlite_where=_DEMO_LINE, postgresql_where=_DEMO_LINE)
# coverage() adds up the quantities behind derived/unpriced lines: only those lines are indexed.
_HAS_QUANTITY = daily_costs.c.quantity.is_not(None)
Index(
    "ix_daily_costs_quantity",
    daily_costs.c.day,
    daily_costs.c.provider,
    daily_costs.c.cost_source,
    daily_costs.c.cost_usd,
    daily_costs.c.quantity,
    daily_costs.c.unit,
    sqlite_where=_HAS_QUANTITY,
    postgresql_where=_HAS_QUANTITY,
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
    Column(
        "note", Text
    ),  # how a derived figure was priced, e.g. "$0.30 per 1k credits (ELEVENLABS_USD_PER_1K_CREDITS)"
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
    Column("lock_owner", String(64)),  # lease so that two syncs never write the same pages at once
    Column("lock_expires_at", UTCDateTime),
)
