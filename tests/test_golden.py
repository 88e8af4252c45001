"""Every figure the command line showed before the ledger was rebuilt is unchanged (issue 11, "Done when").

The recorded files in ``tests/golden/`` hold the JSON of ``summary`` (every period), ``chart`` (every range),
``report``, ``runs`` and ``reconcile`` on fixed data; this rebuilds the same database and compares, on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import pytest

from tests import golden


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_every_recorded_figure_is_unchanged(backend, request, capsys):
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    outputs = golden.run(url, capsys)
    assert set(outputs) == {name for name, _ in golden.READS}
    for name, got in outputs.items():
        assert got == golden.load(name), name
