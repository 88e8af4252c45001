"""The command line loads only what a command uses: a read command imports no HTTP, email or Notion module."""

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("httpx", "resend", "notion_client", "jinja2", "core.email", "core.notion", "core.providers.openai")


READS = (["summary", "--json"], ["chart", "--json"], ["runs", "--json"])
GUARDRAIL_READS = (["forecast", "--json"], ["anomalies", "--json"], ["budget", "list", "--json"])


@pytest.mark.parametrize("argv", [*READS, *GUARDRAIL_READS], ids=lambda a: a[0])
def test_read_commands_load_no_http_email_or_notion_module(argv, tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "core", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parents[1],
    )
    assert done.returncode == 0, done.stderr[-500:]
    loaded = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert {"core.store.spend", "core.store.runs", "core.store.guardrails"} & loaded  # the measurement itself works
    assert not [m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY]
