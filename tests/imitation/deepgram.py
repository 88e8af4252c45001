"""Deepgram: ``/v1/projects`` and each project's billing and usage breakdowns, rows keyed by ``grouping.start``,
``end`` taken as inclusive (so one day more than the adapter keeps comes back). Usage groups by the models' display
names (``"Nova-3"``, ``"aura-2-thalia-en"``) while billing names line items ``"streaming::nova-3"``."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import httpx

from tests.imitation.wire import ZERO, BadRequest, exact_number


def handle(im, request: httpx.Request) -> httpx.Response:
    parts = request.url.path.strip("/").split("/")
    if request.method != "GET" or parts[:2] != ["v1", "projects"]:
        raise BadRequest(f"Not found: {request.url.path}", 404)
    if len(parts) == 2:
        return httpx.Response(200, json={"projects": [{"project_id": p, "name": f"Project {p}"} for p in im.projects]})
    if len(parts) != 5 or parts[3:] not in (["billing", "breakdown"], ["usage", "breakdown"]):
        raise BadRequest(f"Not found: {request.url.path}", 404)
    project = parts[2]
    if project not in im.projects:
        raise BadRequest(f"Project {project} not found or not accessible", 404)
    q = request.url.params
    try:
        first = date.fromisoformat(q["start"])
        last = date.fromisoformat(q["end"])  # inclusive
    except (KeyError, ValueError):
        raise BadRequest("start and end must be YYYY-MM-DD") from None
    entries = [e for e in im.ledger.of("deepgram", first, last) if e.project == project]
    window = {"start": str(first), "end": str(last), "resolution": {"units": "day", "amount": 1}}
    if parts[3] == "billing":
        grouping = q.get_list("grouping")
        if set(grouping) - {"accessor", "deployment", "line_item", "tags"}:
            raise BadRequest(f"Invalid value for 'grouping': {grouping}")
        sums: dict[tuple[date, str | None], Decimal] = defaultdict(lambda: ZERO)
        for e in entries:
            sums[(e.day, e.name if "line_item" in grouping else None)] += e.cost
        if "line_item" not in grouping and project == im.projects[0]:  # billed to the first project
            for day, usd in im.ledger.billing_extra.get("deepgram", {}).items():
                if first <= day <= last:
                    sums[(day, None)] += usd
        results = [
            {
                "dollars": exact_number(cost),
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
        raise BadRequest(f"Invalid value for 'grouping': {grouping}")
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
