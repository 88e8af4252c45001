"""Deepgram: daily USD per line item from the billing breakdown, request counts from the usage breakdown.

Everything is per project; figures of several projects are summed into the same ``(day, line_item)`` line.

    GET /v1/projects -> {"projects": [{"project_id": "3f2a…", "name": "Main"}]}
    GET /v1/projects/{id}/billing/breakdown?start=2025-01-16&end=2025-01-24&grouping=line_item
        -> {"start": "2025-01-16", "end": "2025-01-24", "resolution": {"units": "day", "amount": 1},
            "results": [{"dollars": 0.25, "grouping": {"start": "2025-01-16", "end": "2025-01-16",
                                                       "line_item": "streaming::nova-3", "accessor": null}}]}
    GET /v1/projects/{id}/usage/breakdown?start=2025-01-16&end=2025-01-24&grouping=models
        -> {"resolution": {"units": "day", "amount": 1},
            "results": [{"hours": 1619.72, "requests": 373381,
                         "grouping": {"start": "2025-01-16", "end": "2025-01-16", "models": ["Nova-3"]}}]}
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from core.config import Settings
from core.errors import ProviderResponseError
from core.http import DEFAULT_POLICY, RetryPolicy, request_json
from core.money import parse_usd
from core.providers._checks import probe, yesterday_fetched
from core.providers._keyed import keyed
from core.providers._lines import LineBuilder, parse_count, sum_counts
from core.providers.contract import REQUESTS, Check, Fetched, IndependentTotal

NAME = "deepgram"
LABEL = "Deepgram"
KEY_ENV = "DEEPGRAM_API_KEY"
AUTH_HINT = f"set {KEY_ENV} to an API key of the project from console.deepgram.com (Settings > API Keys)"
# Owner and Admin keys carry billing:read; Member keys can read usage but not billing.
BILLING_HINT = f"{KEY_ENV} needs billing read access (the billing:read scope of an Owner or Admin key)"
UNKNOWN_MODEL = "unknown"
_NOT_WORD = re.compile(r"[\W_]+")


KEYED = keyed(
    NAME,
    LABEL,
    KEY_ENV,
    AUTH_HINT,
    "deepgram_api_key",
    "deepgram_base_url",
    lambda key: {"Authorization": f"Token {key}"},
)
configured, client = KEYED.configured, KEYED.client


def fetch(
    http: httpx.Client, first: date, last: date, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> Fetched:
    """Daily cost lines for the UTC days ``first``..``last`` (inclusive), summed over the key's projects."""
    if first > last:
        return Fetched([])
    projects = _projects(http, settings, policy)
    # Whether `end` is inclusive is undocumented: ask one day more and keep only rows keyed inside the window.
    window = {"start": first.isoformat(), "end": (last + timedelta(days=1)).isoformat()}
    lines = LineBuilder(NAME)
    billed: dict[date, set[str]] = defaultdict(set)
    for project in projects:
        path = f"/v1/projects/{project}/billing/breakdown"
        body = _get(http, path, {**window, "grouping": "line_item"}, policy, BILLING_HINT)
        for day, line_item, cost in _billing_rows(body, path):
            if first <= day <= last:
                key = normalise(line_item.partition("::")[2] or line_item) or UNKNOWN_MODEL
                lines.add(day, line_item, _line_model(line_item), cost, key=key)
                billed[day].add(key)
    counts: list[tuple[tuple[date, str], int]] = []
    for project in projects:
        path = f"/v1/projects/{project}/usage/breakdown"
        body = _get(http, path, {**window, "grouping": "models"}, policy, AUTH_HINT)
        for (day, model), n in _usage_rows(body, path):
            if first <= day <= last:
                counts.append(((day, _billed_as(model, billed[day])), n))
    return Fetched(lines.build(sum_counts(counts)))


def _projects(http: httpx.Client, settings: Settings, policy: RetryPolicy) -> list[str]:
    """The configured project ids, else every project the key can see; quoted for a URL path, each once."""
    listed = settings.deepgram_project_ids or _project_ids(_get(http, "/v1/projects", None, policy, AUTH_HINT))
    return [quote(p, safe="") for p in dict.fromkeys(listed)]


def _get(
    http: httpx.Client, path: str, params: dict[str, str] | None, policy: RetryPolicy, hint: str
) -> dict[str, Any]:
    """One GET through the shared retry policy (error bodies come in three shapes; the message is one clean line)."""
    body = request_json(http, NAME, "GET", path, params=params, policy=policy, auth_hint=hint)
    if not isinstance(body, dict):
        raise ProviderResponseError(NAME, f"GET {path} did not return a JSON object")
    return body


def _project_ids(body: dict[str, Any]) -> list[str]:
    """``{"projects": [{"project_id", "name"}]}`` -> unique ids, in the API's order."""
    projects = body.get("projects")
    if not isinstance(projects, list):
        raise ProviderResponseError(NAME, "GET /v1/projects returned no projects list")
    ids = []
    for project in projects:
        project_id = project.get("project_id") if isinstance(project, dict) else None
        if not isinstance(project_id, str) or not project_id.strip():
            raise ProviderResponseError(NAME, "GET /v1/projects listed a project without a project_id")
        ids.append(project_id.strip())
    return list(dict.fromkeys(ids))


def _results(body: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """The daily ``results`` rows, each with its ``grouping`` object."""
    resolution = body.get("resolution")
    if isinstance(resolution, dict) and (resolution.get("units"), resolution.get("amount")) != ("day", 1):
        raise ProviderResponseError(NAME, f"GET {path} returned resolution {resolution!r}, expected 1 day")
    results = body.get("results")
    if not isinstance(results, list):
        raise ProviderResponseError(NAME, f"GET {path} returned no results list")
    for row in results:
        if not isinstance(row, dict) or not isinstance(row.get("grouping"), dict):
            raise ProviderResponseError(NAME, f"GET {path} returned a result without a grouping object")
    return results


def _billing_rows(body: dict[str, Any], path: str) -> Iterable[tuple[date, str, Decimal]]:
    """``{"dollars": 0.25, "grouping": {"start", "line_item": "streaming::nova-3"}}`` -> (day, line item, USD)."""
    for row in _results(body, path):
        grouping = row["grouping"]
        line_item = grouping.get("line_item")
        if not isinstance(line_item, str) or not line_item:
            raise ProviderResponseError(NAME, f"GET {path} returned a result without a line_item")
        try:
            cost = parse_usd(row.get("dollars"), what=f"dollars of {line_item!r}"[:80])
        except ValueError as exc:
            raise ProviderResponseError(NAME, str(exc)) from None
        yield _day(grouping, path), line_item, cost


def _usage_rows(body: dict[str, Any], path: str) -> Iterable[tuple[tuple[date, str], int]]:
    """``{"requests": 5, "grouping": {"start", "models": ["Nova-3"]}}`` -> ((day, "nova-3"), 5)."""
    for row in _results(body, path):
        grouping = row["grouping"]
        models = grouping.get("models") or []
        if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
            raise ProviderResponseError(NAME, f"GET {path} returned models {models!r:.60}, expected a list of names")
        model = "+".join(normalise(m) for m in models if normalise(m)) or UNKNOWN_MODEL
        yield (_day(grouping, path), model), _count(row.get("requests"), path)


def _line_model(line_item: str) -> str | None:
    """``"streaming::nova-3"`` -> ``"nova-3"``, the model shown (its counts are matched on ``normalise``)."""
    _, sep, name = line_item.partition("::")
    return (name if sep else line_item).strip().lower() or None


def normalise(name: str) -> str:
    """One spelling for a model's names across endpoints: usage groups by display names (``"Nova-2"``,
    ``"Aura -2"``), billing line items by ids (``"streaming::nova-3"``). Lower case, words joined by ``-``."""
    return _NOT_WORD.sub("-", name.lower()).strip("-")


def _billed_as(model: str, billed: set[str]) -> str:
    """The billed model a usage model belongs to: itself, else the longest billed name it extends
    (``"nova-3-general"`` and ``"aura-2-thalia-en"`` are billed as ``"nova-3"`` and ``"aura-2"``)."""
    if model in billed:
        return model
    family = [b for b in billed if model.startswith(f"{b}-")]
    return max(family, key=len) if family else model


def _day(grouping: dict[str, Any], path: str) -> date:
    """The row's day (``grouping.start``); a row spanning several days cannot be dated and is refused."""
    try:
        start = date.fromisoformat(str(grouping.get("start"))[:10])
        end = date.fromisoformat(str(grouping["end"])[:10]) if grouping.get("end") else start
    except ValueError:
        raise ProviderResponseError(NAME, f"GET {path} returned a result without a YYYY-MM-DD start") from None
    if not start <= end <= start + timedelta(days=1):
        raise ProviderResponseError(NAME, f"GET {path} returned a result spanning {start} to {end}, expected a day")
    return start


def _count(value: Any, path: str) -> int:
    count = parse_count(value)
    if count is None:
        raise ProviderResponseError(NAME, f"GET {path} returned requests {value!r:.40}, expected a count")
    return count


def independent_total(
    http: httpx.Client, first: date, last: date, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY
) -> IndependentTotal:
    """Deepgram's billing total per day without grouping, summed over projects."""
    projects = _projects(http, settings, policy)
    window = {"start": first.isoformat(), "end": (last + timedelta(days=1)).isoformat()}
    total = Decimal(0)
    for project in projects:
        path = f"/v1/projects/{project}/billing/breakdown"
        for row in _results(_get(http, path, window, policy, BILLING_HINT), path):
            if first <= _day(row["grouping"], path) <= last:
                try:
                    total += parse_usd(row.get("dollars"), what="dollars")
                except ValueError as exc:
                    raise ProviderResponseError(NAME, str(exc)) from None
    return IndependentTotal(total, "GET /v1/projects/{id}/billing/breakdown without grouping")


def doctor(http: httpx.Client, settings: Settings, policy: RetryPolicy = DEFAULT_POLICY) -> list[Check]:
    """The key lists its projects, may read billing (an Owner or Admin key), and the breakdowns answer in shape."""
    projects = probe(
        "projects",
        lambda: f"{len(_projects(http, settings, policy))} project(s) readable with {KEY_ENV}",
    )
    return [projects, yesterday_fetched(fetch, http, settings, policy)] if projects.ok else [projects]


PROVIDER = KEYED.provider(REQUESTS, True, fetch, independent_total=independent_total, doctor=doctor)
