"""Helpers shared by the benchmark scripts (not part of the app)."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# The app measured: this checkout, or another one (e.g. a worktree with a proposed change) named by BENCH_APP_ROOT.
ROOT = Path(os.environ.get("BENCH_APP_ROOT") or Path(__file__).resolve().parent.parent).resolve()
if str(ROOT) not in sys.path:  # `python bench/x.py` from anywhere: import core and tests like the app does
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

RESULTS = Path(os.environ.get("BENCH_RESULTS", Path(__file__).resolve().parent / ".data" / "results")).resolve()


def backend(url: str) -> str:
    return "postgres" if url.startswith("postgresql") else "sqlite"


def absolute_url(url: str) -> str:
    """A relative SQLite path made absolute (scripts may change directory)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and ":memory:" not in url:
        return "sqlite:///" + str(Path(url.split("sqlite:///", 1)[1]).resolve())
    return url


def ensure_pg_database(url: str, name: str = "spendboard_bench") -> str:
    """Create database ``name`` on the server of ``url`` when missing; returns the URL pointing at it."""
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


def fresh_database(url: str, pg_name: str) -> str:
    """An empty database for one benchmark: the SQLite file removed, or the PostgreSQL database ``pg_name``
    dropped and created again on the server of ``url``. Returns its URL."""
    url = absolute_url(url)
    if url.startswith("sqlite:///"):
        path = url.split("sqlite:///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return url
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{pg_name}"'))
    finally:
        admin.dispose()
    return sa.make_url(url).set(database=pg_name).render_as_string(hide_password=False)


def clone_database(url: str, target: str) -> str:
    """A copy of a benchmark database (the SQLite file, or ``CREATE DATABASE target TEMPLATE``); returns its URL."""
    url = absolute_url(url)
    if url.startswith("sqlite:///"):
        import shutil

        source = Path(url.split("sqlite:///", 1)[1])
        copy = source.with_name(f"{target}.db")
        for suffix in ("-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, copy)
        return f"sqlite:///{copy}"
    source = sa.make_url(url).database
    # Connected to another database: a template must have no sessions.
    admin = sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    finally:
        admin.dispose()
    return sa.make_url(url).set(database=target).render_as_string(hide_password=False)


def timed(fn: Callable[[], object], repeat: int, warmup: int = 2) -> list[float]:
    """Wall times in seconds of ``repeat`` calls after ``warmup`` discarded ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}" if seconds < 0.1 else f"{seconds * 1000:.0f}"


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A markdown table."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def code_state() -> dict:
    """The commit measured, and which app files differed from it (the tree may be mid-edit)."""
    import subprocess

    def git(*args: str) -> str:
        try:
            out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout
            return out.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    dirty = git("status", "--porcelain", "--", "core", "pages", "streamlit_app.py").splitlines()
    return {
        "app_root": str(ROOT),
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_app_files": [d.split(maxsplit=1)[1] for d in dirty],
    }


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "sqlalchemy": sa.__version__,
        **code_state(),
    }


def save(name: str, data: dict) -> Path:
    """Write a result as JSON under ``bench/.data/results`` (or ``$BENCH_RESULTS``)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path
