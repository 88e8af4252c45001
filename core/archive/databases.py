"""The two Notion databases (API version 2025-09-03: a database holds data sources, the schema lives on the data
source). ``create`` makes one under a page; ``prepare`` finds an existing database's data source and adds the
columns it lacks, so a database made by hand from the same columns works too.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.archive.api import NotionApi, NotionError
from core.models import COMPLETE, COST_SOURCES, NOT_AVAILABLE, PARTIAL
from core.providers import NAMES

TITLE_COLUMN = "Month"
DOLLAR = {"number": {"format": "dollar"}}
PERCENT_POINTS = {"number": {"format": "number"}}  # 12.5 means +12.5 % ("percent" would want 0.125)


@dataclass(frozen=True)
class DatabaseSpec:
    title: str
    env: str  # the setting holding its id
    columns: dict[str, dict]

    @property
    def label(self) -> str:
        return f"the {self.title} database ({self.env})"


SNAPSHOTS = DatabaseSpec(
    "Provider Snapshots",
    "NOTION_SNAPSHOTS_DB_ID",
    {
        TITLE_COLUMN: {"title": {}},
        "Provider": {"select": {"options": [{"name": name} for name in NAMES]}},
        "Total Cost USD": DOLLAR,
        "Availability": {"select": {"options": [{"name": a} for a in (COMPLETE, PARTIAL, NOT_AVAILABLE)]}},
        "Requests": {"number": {"format": "number_with_commas"}},
        "Breakdown JSON": {"rich_text": {}},
        "Collected At": {"date": {}},
        "Cost Source": {"select": {"options": [{"name": s} for s in (*COST_SOURCES, "mixed", "none")]}},
        "Previous Month Cost": DOLLAR,
        "Change Percent": PERCENT_POINTS,
        "Revised": {"checkbox": {}},  # the closed month changed after it was archived or emailed
        "Revised From USD": DOLLAR,
    },
)

SUMMARIES = DatabaseSpec(
    "Monthly Summaries",
    "NOTION_SUMMARIES_DB_ID",
    {
        TITLE_COLUMN: {"title": {}},
        "Total Cost USD": DOLLAR,
        "Previous Month Cost": DOLLAR,
        "Change Percent": PERCENT_POINTS,
        "Revised": {"checkbox": {}},  # the closed month changed after it was archived or emailed
        "Revised From USD": DOLLAR,
        "Provider Count": {"number": {"format": "number"}},
        "Report URL": {"url": {}},
    },
)


def _kind(column: dict) -> str:
    return next(iter(column))


def create(api: NotionApi, parent_page_id: str, spec: DatabaseSpec) -> str:
    """Create the database under a page shared with the integration; return its id."""
    database = api.call(
        f"the parent page {parent_page_id}",
        api.client.databases.create,
        parent={"type": "page_id", "page_id": parent_page_id},
        title=[{"type": "text", "text": {"content": spec.title}}],
        initial_data_source={"properties": spec.columns},  # a top-level properties= would be dropped by the SDK
        repeatable=False,
    )
    if not isinstance(database, dict) or not database.get("id"):
        raise NotionError(f"Notion answered the creation of {spec.label} without an id; try again")
    return database["id"]


def data_source_id(api: NotionApi, database_id: str, spec: DatabaseSpec) -> str:
    database = api.call(spec.label, api.client.databases.retrieve, database_id)
    sources = database.get("data_sources") if isinstance(database, dict) else None
    if not sources or not isinstance(sources[0], dict) or not sources[0].get("id"):
        raise NotionError(f"{spec.label} has no data source; check {spec.env} names a database, not a page")
    return sources[0]["id"]  # a database Spendboard made has exactly one; a multi-source one: the first


def prepare(api: NotionApi, database_id: str, spec: DatabaseSpec) -> str:
    """Return the database's data source id after adding any missing column (renaming its title column to
    ``Month`` if it has another name). A column of the wrong type is an error naming it."""
    source_id = data_source_id(api, database_id, spec)
    source = api.call(spec.label, api.client.data_sources.retrieve, source_id)
    existing = {name: prop.get("type") for name, prop in (source.get("properties") or {}).items()}
    changes: dict[str, dict] = {}
    title = next((name for name, kind in existing.items() if kind == "title"), None)
    if TITLE_COLUMN not in existing and title is not None:
        changes[title] = {"name": TITLE_COLUMN}
    for name, column in spec.columns.items():
        kind = _kind(column)
        if name not in existing:
            if kind != "title":  # a data source always has exactly one title column: renamed above
                changes[name] = column
        elif existing[name] != kind:
            raise NotionError(
                f"column {name!r} of {spec.label} is a {existing[name]} column, Spendboard needs {kind}: "
                "change its type in Notion (or rename it), then run `notion setup` again"
            )
    if changes:
        api.call(spec.label, api.client.data_sources.update, source_id, properties=changes)
    return source_id
