"""Make the spec excerpts in this folder (run by hand, not by the tests; needs PyYAML and the spec repositories).

    python tests/contracts/extract.py MIRROR_DIR

Each excerpt keeps, from a provider's own OpenAPI document at a fixed commit, the operations the adapters call and
every schema, parameter and response they reference (external ``$ref`` files inlined), plus an ``x-source`` header
naming the repository, path and commit. Nothing else of the repositories is kept.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).parent
SPECS = {
    "openai": (
        "openai/openai-openapi",
        "openapi.json",
        {
            "/organization/costs": ["get"],
            **{
                f"/organization/usage/{kind}": ["get"]
                for kind in (
                    "completions",
                    "embeddings",
                    "moderations",
                    "images",
                    "audio_speeches",
                    "audio_transcriptions",
                    "code_interpreter_sessions",
                    "file_search_calls",
                )
            },
        },
    ),
    "deepgram": (
        "deepgram/deepgram-api-specs",
        "openapi.yml",
        {
            "/v1/projects": ["get"],
            "/v1/projects/{project_id}/billing/breakdown": ["get"],
            "/v1/projects/{project_id}/usage/breakdown": ["get"],
        },
    ),
    "openrouter": (
        "OpenRouterTeam/typescript-sdk",
        ".speakeasy/in.openapi.yaml",
        {"/activity": ["get"], "/keys": ["get"], "/key": ["get"], "/workspaces": ["get"]},
    ),
    "apify": (
        "apify/apify-docs",
        "apify-api/openapi/openapi.yaml",
        {
            "/v2/actor-runs": ["get"],
            "/v2/actor-runs/{runId}": ["get"],
            "/v2/actors/{actorId}": ["get"],
            "/v2/actor-tasks/{actorTaskId}": ["get"],
            "/v2/datasets": ["get"],
            "/v2/datasets/{datasetId}": ["get"],
            "/v2/users/me/usage/monthly": ["get"],
        },
    ),
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def load(repo: Path, path: str):
    """A spec file (YAML dates stay text: ``default=str`` when written)."""
    text = git(repo, "show", f"HEAD:{path}")
    return json.loads(text) if path.endswith(".json") else yaml.safe_load(text)


def pointer(doc, fragment: str):
    for part in [p for p in fragment.lstrip("/").split("/") if p]:
        doc = doc[part.replace("~1", "/").replace("~0", "~")]
    return doc


def inline(node, repo: Path, path: str, seen: tuple = ()):
    """Inline every external ``$ref`` (relative files) so the excerpt stands alone; internal refs stay."""
    if isinstance(node, list):
        return [inline(item, repo, path, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        file, _, fragment = ref.partition("#")
        target = _norm(f"{Path(path).parent}/{file}") if file else path
        key = (target, fragment)
        if key in seen:
            return {}
        doc = pointer(load(repo, target), fragment) if fragment else load(repo, target)
        return inline(doc, repo, target, (*seen, key))
    return {k: inline(v, repo, path, seen) for k, v in node.items()}


def _norm(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


DROPPED = ("example", "examples", "description", "summary")  # prose and samples: not part of the contract


def slim(node, names: bool = False):
    """The excerpt without examples, prose or vendor extensions (``x-...``), which the checks never read.
    ``names``: ``node`` maps names to schemas (``properties``), whose keys are kept whatever they are."""
    if isinstance(node, list):
        return [slim(item) for item in node]
    if not isinstance(node, dict):
        return node
    if names:
        return {k: slim(v) for k, v in node.items()}
    return {
        k: slim(v, names=k in ("properties", "patternProperties", "schemas", "paths"))
        for k, v in node.items()
        if k not in DROPPED and not k.startswith("x-")
    }


def internal_refs(node, found: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            internal_refs(item, found)
    elif isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            found.add(ref)
        for value in node.values():
            internal_refs(value, found)


def excerpt(name: str, mirror: Path) -> dict:
    slug, path, operations = SPECS[name]
    repo = mirror / f"{slug.replace('/', '+')}" / "repo"
    commit = git(repo, "rev-parse", "HEAD").strip()
    spec = load(repo, path)
    paths = {}
    for route, methods in operations.items():
        item = inline(spec["paths"][route], repo, path)
        ops = {m: dict(item[m]) for m in methods}
        for op in ops.values():  # the success answers only: error bodies are checked by the adapters' own tests
            op["responses"] = {code: r for code, r in op["responses"].items() if str(code).startswith("2")}
        paths[route] = ops | ({"parameters": item["parameters"]} if "parameters" in item else {})
    components: dict = {}
    pending: set[str] = set()
    internal_refs(paths, pending)
    done: set[str] = set()
    while pending - done:
        ref = sorted(pending - done)[0]
        done.add(ref)
        _, _, kind, key = ref.split("/", 3)
        value = inline(spec["components"][kind][key], repo, path)
        components.setdefault(kind, {})[key] = value
        internal_refs(value, pending)
    return {
        "x-source": {"repository": slug, "path": path, "commit": commit},
        "openapi": spec.get("openapi"),
        "paths": slim(paths),
        "components": slim(components),
    }


if __name__ == "__main__":
    mirror = Path(sys.argv[1])
    for name in SPECS:
        (HERE / f"{name}.json").write_text(
            json.dumps(excerpt(name, mirror), indent=1, sort_keys=True, default=str) + "\n"
        )
