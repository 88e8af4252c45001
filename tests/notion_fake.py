"""An imitation of the Notion API (version 2025-09-03) behind ``httpx.MockTransport``.

Faithful where Spendboard depends on it:

* A database is a container of data sources; the schema lives on the data source. ``POST /v1/databases`` takes
  ``initial_data_source.properties`` (exactly one title column) under a page shared with the integration;
  ``GET /v1/databases/{id}`` lists ``data_sources``; ``PATCH /v1/data_sources/{id}`` adds, renames
  (``{"name": ...}``) and removes (``null``) columns, never a second title.
* Pages live under ``{"type": "data_source_id", ...}``; their property values are checked against the schema:
  unknown column, wrong type, rich text over 2000 characters (UTF-16 units) in one item or over 100 items,
  a non-finite or non-numeric number, a select name with a comma, a malformed date, a URL over 2000 characters:
  all ``400 validation_error``. Unknown select options are created, as Notion does. Whole body over 500 KB: 400.
* ``POST /v1/data_sources/{id}/query`` filters on title/rich_text/select ``equals`` with ``and``/``or``, sorts on
  ``created_time``, pages with ``page_size`` (at most 100) and ``start_cursor``, and leaves trashed pages out.
* Editing a trashed page is refused (400 validation_error), an unknown id is 404 ``object_not_found``.
* A wrong token is 401 ``unauthorized``; a missing/other ``Notion-Version`` header is 400.
* Faults: ``fail(status, times=n)`` for the next requests, ``down`` for every request (500, 529 or 429 with
  ``Retry-After``), ``hook`` to run code (another sync) in the middle of a request.

Every request is recorded (method, path, body text, headers) so tests can count pages and look for secrets.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx

TOKEN = "ntn_fake_integration_secret_0123456789"
VERSION = "2025-09-03"
TYPES = {"title", "rich_text", "number", "select", "multi_select", "date", "url", "checkbox", "email"}
NUMBER_FORMATS = {"number", "number_with_commas", "percent", "dollar", "euro", "pound", "yen"}
_CODES = {400: "validation_error", 401: "unauthorized", 404: "object_not_found", 429: "rate_limited"}
_CODES |= {409: "conflict_error", 500: "internal_server_error", 502: "bad_gateway", 503: "service_unavailable"}
_CODES |= {529: "service_overload"}


class Refused(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code or _CODES[status], message, headers or {}


def _units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


@dataclass
class Request:
    method: str
    path: str
    query: str
    body: str
    headers: dict[str, str]

    @property
    def json(self):
        return json.loads(self.body) if self.body else None


class FakeClock:
    """``sleep`` advances ``now``; tests pass both to sync so nothing really waits."""

    def __init__(self):
        self.t = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += max(seconds, 0.0)


class FakeNotion:
    def __init__(self, *, token: str = TOKEN, shared_pages: tuple[str, ...] = ()):
        self.token = token
        self.parent_page = str(uuid.uuid4())
        self.shared = {self.parent_page, *shared_pages}
        self.databases: dict[str, dict] = {}
        self.sources: dict[str, dict] = {}
        self.pages: dict[str, dict] = {}
        self.requests: list[Request] = []
        self.faults: list[tuple[int, dict]] = []  # served, one per request, before anything else
        self.down: tuple[int, dict] | None = None
        self.hook: Callable[[Request], None] | None = None
        self.latency = 0.0  # real seconds per request, outside the lock, so that threads interleave
        self._lock = threading.RLock()
        self._clock = itertools.count()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # ---- faults --------------------------------------------------------------------------------------------
    def fail(self, status: int, *, times: int = 1, retry_after: int | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.faults.extend([(status, headers)] * times)

    def go_down(self, status: int, *, retry_after: int | None = None) -> None:
        self.down = (status, {"Retry-After": str(retry_after)} if retry_after is not None else {})

    def recover(self) -> None:
        self.down = None
        self.faults.clear()

    # ---- what tests read -----------------------------------------------------------------------------------
    def add_database(self, title: str, properties: dict, *, parent: str | None = None) -> str:
        """A database made by hand in the Notion app; returns its id."""
        return self._create_database({"page_id": parent or self.parent_page}, title, properties)["id"]

    def source_of(self, database_id: str) -> dict:
        return self.sources[self.databases[database_id]["data_sources"][0]]

    def columns(self, database_id: str) -> dict[str, dict]:
        """``{name: schema}`` with the type key and its configuration, as a data source stores them."""
        return {name: {p["type"]: p[p["type"]]} for name, p in self.source_of(database_id)["properties"].items()}

    def live_pages(self, database_id: str) -> list[dict]:
        source = self.databases[database_id]["data_sources"][0]
        return [p for p in self.pages.values() if p["source"] == source and not p["in_trash"]]

    def values(self, page: dict) -> dict:
        """A page's properties as plain values: text joined, select name, date start."""
        out = {}
        for name, value in page["properties"].items():
            kind = next(k for k in value if k in TYPES)
            v = value[kind]
            if kind in ("title", "rich_text"):
                v = "".join(item["text"]["content"] for item in v)
            elif kind == "select":
                v = v["name"] if v else None
            elif kind == "date":
                v = v["start"] if v else None
            out[name] = v
        return out

    def sent(self) -> str:
        """Everything that went over the wire except the Authorization header."""
        parts = []
        for r in self.requests:
            headers = {k: v for k, v in r.headers.items() if k.lower() != "authorization"}
            parts.append(f"{r.method} {r.path}?{r.query} {headers} {r.body}")
        return "\n".join(parts)

    def count(self, method: str, path_prefix: str) -> int:
        return sum(1 for r in self.requests if r.method == method and r.path.startswith(path_prefix))

    # ---- the wire ------------------------------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        body = request.content.decode("utf-8")
        rec = Request(request.method, request.url.path, request.url.query.decode(), body, dict(request.headers))
        if self.latency:
            time.sleep(self.latency)
        with self._lock:
            self.requests.append(rec)
            if self.hook:
                self.hook(rec)
            try:
                return httpx.Response(200, json=self._answer(rec, request))
            except Refused as exc:
                error = {"object": "error", "status": exc.status, "code": exc.code, "message": exc.message}
                error["request_id"] = str(uuid.uuid4())
                return httpx.Response(exc.status, json=error, headers=exc.headers)

    def _answer(self, rec: Request, request: httpx.Request):
        if self.faults or self.down:
            status, headers = self.faults.pop(0) if self.faults else self.down
            raise Refused(status, f"fault {status}", headers=headers)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            raise Refused(401, "API token is invalid.")
        if request.headers.get("Notion-Version") != VERSION:
            raise Refused(400, f"Notion-Version must be {VERSION}.")
        if len(request.content) > 500_000:
            raise Refused(400, "Request body too large (500 KB at most).")
        try:
            data = json.loads(rec.body, parse_constant=_reject_constant) if rec.body else {}
        except ValueError as exc:
            raise Refused(400, f"Error parsing JSON body: {exc}", "invalid_json") from None
        parts = rec.path.removeprefix("/v1/").split("/")
        match rec.method, parts:
            case "POST", ["databases"]:
                return self._post_database(data)
            case "GET", ["databases", db_id]:
                return self._database(self._get(self.databases, db_id, "database"))
            case "GET", ["data_sources", ds_id]:
                return self._source(self._get(self.sources, ds_id, "data source"))
            case "PATCH", ["data_sources", ds_id]:
                return self._patch_source(self._get(self.sources, ds_id, "data source"), data)
            case "POST", ["data_sources", ds_id, "query"]:
                return self._query(self._get(self.sources, ds_id, "data source"), data)
            case "POST", ["pages"]:
                return self._post_page(data)
            case "GET", ["pages", page_id]:
                return self._page(self._get(self.pages, page_id, "page"))
            case "PATCH", ["pages", page_id]:
                return self._patch_page(self._get(self.pages, page_id, "page"), data)
        raise Refused(400, f"Invalid request URL: {rec.method} {rec.path}", "invalid_request_url")

    @staticmethod
    def _get(table: dict, object_id: str, what: str) -> dict:
        key = str(uuid.UUID(object_id)) if _is_uuid(object_id) else object_id
        if key not in table:
            raise Refused(
                404,
                f"Could not find {what} with ID: {object_id}. Make sure the relevant pages and databases are "
                "shared with your integration.",
            )
        return table[key]

    def _now(self) -> str:
        t = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=next(self._clock))
        return t.isoformat().replace("+00:00", ".000Z")

    # ---- databases and data sources ------------------------------------------------------------------------
    def _post_database(self, data: dict) -> dict:
        parent = data.get("parent") or {}
        if parent.get("type") != "page_id" or not parent.get("page_id"):
            raise Refused(400, "body.parent.page_id should be defined.")
        if str(parent["page_id"]) not in self.shared:
            self._get({}, parent["page_id"], "page")
        initial = data.get("initial_data_source")
        if not isinstance(initial, dict) or not isinstance(initial.get("properties"), dict):
            raise Refused(400, "body.initial_data_source.properties should be defined.")
        title = "".join(t["text"]["content"] for t in data.get("title") or [])
        return self._database(self._create_database(parent, title, initial["properties"]))

    def _create_database(self, parent: dict, title: str, properties: dict) -> dict:
        columns = {}
        for name, config in properties.items():
            columns[name] = self._column(name, config, pid="title" if "title" in config else None)
        if sum(1 for c in columns.values() if c["type"] == "title") != 1:
            raise Refused(400, "A data source must have exactly one title property.")
        db_id, ds_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.sources[ds_id] = {"id": ds_id, "database_id": db_id, "title": title, "properties": columns}
        self.databases[db_id] = {"id": db_id, "title": title, "parent": parent, "data_sources": [ds_id]}
        return self.databases[db_id]

    @staticmethod
    def _column(name: str, config: dict, pid: str | None = None) -> dict:
        if not isinstance(config, dict):
            raise Refused(400, f"body.properties.{name} should be an object.")
        kinds = [k for k in config if k in TYPES]
        extra = [k for k in config if k not in TYPES and k not in ("name", "description")]
        if len(kinds) != 1 or extra:
            raise Refused(400, f"body.properties.{name} should have exactly one property type.")
        kind = kinds[0]
        spec = config[kind] or {}
        if kind == "number" and spec.get("format", "number") not in NUMBER_FORMATS:
            raise Refused(400, f"body.properties.{name}.number.format is not a valid format.")
        if kind in ("select", "multi_select"):
            for option in spec.get("options", []):
                if "," in option["name"] or len(option["name"]) > 100:
                    raise Refused(400, f"Invalid select option name {option['name']!r}.")
        pid = pid or uuid.uuid4().hex[:4]
        return {"id": pid, "name": config.get("name", name), "type": kind, kind: json.loads(json.dumps(spec))}

    def _database(self, db: dict) -> dict:
        sources = [{"id": ds, "name": self.sources[ds]["title"]} for ds in db["data_sources"]]
        title = [{"type": "text", "text": {"content": db["title"]}, "plain_text": db["title"]}]
        parent = {"type": "page_id", **db["parent"]}
        return {"object": "database", "id": db["id"], "title": title, "parent": parent, "data_sources": sources}

    def _source(self, ds: dict) -> dict:
        parent = {"type": "database_id", "database_id": ds["database_id"]}
        return {"object": "data_source", "id": ds["id"], "parent": parent, "properties": ds["properties"]}

    def _patch_source(self, ds: dict, data: dict) -> dict:
        columns = dict(ds["properties"])
        for name, config in (data.get("properties") or {}).items():
            current = columns.get(name) or next((c for c in columns.values() if c["id"] == name), None)
            if config is None:
                if current is None or current["type"] == "title":
                    raise Refused(400, f"Cannot delete property {name}.")
                del columns[current["name"]]
            elif current is not None and set(config) == {"name"}:
                del columns[current["name"]]
                columns[config["name"]] = {**current, "name": config["name"]}
            elif current is None and set(config) == {"name"}:
                raise Refused(400, f"Could not find property with name or id: {name}")
            else:
                column = self._column(name, config, pid=current["id"] if current else None)
                titles = [c for c in columns.values() if c["type"] == "title" and c is not current]
                if column["type"] == "title" and titles:
                    raise Refused(400, "Cannot create new title property.")
                if current is not None and current["type"] == "title" and column["type"] != "title":
                    raise Refused(400, "Cannot change the type of the title property.")
                if current is not None:
                    del columns[current["name"]]
                columns[column["name"]] = column
        ds["properties"] = columns
        return self._source(ds)

    # ---- pages ---------------------------------------------------------------------------------------------
    def _post_page(self, data: dict) -> dict:
        parent = data.get("parent") or {}
        if parent.get("type") == "data_source_id":
            ds = self._get(self.sources, str(parent.get("data_source_id")), "data source")
        elif parent.get("type") == "database_id":
            db = self._get(self.databases, str(parent.get("database_id")), "database")
            ds = self.sources[db["data_sources"][0]]
        else:
            raise Refused(400, "body.parent.data_source_id should be defined.")
        properties = self._check_values(ds, data.get("properties") or {})
        page_id = str(uuid.uuid4())
        now = self._now()
        self.pages[page_id] = {
            "id": page_id,
            "source": ds["id"],
            "created_time": now,
            "last_edited_time": now,
            "in_trash": False,
            "properties": properties,
        }
        return self._page(self.pages[page_id])

    def _patch_page(self, page: dict, data: dict) -> dict:
        if page["in_trash"] and data.get("in_trash") is not False and data.get("properties"):
            raise Refused(400, "Can't edit block that is archived. You must unarchive the block before editing.")
        if "in_trash" in data:
            page["in_trash"] = bool(data["in_trash"])
        if data.get("properties"):
            page["properties"].update(self._check_values(self.sources[page["source"]], data["properties"]))
        page["last_edited_time"] = self._now()
        return self._page(page)

    def _check_values(self, ds: dict, values: dict) -> dict:
        out = {}
        for name, value in values.items():
            column = ds["properties"].get(name) or next((c for c in ds["properties"].values() if c["id"] == name), None)
            if column is None:
                raise Refused(400, f"{name} is not a property that exists.")
            kind = column["type"]
            if not isinstance(value, dict) or kind not in value:
                raise Refused(400, f"{name} is expected to be {kind}.")
            v = value[kind]
            where = f"body.properties.{name}.{kind}"
            if kind in ("title", "rich_text"):
                if not isinstance(v, list) or len(v) > 100:
                    raise Refused(400, f"{where}.length should be ≤ `100`, instead was `{len(v)}`.")
                for i, item in enumerate(v):
                    content = (item.get("text") or {}).get("content")
                    if not isinstance(content, str):
                        raise Refused(400, f"{where}[{i}].text.content should be a string.")
                    if _units(content) > 2000:
                        raise Refused(
                            400,
                            f"{where}[{i}].text.content.length should be ≤ `2000`, instead was `{_units(content)}`.",
                        )
            elif kind == "number":
                if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v)):
                    raise Refused(400, f"{where} should be a number or `null`, instead was `{v!r}`.")
            elif kind == "select" and v is not None:
                name_ = v.get("name") if isinstance(v, dict) else None
                if not isinstance(name_, str) or "," in name_ or len(name_) > 100:
                    raise Refused(400, f"{where}.name should be a string without commas.")
                options = column["select"].setdefault("options", [])
                if name_ not in [o["name"] for o in options]:
                    options.append({"name": name_, "id": uuid.uuid4().hex[:4], "color": "default"})
            elif kind == "date" and v is not None:
                try:
                    start = v["start"]
                    (datetime if "T" in start else date).fromisoformat(start.replace("Z", "+00:00"))
                except (KeyError, TypeError, ValueError, AttributeError):
                    raise Refused(400, f"{where}.start should be an ISO 8601 date.") from None
            elif kind == "url" and v is not None and (not isinstance(v, str) or len(v) > 2000):
                raise Refused(400, f"{where} should be a string of at most 2000 characters.")
            out[column["name"]] = {kind: json.loads(json.dumps(v))}
        return out

    def _page(self, page: dict) -> dict:
        ds = self.sources[page["source"]]
        properties = {}
        for name, column in ds["properties"].items():
            kind = column["type"]
            value = page["properties"].get(name, {}).get(kind)
            if kind in ("title", "rich_text"):
                value = [
                    {**item, "plain_text": item["text"]["content"], "annotations": {"bold": False}, "href": None}
                    for item in value or []
                ]
            properties[name] = {"id": column["id"], "type": kind, kind: value}
        return {
            "object": "page",
            "id": page["id"],
            "created_time": page["created_time"],
            "last_edited_time": page["last_edited_time"],
            "in_trash": page["in_trash"],
            "archived": page["in_trash"],
            "parent": {"type": "data_source_id", "data_source_id": ds["id"], "database_id": ds["database_id"]},
            "properties": properties,
            "url": f"https://www.notion.so/{page['id'].replace('-', '')}",
        }

    # ---- query ---------------------------------------------------------------------------------------------
    def _query(self, ds: dict, data: dict) -> dict:
        size = data.get("page_size", 100)
        if not isinstance(size, int) or not 1 <= size <= 100:
            raise Refused(400, "body.page_size should be ≤ `100`.")
        hits = [p for p in self.pages.values() if p["source"] == ds["id"] and not p["in_trash"]]
        if data.get("filter"):
            hits = [p for p in hits if self._matches(ds, p, data["filter"])]
        for sort in reversed(data.get("sorts") or []):
            if sort.get("timestamp") not in ("created_time", "last_edited_time"):
                raise Refused(400, "Only timestamp sorts are imitated.")
            hits.sort(key=lambda p, s=sort: p[s["timestamp"]], reverse=sort.get("direction") == "descending")
        start = 0
        if data.get("start_cursor"):
            ids = [p["id"] for p in hits]
            if data["start_cursor"] not in ids:
                raise Refused(400, "body.start_cursor is not valid.")
            start = ids.index(data["start_cursor"])
        chunk = hits[start : start + size]
        more = start + size < len(hits)
        return {
            "object": "list",
            "results": [self._page(p) for p in chunk],
            "next_cursor": hits[start + size]["id"] if more else None,
            "has_more": more,
            "type": "page_or_data_source",
            "page_or_data_source": {},
        }

    def _matches(self, ds: dict, page: dict, condition: dict) -> bool:
        if "and" in condition:
            return all(self._matches(ds, page, c) for c in condition["and"])
        if "or" in condition:
            return any(self._matches(ds, page, c) for c in condition["or"])
        name = condition.get("property")
        column = ds["properties"].get(name)
        if column is None:
            raise Refused(400, f"Could not find property with name or id: {name}")
        kind = column["type"]
        if kind not in condition:
            raise Refused(400, f"body.filter.{kind} should be defined, instead was `undefined`.")
        wanted = condition[kind].get("equals")
        value = page["properties"].get(name, {}).get(kind)
        if kind in ("title", "rich_text"):
            return "".join(i["text"]["content"] for i in value or []) == wanted
        if kind == "select":
            return (value or {}).get("name") == wanted
        raise Refused(400, f"Filters on {kind} are not imitated.")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
