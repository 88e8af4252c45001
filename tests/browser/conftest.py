"""Real-browser fixtures: ``streamlit run`` on a free port with a seeded SQLite database, driven by Playwright
through Debian's Chromium. Skipped with a reason when Chromium or Playwright is missing, except with
``REQUIRE_BROWSER=1`` (set by ``.ci/run``), where a missing browser fails instead."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from core.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _missing(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        _missing("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    def __init__(self, url: str, env: dict):
        self.url = url
        self.env = env


@pytest.fixture
def start_app(tmp_path):
    """Start ``streamlit run`` with extra environment; the database is seeded with sample data first. ``secrets``:
    the text of ``.streamlit/secrets.toml`` in the app's working directory, where ``{url}`` is the app's address."""
    procs = []

    def start(secrets: str | None = None, **env) -> App:
        db = f"sqlite:///{tmp_path / 'browser.db'}"
        assert cli(["demo"], environ={"DATABASE_URL": db}) == 0
        port = _free_port()
        if secrets is not None:
            (tmp_path / ".streamlit").mkdir(exist_ok=True)
            (tmp_path / ".streamlit" / "secrets.toml").write_text(secrets.replace("{url}", f"http://127.0.0.1:{port}"))
        full_env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DATABASE_URL": db, **env}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "streamlit_app.py"),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=tmp_path,
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    return App(url, full_env)
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("streamlit did not start")

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = context.new_page()
    yield p
    context.close()


def settle(page, timeout: float = 30.0) -> None:
    """Wait until the app has finished running its script (the 'running' indicator is gone)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    time.sleep(0.5)
    while time.monotonic() < deadline:
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            time.sleep(0.3)
            if page.locator('[data-testid="stStatusWidget"]').count() == 0:
                return
        time.sleep(0.2)


def shoot(page, name: str) -> None:
    """A screenshot of the whole page into tests/artifacts. Streamlit scrolls inside its main section, not the
    document, so the window is made as tall as that content for the shot (and given back its size after)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    tall = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight ?? 0")
    grow = size is not None and tall > size["height"]
    if grow:
        page.set_viewport_size({"width": size["width"], "height": tall})
        time.sleep(0.7)  # charts redraw at the new size
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if grow:
        page.set_viewport_size(size)


def collect_now(start_app, page, fake, **settings):
    """An app whose Apify is ``fake``, opened in ``page`` with "Collect now" pressed and its run ended; the app."""
    from tests.fakes import serve

    with serve(fake.handle) as apify_url:
        app = start_app(APIFY_TOKEN="apify_api_test_token_0000", APIFY_BASE_URL=apify_url, **settings)
        page.goto(app.url)
        settle(page)
        page.get_by_role("button", name="Collect now").click()
        settle(page, timeout=60)
    return app
