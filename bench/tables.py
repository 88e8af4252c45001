"""The README's tables, from the JSON results of ``queries.py``, ``overview.py``, ``backfill.py``, ``imports.py`` and
``collect.py``.

    python bench/tables.py [--results bench/.data/results]

Puts each figure at 10M runs next to its figure at 1M (the target is within 1.2x) and each query next to its floor
(the target is within 1.5x); the uncached Overview's database time at 10M has a target of 25 ms; collection of a
month, within 1.3x of the slowest provider's own page sequence.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from _common import RESULTS, table

SIZES = {1_000_000: "1M", 10_000_000: "10M"}


def _load(folder: Path, name: str) -> dict | None:
    path = folder / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def queries(data: dict) -> str:
    by = {(d["backend"], d["rows"]["scraper_runs"]): {r["query"]: r for r in d["results"]} for d in data["databases"]}
    out = []
    for kind in ("sqlite", "postgres"):
        small, large = by.get((kind, 1_000_000)), by.get((kind, 10_000_000))
        if not small or not large:
            continue
        rows = []
        for name, a in small.items():
            b = large[name]
            rows.append(
                [
                    name,
                    f"{a['app_ms']:.3f}",
                    f"{a['floor_ms']:.3f}",
                    f"{a['ratio']:.2f}×",
                    f"{b['app_ms']:.3f}",
                    f"{b['floor_ms']:.3f}",
                    f"{b['ratio']:.2f}×",
                    f"{b['app_ms'] / a['app_ms']:.2f}×",
                ]
            )
        headers = ["query", "1M ms", "floor", "/ floor", "10M ms", "floor", "/ floor", "10M / 1M"]
        out.append(f"{kind} (median of {data['repeat']})\n\n" + table(headers, rows))
    return "\n\n".join(out)


def overview(folder: Path) -> str:
    rows = []
    for kind in ("sqlite", "postgres"):
        small, large = _load(folder, f"overview_{kind}_1m"), _load(folder, f"overview_{kind}_10m")
        if not small or not large:
            continue
        for a, b in zip(small["selections"], large["selections"], strict=True):
            rows.append(
                [
                    kind,
                    f"{a['period']} / {a['range']}",
                    f"{a['wall_ms']:.1f}",
                    f"{a['db_ms']:.2f}",
                    f"{b['wall_ms']:.1f}",
                    f"{b['db_ms']:.2f}",
                    f"{b['wall_ms'] / a['wall_ms']:.2f}× / {b['db_ms'] / a['db_ms']:.2f}×",
                    int(b["statements"]),
                ]
            )
    headers = ["backend", "period / range", "1M script ms", "1M db ms", "10M script ms", "10M db ms"]
    return table([*headers, "10M / 1M (script / db)", "statements"], rows)


def backfill(folder: Path) -> str:
    rows = []
    for kind in ("sqlite", "postgres"):
        data = _load(folder, f"backfill_{kind}")
        for r in data["backends"][0]["results"] if data else ():
            rows.append(
                [
                    kind,
                    f"{r['runs']:,}",
                    f"{r['ledger_lines']:,}",
                    f"{r['seconds']:.1f}",
                    f"{r['rows_per_s']:,.0f}",
                    f"{r['peak_rss_mib']:.0f}",
                    f"{r['traced_peak_mib']:.1f}",
                ]
            )
    headers = ["backend", "runs", "ledger lines", "time s", "rows/s", "peak RSS MiB", "traced peak MiB"]
    return table(headers, rows)


def imports(data: dict) -> str:
    for c in data["commands"]:
        c["unneeded"] = c["unneeded"] or ["none"]
    rows = [
        [f"`{c['command']}`", f"{c['wall_ms']:.0f}", f"{c['import_ms']:.0f}", c["modules"], ", ".join(c["unneeded"])]
        for c in data["commands"]
    ]
    return table(["command", "wall ms", "imports ms", "modules", "HTTP / email / Notion / UI modules"], rows)


def collection(folder: Path) -> str:
    rows = []
    for path in sorted(folder.glob("collect_*pd.json"), key=lambda p: int(p.stem.split("_")[1][:-2])):
        data = json.loads(path.read_text(encoding="utf-8"))
        slowest = data["providers"][data["slowest"]]
        by = {b["backend"]: b for b in data["backends"]}
        made = sum(sum(b["requests"].values()) for b in data["backends"][:1])
        least = sum(p["minimum"] for p in data["providers"].values())
        rows.append(
            [
                f"{data['month']}, {data['runs_per_day']:,} runs/day",
                f"{data['apify_runs_in_month']:,}",
                f"{data['slowest']} {slowest['alone_median_s']:.2f} s ({slowest['requests']} requests)",
                *(
                    f"{by[k]['all_median_s']:.2f} s = **{by[k]['ratio']:.2f}×**" if k in by else "–"
                    for k in ("sqlite", "postgres")
                ),
                f"{made} / {least}",
            ]
        )
    headers = ["month, Apify runs a day", "Apify runs in it", "slowest: own page sequence"]
    headers += ["`collect()` all six, SQLite", "`collect()` all six, PostgreSQL", "requests made / minimum"]
    return table(headers, rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args()
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(args.results.glob("queries*.json"))]
    if runs:  # one file from run_all.sh, or one per backend when they were measured apart
        merged = {"repeat": runs[0]["repeat"], "databases": [d for r in runs for d in r["databases"]]}
        print(queries(merged), end="\n\n")
    print(overview(args.results), end="\n\n")
    print(backfill(args.results), end="\n\n")
    if data := _load(args.results, "imports"):
        print(imports(data), end="\n\n")
    print(collection(args.results))


if __name__ == "__main__":
    main()
