"""Shared fixtures: a store on SQLite and (when reachable) PostgreSQL, settings, fixture loading.

PostgreSQL tests read ``TEST_DATABASE_URL`` and skip with a reason when it is unset or unreachable, unless
``REQUIRE_POSTGRES=1`` (set by ``.ci/run``), where they fail instead. Each test gets a database of its own.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.config import Settings
from core.http import RetryPolicy
from core.periods import utc_now
from core.store.db import open_store

FIXTURES = Path(__file__).parent / "fixtures"
NO_SLEEP = RetryPolicy(sleep=lambda _s: None)


def load_fixture(*parts: str):
    return json.loads((FIXTURES.joinpath(*parts)).read_text(encoding="utf-8"))


def _pg_admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    required = os.environ.get("REQUIRE_POSTGRES") == "1"
    if not url:
        if required:
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except sa.exc.OperationalError as exc:
        if required:
            pytest.fail(f"REQUIRE_POSTGRES=1 but PostgreSQL is unreachable: {str(exc.orig).splitlines()[0]}")
        pytest.skip(f"PostgreSQL unreachable at TEST_DATABASE_URL: {str(exc.orig).splitlines()[0]}")
    return url


@pytest.fixture(scope="session")
def pg_admin_url():
    return _pg_admin_url()


@pytest.fixture
def pg_url(pg_admin_url):
    """A fresh, empty PostgreSQL database for one test."""
    admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    name = "spendboard_t_" + uuid.uuid4().hex[:12]
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'spendboard.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request):
    """Every store test runs on both backends."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def store(database_url):
    s = open_store(database_url)
    yield s
    s.dispose()


@pytest.fixture
def settings(database_url):
    return Settings(database_url=database_url, apify_token="apify_api_test_token_0000")


@pytest.fixture
def today() -> date:
    """Today (UTC) on the real clock, away from midnight, so code that reads the clock agrees with the test."""
    now = utc_now()
    to_midnight = (datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC) - now).total_seconds()
    if to_midnight < 30:
        time.sleep(to_midnight + 1)
    return utc_now().date()


@pytest.fixture
def im(today):
    """The imitation with last month and this month to date in its ledger (a module may define its own ``im``)."""
    from core.periods import previous_month
    from tests.imitation import Imitation, Ledger, populate

    return Imitation(today, populate(Ledger(), previous_month(today), today))


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A SQLite file path, the test running in a directory of its own (no secrets.toml of the checkout leaks in)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path / "spend.db"


def clean_app_env(monkeypatch, tmp_path, *extra: str) -> str:
    """An environment for the app under test: no provider keys or access settings, its own SQLite database, and
    a working directory without secrets.toml. Returns the database URL."""
    from core.providers import registry  # each provider's key variable, as its adapter names it

    for var in (
        *(provider.key_env for provider in registry().values()),
        "APP_PASSWORD",
        "REPORT_SECRET_TOKEN",
        "APP_LANGUAGE",
        *extra,
    ):
        monkeypatch.delenv(var, raising=False)
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url
