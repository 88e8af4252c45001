"""Two app instances on one PostgreSQL database, as behind a load balancer: a collection started through one shows
on the other at its next rerun (its cached figures are keyed by the database's data version)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from core.cli import main as cli
from core.periods import previous_month
from core.store.db import Store
from tests.browser.conftest import ROOT, _free_port, settle
from tests.imitation import Imitation, Ledger, populate

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def start(tmp_path, env: dict[str, str], procs: list) -> str:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
            "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
        ],
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    procs.append(proc)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return url
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("streamlit did not start")


def total(page) -> str:
    value = page.locator('[data-testid="stMetricValue"]').first
    expect(value).to_be_visible(timeout=30_000)
    return value.inner_text().strip()


def test_a_collection_through_one_instance_shows_on_the_other(browser, pg_url, tmp_path, today):
    if not hasattr(Store, "cache_key"):
        pytest.skip("needs the data version the Overview's caches are keyed by (issue 11)")
    im = Imitation(today, populate(Ledger(), previous_month(today), today))
    assert cli(["demo"], environ={"DATABASE_URL": pg_url}) == 0
    procs: list[subprocess.Popen] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        with im.serve() as urls:
            a = start(tmp_path, im.environ(pg_url, urls), procs)  # the instance whose button collects
            b = start(tmp_path, {"DATABASE_URL": pg_url}, procs)
            page_a, page_b = context.new_page(), context.new_page()
            page_b.goto(b)
            settle(page_b)
            before = total(page_b)
            page_a.goto(a)
            settle(page_a)
            page_a.get_by_role("button", name="Collect now").click()
            settle(page_a, timeout=120)
            after_a = total(page_a)
            page_b.reload()
            settle(page_b)
            after_b = total(page_b)
        assert after_b == after_a != before
    finally:
        context.close()
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
