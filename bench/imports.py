"""What the command line imports for a read command, and how long that takes.

    python bench/imports.py --database-url sqlite:///bench/.data/bench_1m.db [--repeat 10]

Runs ``python -X importtime -m core summary`` (and ``--json``) in a fresh process ``--repeat`` times. Reports the
median wall time of the whole command, the median total import time (the sum of the top-level entries of
``-X importtime``), the number of modules loaded, and every loaded module of a family the command does not need
(HTTP, email, Notion, templates, Streamlit, plotly, pandas, the provider adapters; the registry's names and contract,
``core.providers`` and ``core.providers.contract``, are needed for the ``--provider`` choices): there should be
none.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from _common import ROOT, absolute_url, machine, median, save, table

UNNEEDED = (
    "httpx",
    "httpcore",
    "resend",
    "notion_client",
    "jinja2",
    "core.email",
    "core.notion",
    "streamlit",
    "plotly",
    "pandas",
)


def _unneeded(module: str) -> bool:
    if module.startswith("core.providers.") and module != "core.providers.contract":
        return True  # an adapter or its HTTP helpers
    return any(module == u or module.startswith(u + ".") for u in UNNEEDED)


def one(url: str, argv: list[str]) -> tuple[float, float, set[str]]:
    """(wall s, import s, modules loaded) of one command."""
    env = {**os.environ, "DATABASE_URL": url}
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "core", *argv], capture_output=True, text=True, env=env, cwd=ROOT
    )
    wall = time.perf_counter() - t0
    assert done.returncode == 0, done.stderr[-500:]
    loaded, top_us = set(), 0
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line.split("|")
            loaded.add(name.strip())
            if not name.startswith("  "):  # a top-level import: its cumulative time includes its children
                top_us += int(cumulative)
    return wall, top_us / 1e6, loaded


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    url = absolute_url(args.database_url)
    rows, out = [], {"machine": machine(), "commands": []}
    for argv in (["summary"], ["summary", "--json"]):
        runs = [one(url, argv) for _ in range(args.repeat)]
        loaded = runs[-1][2]
        unneeded = sorted(m for m in loaded if _unneeded(m))
        res = {
            "command": "python -m core " + " ".join(argv),
            "wall_ms": median([r[0] for r in runs]) * 1000,
            "import_ms": median([r[1] for r in runs]) * 1000,
            "modules": len(loaded),
            "unneeded": unneeded,
        }
        out["commands"].append(res)
        rows.append(
            [
                f"`{res['command']}`",
                f"{res['wall_ms']:.0f}",
                f"{res['import_ms']:.0f}",
                res["modules"],
                ", ".join(unneeded) or "none",
            ]
        )
    print(f"median of {args.repeat} fresh processes")
    print(table(["command", "wall ms", "imports ms", "modules", "HTTP / email / Notion / UI modules"], rows))
    save("imports", out)


if __name__ == "__main__":
    main()
